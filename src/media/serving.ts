import type { FastifyReply } from 'fastify'
import type { StoredMedia } from './media-store.ts'

/** A stored name: the SHA-256 of the bytes, a display width for the smaller sizes, the extension. */
export const STORED_NAME = /^([0-9a-f]{64})(?:-(\d{1,5}))?\.([a-z]{3,4})$/

/**
 * The headers of a stored file. Its address names its bytes, so it never changes and may be
 * kept for a year. Only images are shown in the browser; everything else is a download, and
 * no browser may guess another type than the one stored.
 */
export function mediaHeaders (reply: FastifyReply, file: StoredMedia): void {
  const image = file.metadata.type.startsWith('image/')
  reply.header('Content-Type', file.metadata.type === 'text/plain' || file.metadata.type === 'text/csv' ? `${file.metadata.type}; charset=utf-8` : file.metadata.type)
  reply.header('Content-Length', String(file.size))
  reply.header('X-Content-Type-Options', 'nosniff')
  reply.header('Cache-Control', 'public, max-age=31536000, immutable')
  reply.header('ETag', `"${file.name}"`)
  reply.header('Content-Disposition', `${image ? 'inline' : 'attachment'}; filename="${asciiName(file.metadata.originalName)}"; filename*=UTF-8''${encodeURIComponent(file.metadata.originalName)}`)
}

/** The name for old browsers: ASCII only, no quotes or backslashes. */
function asciiName (name: string): string {
  return name.normalize('NFKD').replace(/[^\x20-\x7e]/g, '').replace(/["\\]/g, '_') || 'file'
}
