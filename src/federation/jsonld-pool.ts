import { availableParallelism } from 'node:os'
import type { Worker } from 'node:worker_threads'
import { startWorker } from '../threads/start-worker.ts'
import type { ContextDocument } from './contexts.ts'
import type { ContextAnswer, JsonLdJob, JsonLdReply } from './jsonld-protocol.ts'

/** A document JSON-LD processing refuses, or whose context cannot be loaded: the sender's fault (400). */
export class InvalidJsonLdError extends Error {
  readonly statusCode = 400
  readonly code = 'INVALID_JSON_LD'
  constructor (message: string) {
    super(message.slice(0, 500))
    this.name = 'InvalidJsonLdError'
  }
}

/** No answer now: the queue is full, the document took too long, or its worker died. Worth sending again later (503). */
export class JsonLdBusyError extends Error {
  readonly statusCode = 503
  readonly code = 'JSON_LD_BUSY'
  constructor (message: string) {
    super(message)
    this.name = 'JsonLdBusyError'
  }
}

export interface JsonLdPoolOptions {
  /** apex.context: what incoming documents are compacted to. */
  context: unknown[]
  /** apex.jsonldContextLoader: the contexts shipped with the app, then the store, then the guarded network. */
  loadContext: (url: string) => Promise<ContextDocument>
  /** apex.fromJSONLD, for documents too small to be worth a thread. */
  compactHere: (document: Record<string, any>) => Promise<any>
  /**
   * Documents with more JSON values than this go to a thread. Below it, compacting on the
   * event loop costs about what handing the document over and back does (measured: a
   * 3 kB lesson Create, 146 values, 0.7 ms here against 0.6–0.8 ms of the event loop's time
   * for the round trip and 1–2 ms more CPU in all), and stays within a few milliseconds.
   */
  largeDocumentValues?: number
  /** Threads; by default one per core beside the event loop's, at least two so one slow document does not hold up the rest. */
  size?: number
  /** Documents waiting for a thread before more are refused with 503. */
  maxQueued?: number
  /** How long a thread may work on one document (waiting for contexts not counted) before it is stopped. */
  timeoutMs?: number
  log: { warn: (message: string) => void }
}

export interface JsonLdPool {
  /** activitypub-express's fromJSONLD (compacted to apex's context, arrays kept); in a worker thread when the document is large. */
  fromJSONLD: (document: Record<string, any>) => Promise<any>
  close: () => Promise<void>
  /** The running threads, for tests that kill one to see the pool survive it. */
  threadsForTests: () => Worker[]
}

const workerFile = new URL('./jsonld-worker.ts', import.meta.url)
/** A document is at most 1 MB (MAX_ACTIVITY_BYTES); its expansion stays well within this. */
const RESOURCE_LIMITS = { maxOldGenerationSizeMb: 256 }
const MAX_SENT_CONTEXTS = 128
const STARTUP_TIMEOUT_MS = 60_000
const LARGE_DOCUMENT_VALUES = 500

/** Whether a JSON value holds more than `limit` values (objects, arrays and scalars), counted until the limit. */
export function holdsMoreThan (value: unknown, limit: number): boolean {
  let count = 0
  const stack: unknown[] = [value]
  while (stack.length > 0) {
    const next = stack.pop()
    count++
    const children = Array.isArray(next) ? next : next !== null && typeof next === 'object' ? Object.values(next) : []
    // Every value waiting is one more: no need to walk (or spread) a huge array to know.
    if (count + stack.length + children.length > limit) return true
    for (const child of children) stack.push(child)
  }
  return false
}

interface Waiting { document: Record<string, any>, contexts: Array<[string, ContextDocument]>, resolve: (value: unknown) => void, reject: (error: Error) => void }
interface Running extends Waiting { job: number, timer: NodeJS.Timeout | null, contextFailure: Error | null }
interface Slot {
  thread: Worker | null
  running: Running | null
  /** Whether the thread has loaded: starting one (seconds under load) does not count against a document's time. */
  ready: boolean
  /** Whether this thread has apex's context (sent with its first document). */
  hasContext: boolean
  /** Contexts this thread was given; it keeps them, so they are not copied over again (it asks for any it let go). */
  sent: Set<string>
}

/**
 * A small bounded pool of worker threads for JSON-LD compaction of documents from other
 * servers: compacting a large activity takes hundreds of milliseconds, which on the event
 * loop would hold up every other request. Small documents, most activities, are compacted
 * here (see `largeDocumentValues`). Each thread works on one document at a time; a thread
 * that crashes or runs past the timeout is replaced when next needed.
 */
export function createJsonLdPool (options: JsonLdPoolOptions): JsonLdPool {
  const size = options.size ?? Math.min(4, Math.max(2, availableParallelism() - 1))
  const maxQueued = options.maxQueued ?? 128
  const timeoutMs = options.timeoutMs ?? 10_000
  const largeDocumentValues = options.largeDocumentValues ?? LARGE_DOCUMENT_VALUES
  const slots: Slot[] = Array.from({ length: size }, () => ({ thread: null, running: null, ready: false, hasContext: false, sent: new Set<string>() }))
  const queue: Waiting[] = []
  let nextJob = 0
  let closed = false

  function finish (slot: Slot): Running | null {
    const running = slot.running
    if (running?.timer) clearTimeout(running.timer)
    slot.running = null
    slot.thread?.unref()
    return running
  }

  function startTimer (slot: Slot, running: Running): void {
    running.timer = setTimeout(() => {
      if (slot.running !== running) return
      finish(slot)
      const thread = slot.thread
      slot.thread = null
      options.log.warn(`JSON-LD processing of an incoming document took over ${timeoutMs} ms; its worker is replaced`)
      running.reject(new JsonLdBusyError(`processing the document as JSON-LD took longer than ${timeoutMs / 1000} s; try again later`))
      thread?.terminate().catch(() => {})
      dispatch()
    }, timeoutMs)
  }

  function answerContext (slot: Slot, thread: Worker, request: number, url: string): void {
    const running = slot.running
    if (running?.timer) clearTimeout(running.timer)
    const answer = (message: ContextAnswer): void => {
      if (slot.thread !== thread || slot.running !== running) return
      thread.postMessage(message)
      if (running && slot.ready) startTimer(slot, running)
    }
    options.loadContext(url).then(
      context => { answer({ type: 'context', request, context }) },
      (error: Error) => {
        if (running) running.contextFailure ??= new InvalidJsonLdError(error.message)
        answer({ type: 'context', request, error: error.message })
      }
    )
  }

  function start (slot: Slot): Worker {
    const thread = startWorker(workerFile, { resourceLimits: RESOURCE_LIMITS })
    slot.sent = new Set()
    slot.hasContext = false
    slot.ready = false
    // A thread that never finishes loading would hold its document for ever.
    const loading = setTimeout(() => { if (!slot.ready) thread.terminate().catch(() => {}) }, STARTUP_TIMEOUT_MS)
    loading.unref()
    let failure: Error | undefined
    thread.on('message', (reply: JsonLdReply) => {
      if (slot.thread !== thread) return
      if (reply.type === 'ready') {
        clearTimeout(loading)
        slot.ready = true
        if (slot.running) startTimer(slot, slot.running)
        return
      }
      if (reply.type === 'context') return answerContext(slot, thread, reply.request, reply.url)
      if (slot.running?.job !== reply.job) return
      const running = finish(slot) as Running
      if (reply.type === 'done') running.resolve(reply.result)
      else running.reject(running.contextFailure ?? new InvalidJsonLdError(`the body is not valid JSON-LD: ${reply.error.message}`))
      dispatch()
    })
    thread.on('error', error => { failure = error })
    thread.on('exit', code => {
      if (slot.thread !== thread) return
      slot.thread = null
      const running = finish(slot)
      if (closed) return
      options.log.warn(`a JSON-LD worker exited with code ${code}${failure ? `: ${failure.message}` : ''}; a new one starts when needed`)
      running?.reject(new JsonLdBusyError('JSON-LD processing was interrupted; try again later'))
      dispatch()
    })
    thread.unref()
    return thread
  }

  function dispatch (): void {
    for (const slot of slots) {
      if (queue.length === 0 || closed) return
      if (slot.running !== null) continue
      const waiting = queue.shift() as Waiting
      slot.thread ??= start(slot)
      const running: Running = { ...waiting, job: nextJob++, timer: null, contextFailure: null }
      slot.running = running
      slot.thread.ref()
      if (slot.sent.size > MAX_SENT_CONTEXTS) slot.sent.clear()
      const contexts = running.contexts.filter(([url]) => !slot.sent.has(url))
      for (const [url] of contexts) slot.sent.add(url)
      const message: JsonLdJob = { type: 'compact', job: running.job, document: running.document, context: slot.hasContext ? undefined : options.context, contexts }
      slot.hasContext = true
      try {
        slot.thread.postMessage(message)
      } catch (error) {
        finish(slot)
        running.reject(new InvalidJsonLdError(`the body is not valid JSON-LD: ${(error as Error).message}`))
        continue
      }
      if (slot.ready) startTimer(slot, running)
    }
  }

  /** The contexts a document names at its top, loaded here so no thread waits on the network for them. */
  async function topContexts (document: Record<string, any>): Promise<Array<[string, ContextDocument]>> {
    const named = document['@context']
    const urls = [...new Set((Array.isArray(named) ? named : [named]).filter((entry): entry is string => typeof entry === 'string'))]
    try {
      return await Promise.all(urls.map(async url => [url, await options.loadContext(url)] as [string, ContextDocument]))
    } catch (error) {
      throw new InvalidJsonLdError((error as Error).message)
    }
  }

  const busy = (): JsonLdBusyError => new JsonLdBusyError('too many activities are being processed; try again shortly')

  async function fromJSONLD (document: Record<string, any>): Promise<any> {
    if (!holdsMoreThan(document, largeDocumentValues)) {
      await topContexts(document)
      try {
        return await options.compactHere(document)
      } catch (error) {
        throw new InvalidJsonLdError(`the body is not valid JSON-LD: ${(error as Error).message}`)
      }
    }
    if (closed || queue.length >= maxQueued) throw busy()
    const contexts = await topContexts(document)
    if (closed || queue.length >= maxQueued) throw busy()
    return await new Promise((resolve, reject) => {
      queue.push({ document, contexts, resolve, reject })
      dispatch()
    })
  }

  async function close (): Promise<void> {
    closed = true
    for (const waiting of queue.splice(0)) waiting.reject(busy())
    await Promise.all(slots.map(async slot => {
      const thread = slot.thread
      finish(slot)?.reject(busy())
      // An unref'd thread's exit would not keep the event loop alive until it arrives.
      thread?.ref()
      if (thread) await thread.terminate()
    }))
  }

  const threadsForTests = (): Worker[] => slots.flatMap(slot => slot.thread ? [slot.thread] : [])

  return { fromJSONLD, close, threadsForTests }
}
