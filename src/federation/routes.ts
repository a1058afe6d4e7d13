import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { ObjectId } from 'mongodb'
import Negotiator from 'negotiator'
import TurndownService from 'turndown'
import { stringify } from 'yaml'
import { parseSource } from '../markdown/front-matter.ts'
import { render } from '../http/context.ts'
import type { WikiService } from '../wiki/service.ts'
import type { FederationCore } from './apex.ts'
import { latestRemotePages, remotePagesCollection, type RemotePageDocument } from './remote-pages.ts'

const REMOTE_LIST_LIMIT = 200
// HTML first, so that `*/*` and other ties between HTML and JSON give a person the page.
const OFFERED_TYPES = ['text/html', 'application/activity+json', 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"']

/** Whether a client asks for ActivityPub JSON rather than HTML (Mastodon sends both JSON types). */
export function wantsActivityJson (accept: string | undefined): boolean {
  const chosen = new Negotiator({ headers: { accept } }).mediaType(OFFERED_TYPES)
  return chosen !== undefined && chosen !== 'text/html'
}

export interface FederationRoutesOptions {
  core: FederationCore
  wiki: WikiService
  articleIdOf: (pageId: string) => string
}

/**
 * Content negotiation on a page's own URL: asked for ActivityPub JSON, it
 * answers with the page's Article (its id never changes, even after a
 * rename). Registered on the root so it sees the wiki's routes.
 */
export function registerArticleNegotiation (app: FastifyInstance, options: FederationRoutesOptions): void {
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

/**
 * The HTML side of federation: a page's own URL answers with its Article
 * when asked for ActivityPub JSON, remote pages are shown read-only with
 * their origin, and can be forked into a local page.
 */
export async function federationRoutes (app: FastifyInstance, options: FederationRoutesOptions): Promise<void> {
  const { wiki } = options
  const remotePages = remotePagesCollection(app.store.db)
  const turndown = new TurndownService({ headingStyle: 'atx', codeBlockStyle: 'fenced' })

  async function findRemote (request: FastifyRequest<{ Params: { id: string } }>): Promise<RemotePageDocument | null> {
    if (!ObjectId.isValid(request.params.id) || !/^[0-9a-f]{24}$/.test(request.params.id)) return null
    return await remotePages.findOne({ _id: new ObjectId(request.params.id) })
  }

  const idParams = { type: 'object', properties: { id: { type: 'string', maxLength: 24 } }, required: ['id'] } as const
  // The fork form sends only its CSRF token, which is taken off before validation.
  const noBody = { anyOf: [{ type: 'object', additionalProperties: false }, { type: 'null' }] } as const

  app.get<{ Params: { id: string } }>('/remote/:id', { schema: { params: idParams } }, async (request, reply) => {
    const page = await findRemote(request)
    if (!page) {
      reply.code(404)
      return await render(request, reply, 'error', { title: request.t('remote.notFound'), message: request.t('remote.notFound'), status: 404 })
    }
    if (page.deletedAt) reply.code(410)
    return await render(request, reply, 'remote-page', { title: page.title, page })
  })

  app.get('/remote', async (request, reply) => {
    const pages = await latestRemotePages(app.store.db, REMOTE_LIST_LIMIT)
    return await render(request, reply, 'remote-pages', { title: request.t('remote.listHeading'), pages })
  })

  app.post<{ Params: { id: string } }>('/remote/:id/fork', { schema: { params: idParams, body: noBody } }, async (request, reply) => {
    const page = await findRemote(request)
    if (!page || page.deletedAt) {
      reply.code(page ? 410 : 404)
      return await render(request, reply, 'error', { title: request.t('remote.notFound'), message: request.t('remote.notFound'), status: page ? 410 : 404 })
    }
    const created = await wiki.createPage({ source: forkSource(page, turndown), title: page.title, author: request.account?.username ?? null, message: request.t('remote.forkMessage', { url: page.url }) })
    return await reply.code(303).header('location', `/wiki/${created.slug}`).send()
  })
}

/**
 * A fork keeps the text and says where it came from; it starts as a local
 * draft, so nothing goes back out before its new authors decide.
 */
export function forkSource (page: RemotePageDocument, turndown: TurndownService): string {
  let data: Record<string, unknown> = {}
  let body: string
  if (page.source !== null) {
    try {
      const parsed = parseSource(page.source)
      data = parsed.data
      body = parsed.body
    } catch {
      body = page.source
    }
  } else {
    body = turndown.turndown(page.html)
  }
  const front = {
    ...data,
    title: page.title,
    ...(page.summary ? { summary: page.summary } : {}),
    tags: page.tags,
    language: page.language,
    licence: page.licence || data.licence || 'CC-BY-SA-4.0',
    visibility: 'local',
    forkOf: page.url,
    attribution: `${page.actorName} (${page.origin})`
  }
  return `---\n${stringify(front)}---\n${body.trimStart()}`
}
