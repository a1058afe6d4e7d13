import type { FastifyInstance, FastifyReply } from 'fastify'
import compress from '@fastify/compress'
import etag from '@fastify/etag'

/** Content types worth compressing; images and archives are compressed already. */
const COMPRESSIBLE = /^(?:text\/|application\/(?:[\w.+-]*\+)?(?:json|xml)|application\/javascript|image\/svg\+xml)/

/** Whether an If-None-Match header names this tag; weak and strong forms match alike, as for GET they should. */
export function matchesTag (header: string, tag: string): boolean {
  const strong = tag.replace(/^W\//, '')
  return header.split(',').some(candidate => {
    const value = candidate.trim()
    return value === '*' || value.replace(/^W\//, '') === strong
  })
}

/** Adds fields to the Vary header that it does not name yet. */
export function varyOn (reply: FastifyReply, ...fields: string[]): void {
  const current = reply.getHeader('vary')
  const named = current === undefined ? [] : String(current).split(',').map(field => field.trim()).filter(field => field !== '')
  const known = new Set(named.map(field => field.toLowerCase()))
  for (const field of fields) if (!known.has(field.toLowerCase())) named.push(field)
  reply.header('vary', named.join(', '))
}

/**
 * Fewer bytes for slow connections: br/gzip for text answers, and an ETag on every
 * generated answer so a repeat GET of an unchanged page gets an empty 304.
 * Register before the routes: compression attaches itself to routes as they are added.
 */
export async function registerTransfer (app: FastifyInstance): Promise<void> {
  // The library would answer 304 to any method and status; only successful reads may be "not modified".
  // Weak tags: the same page sent br, gzip or plain is one representation for caching, not three byte-equal ones.
  await app.register(etag, { weak: true, replyWith304: false })
  app.addHook('onSend', async (request, reply, payload) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return payload
    if (reply.statusCode !== 200) return payload
    const header = request.headers['if-none-match']
    const tag = reply.getHeader('etag')
    if (typeof header !== 'string' || typeof tag !== 'string' || !matchesTag(header, tag)) return payload
    reply.code(304)
    reply.removeHeader('content-length')
    return ''
  })
  // After the tags: they are computed on what the page says, not on its compressed bytes.
  await app.register(compress, {
    encodings: ['br', 'gzip'],
    customTypes: COMPRESSIBLE,
    threshold: 1024,
    // Pages are compressed in one call rather than through a zlib stream on the thread pool: on two
    // cores that pool competes with the event loop, and bench:render measured the stream slower.
    syncThreshold: 64 * 1024,
    // Request bodies stay as sent: forms and activities are small, and inflating them invites zip bombs.
    globalDecompression: false
  })
}
