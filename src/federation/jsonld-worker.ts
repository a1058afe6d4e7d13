import { createRequire } from 'node:module'
import { parentPort } from 'node:worker_threads'
import type { ContextDocument } from './contexts.ts'
import type { JsonLdJob, JsonLdReply, JsonLdWorkerMessage } from './jsonld-protocol.ts'
import { rememberResolvedContexts } from './jsonld-resolved-contexts.ts'

/*
 * Compacts incoming activities off the event loop, exactly as activitypub-express's
 * fromJSONLD does (pub/utils.js), with the same jsonld package apex runs. Contexts come
 * from the main thread, which loads them through apex.jsonldContextLoader: this thread
 * never touches the network or the store.
 */
const require = createRequire(import.meta.url)
const jsonld = createRequire(require.resolve('activitypub-express'))('jsonld')
// This thread's own copy of jsonld resolves the same context objects for every document, as the main thread's does.
rememberResolvedContexts()

/** Contexts already handed over, newest last; bounded like jsonld's own cache of resolved contexts. */
const MAX_CONTEXTS = 256
const contexts = new Map<string, ContextDocument>()
const waiting = new Map<number, { resolve: (context: ContextDocument) => void, reject: (error: Error) => void }>()
let nextRequest = 0
const port = parentPort
if (port === null) throw new Error('jsonld-worker.ts runs as a worker thread')

function remember (url: string, context: ContextDocument): void {
  contexts.delete(url)
  contexts.set(url, context)
  if (contexts.size > MAX_CONTEXTS) contexts.delete(contexts.keys().next().value as string)
}

async function documentLoader (url: string): Promise<ContextDocument> {
  const known = contexts.get(url)
  if (known) return known
  const request = nextRequest++
  const context = await new Promise<ContextDocument>((resolve, reject) => {
    waiting.set(request, { resolve, reject })
    port!.postMessage({ type: 'context', request, url } satisfies JsonLdReply)
  })
  remember(url, context)
  return context
}

/** apex's fromJSONLD, line for line, with the loader above. */
async function fromJSONLD (document: Record<string, any>, context: unknown[]): Promise<unknown> {
  const options: Record<string, unknown> = { compactArrays: false, documentLoader }
  if (!('@context' in document)) {
    options.expandContext = context
  } else if (Array.isArray(document['@context'])) {
    // apex strips default languages: they turn strings into objects and rename keys (summary → summaryMap).
    document['@context'].forEach((entry: any) => {
      if (entry['@language']) entry['@language'] = null
    })
  } else if (document['@context']['@language']) {
    document['@context']['@language'] = null
  }
  const compacted = await jsonld.compact(document, context, options)
  return compacted['@graph'][0]
}

/** apex.context, from the first document. */
let target: unknown[] = []

async function run (job: JsonLdJob): Promise<void> {
  for (const [url, context] of job.contexts) remember(url, context)
  if (job.context) target = job.context
  try {
    const result = await fromJSONLD(job.document, target)
    port!.postMessage({ type: 'done', job: job.job, result } satisfies JsonLdReply)
  } catch (error) {
    const failure = error as { name?: unknown, message?: unknown, details?: { code?: unknown } }
    port!.postMessage({
      type: 'failed',
      job: job.job,
      error: { name: String(failure?.name ?? 'Error'), message: String(failure?.message ?? error), code: typeof failure?.details?.code === 'string' ? failure.details.code : undefined }
    } satisfies JsonLdReply)
  }
}

port.on('message', (message: JsonLdWorkerMessage) => {
  if (message.type === 'compact') {
    run(message).catch(() => {})
    return
  }
  const request = waiting.get(message.request)
  if (request === undefined) return
  waiting.delete(message.request)
  if (message.context) request.resolve(message.context)
  else request.reject(new Error(message.error ?? 'the context could not be loaded'))
})
port.postMessage({ type: 'ready' } satisfies JsonLdReply)
