import { promisify } from 'node:util'
import { brotliCompress, brotliCompressSync, constants as zlibConstants, gzip, gzipSync, type BrotliOptions } from 'node:zlib'
import { negotiate } from '@fastify/accept-negotiator'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { LRUCache } from 'lru-cache'
import { matchesTag, varyOn } from './transfer.ts'

export type Encoding = 'br' | 'gzip'

/** The same preference as the compression of every other answer (`transfer.ts`). */
const ENCODINGS: Array<Encoding | 'identity'> = ['br', 'gzip', 'identity']
/** Headers that belong to one connection or one moment, or are set again on the way out. */
const UNKEPT_HEADERS = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding', 'content-length', 'content-encoding', 'set-cookie'])

/** An answer's bytes, and its compressed forms as readers asked for them. */
export interface EncodedBody {
  identity: Buffer
  /** Compressed once, on the first reader who accepts the encoding. */
  encoded: Partial<Record<Encoding, Buffer>>
}

interface Answer extends EncodedBody {
  /** Names and values in turn, as `writeHead` takes them. */
  headers: string[]
  etag?: string
  renderedAt: number
}

/** The compression this request accepts for a kept answer; null for none. */
export function acceptedEncoding (request: FastifyRequest): Encoding | null {
  const header = request.headers['accept-encoding']
  const encoding = typeof header === 'string' ? negotiate(header.toLowerCase().replace(/\bx-gzip\b/g, 'gzip'), ENCODINGS) : null
  return encoding === 'br' || encoding === 'gzip' ? encoding : null
}

// Quality 6: up to a tenth larger than 11 in a fiftieth of the time (measured on the bench page), which the first reader after a change waits for.
const brotliOptions = (body: Buffer): BrotliOptions => ({ params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 6, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: body.length } })
const GZIP_OPTIONS = { level: 9 }

/** The body in this encoding, compressed on first use and kept with it. */
export function encodedBody (answer: EncodedBody, encoding: Encoding): Buffer {
  answer.encoded[encoding] ??= encoding === 'br' ? brotliCompressSync(answer.identity, brotliOptions(answer.identity)) : gzipSync(answer.identity, GZIP_OPTIONS)
  return answer.encoded[encoding]
}

const brotliInPool = promisify(brotliCompress)
const gzipInPool = promisify(gzip)
/** Compressions under way, so readers arriving meanwhile wait for the same one. */
const compressing = new WeakMap<EncodedBody, Partial<Record<Encoding, Promise<Buffer>>>>()

/**
 * `sendEncoded` for a large kept answer (megabytes of JSON): its first compression in each
 * encoding runs in libuv's thread pool, not on the event loop.
 */
export async function sendLargeEncoded (request: FastifyRequest, reply: FastifyReply, answer: EncodedBody): Promise<FastifyReply> {
  const encoding = acceptedEncoding(request)
  if (encoding !== null && answer.encoded[encoding] === undefined) {
    const running = compressing.get(answer) ?? {}
    compressing.set(answer, running)
    running[encoding] ??= (encoding === 'br' ? brotliInPool(answer.identity, brotliOptions(answer.identity)) : gzipInPool(answer.identity, GZIP_OPTIONS))
      // A failed compression is not kept: the next reader tries again.
      .finally(() => { delete running[encoding] })
    answer.encoded[encoding] = await running[encoding]
  }
  return sendEncoded(request, reply, answer)
}

export interface ReaderCacheOptions {
  /**
   * What part of the reader the answer depends on (their language), or null when the
   * answer may be personal (the request carries credentials) and must never be shared.
   * Asked before anyone is identified, so it goes by what the request carries.
   */
  readerOf: (request: FastifyRequest) => string | null
  /**
   * For a request with credentials that may be answered from what the same credentials were
   * given before: what of the request the answer depends on (the whole Cookie header, so only
   * the holder of the same signed session cookie gets it, and the language); null otherwise.
   * Such answers are forgotten by `forgetPersonal`, which must be called on every write to the
   * store: they show what the person's session, account and counts were when rendered.
   */
  personalOf?: (request: FastifyRequest) => string | null
  /**
   * Asked when a personal answer is ready: whether the request was someone's (its session
   * named a person). A cookie made up or expired gets its answer rendered each time, so
   * made-up cookies cannot crowd people's answers out.
   */
  keepsPersonal?: (request: FastifyRequest) => boolean
  /** Bytes of answers kept, all encodings counted. */
  maxBytes?: number
  /**
   * How long an answer is served before it is rendered again. Changes made in this
   * process clear the cache at once (`clear`); the time bounds how stale a page can
   * look when other processes write to a shared MongoDB database.
   */
  revalidateAfterMs?: number
  now?: () => number
}

export type ReaderCache = ReturnType<typeof createReaderCache>

/** Answers sent already encoded (renderFramed's per-session answers), for `keep` to take with all their forms. */
const sentEncoded = new WeakMap<FastifyReply, EncodedBody>()

/** Sends a kept answer in the encoding the reader accepts, and lets the reader cache keep it as it is. */
export function sendEncoded (request: FastifyRequest, reply: FastifyReply, answer: EncodedBody): FastifyReply {
  sentEncoded.set(reply, answer)
  varyOn(reply, 'Accept-Encoding')
  const encoding = acceptedEncoding(request)
  if (encoding === null) return reply.send(answer.identity)
  return reply.header('Content-Encoding', encoding).send(encodedBody(answer, encoding))
}

/**
 * Whole answers for readers who are not signed in: most requests to a wiki are
 * someone reading a page that has not changed since the last reader, and rendering
 * it, hashing it for its ETag and compressing it again each time is most of what a
 * request costs. An answer is kept per address and language, and every change to
 * the wiki clears them all, since a new page turns "create" links on other pages
 * into plain ones.
 *
 * It works like a caching proxy in front of the app: `serve` is the first onRequest
 * hook of all and answers with what was kept, headers included, before sessions,
 * security headers, access checks or the route's handler run; `keep` is the onSend
 * hook of the routes whose answers may be kept. Only what a request without
 * credentials was given is kept, so answering before the access checks shows nobody
 * more than they could see anyway. ETags, 304s and the Vary header work as for any answer.
 *
 * Signed-in people's views of those routes are kept too, with `personalOf`, each under the
 * whole Cookie header that carried the session: only a request with the same signed cookie
 * gets it, and it gets exactly what that cookie was given, while nothing in the store has
 * changed since (`forgetPersonal` on every write: a sign-out, a notification, a changed
 * account or a notice waiting in the session all write) and for the same two seconds.
 */
export function createReaderCache (options: ReaderCacheOptions) {
  const now = options.now ?? Date.now
  const revalidateAfterMs = options.revalidateAfterMs ?? 2000
  const answers = new LRUCache<string, Answer>({
    maxSize: options.maxBytes ?? 64 * 1024 * 1024,
    sizeCalculation: answer => answer.identity.length + (answer.encoded.br?.length ?? 0) + (answer.encoded.gzip?.length ?? 0) + 2048
  })
  // Personal answers: a share of the same room, and forgotten on every write to the store.
  const personal = new LRUCache<string, Answer>({
    maxSize: Math.ceil((options.maxBytes ?? 64 * 1024 * 1024) / 4),
    sizeCalculation: (answer, key) => answer.identity.length + (answer.encoded.br?.length ?? 0) + (answer.encoded.gzip?.length ?? 0) + key.length * 2 + 2048
  })
  // Bumped by every change: an answer rendered from what was read before a change must not be kept after it.
  let generation = 0
  let personalGeneration = 0
  const pending = new WeakMap<FastifyRequest, { key: string, kept: LRUCache<string, Answer>, generation: () => number, started: number }>()
  const keepsPersonal = options.keepsPersonal ?? (() => true)
  const forgetPersonal = (): void => {
    personalGeneration++
    if (personal.size > 0) personal.clear()
  }

  function entryOf (request: FastifyRequest): { key: string, kept: LRUCache<string, Answer>, generation: () => number } | null {
    // Query strings would let anyone fill the cache with copies; such addresses are rendered each time.
    if (request.method !== 'GET' || request.url.includes('?')) return null
    const reader = options.readerOf(request)
    if (reader !== null) return { key: `${reader} ${request.url}`, kept: answers, generation: () => generation }
    const person = options.personalOf?.(request) ?? null
    return person === null ? null : { key: `${person}\n${request.url}`, kept: personal, generation: () => personalGeneration }
  }

  return {
    async serve (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
      const entry = entryOf(request)
      if (entry === null) return
      const answer = entry.kept.get(entry.key)
      if (answer === undefined || now() - answer.renderedAt > revalidateAfterMs) {
        pending.set(request, { ...entry, started: entry.generation() })
        return
      }
      // The answer goes out as it was first sent, headers and all; the rest of the request's
      // lifecycle (its onSend hooks) has nothing left to add, so the raw response is written here.
      reply.hijack()
      const ifNoneMatch = request.headers['if-none-match']
      if (typeof ifNoneMatch === 'string' && answer.etag !== undefined && matchesTag(ifNoneMatch, answer.etag)) {
        reply.raw.writeHead(304, answer.headers)
        reply.raw.end()
        return reply
      }
      const encoding = acceptedEncoding(request)
      const body = encoding === null ? answer.identity : encodedBody(answer, encoding)
      const headers = encoding === null ? answer.headers : [...answer.headers, 'content-encoding', encoding]
      reply.raw.writeHead(200, [...headers, 'content-length', String(body.length)])
      reply.raw.end(body)
      return reply
    },

    async keep (request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> {
      const started = pending.get(request)
      if (started === undefined || started.started !== started.generation()) return payload
      if (reply.statusCode !== 200 || reply.hasHeader('set-cookie') || (started.kept === personal && !keepsPersonal(request))) return payload
      const sent = sentEncoded.get(reply)
      if (sent === undefined && (!(typeof payload === 'string' || Buffer.isBuffer(payload)) || reply.hasHeader('content-encoding'))) return payload
      const identity = sent?.identity ?? (Buffer.isBuffer(payload) ? payload : Buffer.from(payload as string))
      const previous = started.kept.peek(started.key)
      // Rendered again after the time limit, a page is usually unchanged: keep its compressed forms.
      const encoded = sent?.encoded ?? (previous !== undefined && previous.identity.equals(identity) ? previous.encoded : {})
      // Kept answers are sent in whichever encoding the reader accepts.
      varyOn(reply, 'accept-encoding')
      const headers: string[] = []
      for (const [name, value] of Object.entries(reply.getHeaders())) {
        if (value !== undefined && !UNKEPT_HEADERS.has(name.toLowerCase())) headers.push(name, Array.isArray(value) ? value.join(', ') : String(value))
      }
      const etag = reply.getHeader('etag')
      started.kept.set(started.key, { headers, etag: typeof etag === 'string' ? etag : undefined, identity, encoded, renderedAt: now() })
      return payload
    },

    /** Call on every change to the wiki. */
    clear (): void {
      generation++
      answers.clear()
      forgetPersonal()
    },

    /** Call on every write to the store: a personal answer shows the session, account and counts as they were. */
    forgetPersonal
  }
}
