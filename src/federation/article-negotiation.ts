import type { FastifyInstance, FastifyReply } from 'fastify'
import Negotiator from 'negotiator'
import type { WikiService } from '../wiki/service.ts'
import type { FederationCore } from './core.ts'

// HTML first, so that `*/*` and other ties between HTML and JSON give a person the page.
const OFFERED_TYPES = ['text/html', 'application/activity+json', 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"']

/** Whether a client asks for ActivityPub JSON rather than HTML (Mastodon sends both JSON types). */
export function wantsActivityJson (accept: string | undefined): boolean {
  const chosen = new Negotiator({ headers: { accept } }).mediaType(OFFERED_TYPES)
  return chosen !== undefined && chosen !== 'text/html'
}

export interface ArticleNegotiationOptions {
  core: FederationCore
  wiki: WikiService
  articleIdOf: (pageId: string) => string
}

/**
 * Content negotiation on a page's own URL: asked for ActivityPub JSON, it
 * answers with the page's Article (its id never changes, even after a
 * rename). Registered on the root so it sees the wiki's routes.
 */
export function registerArticleNegotiation (app: FastifyInstance, options: ArticleNegotiationOptions): void {
  const { apex } = options.core
  const { wiki } = options
  async function sendObject (reply: FastifyReply, object: Record<string, unknown>): Promise<FastifyReply> {
    const body = apex.stringifyPublicJSONLD(await apex.toJSONLD(object))
    return reply.type('application/activity+json; charset=utf-8').header('Vary', 'Accept').send(body)
  }

  // Content negotiation on the page's own URL; HTML requests go on to the wiki's routes.
  app.addHook('onRequest', async (request, reply) => {
    if (request.method !== 'GET' || !wantsActivityJson(request.headers.accept)) return
    const match = /^\/wiki\/([^/?#]+)\/?(?:\?.*)?$/.exec(request.url)
    if (!match) return
    let slug: string
    try {
      slug = decodeURIComponent(match[1] as string)
    } catch {
      return
    }
    const found = await wiki.resolve(slug)
    let pageId: string | null = null
    if (found.kind === 'page' || found.kind === 'deleted') pageId = found.page._id.toHexString()
    if (found.kind === 'moved') {
      const moved = await wiki.resolve(found.slug)
      if (moved.kind === 'page') pageId = moved.page._id.toHexString()
    }
    if (pageId === null) return reply.code(404).type('application/json').send({ error: 'not found' })
    const object = await apex.store.getObject(options.articleIdOf(pageId))
    if (!object) return reply.code(404).type('application/json').send({ error: 'this page is not published to other servers' })
    if (object.type === 'Tombstone') return reply.code(410).type('application/activity+json').send(apex.stringifyPublicJSONLD(await apex.toJSONLD(object)))
    return await sendObject(reply, object)
  })
}
