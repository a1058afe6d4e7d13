import type { FastifyInstance, FastifyRequest } from 'fastify'
import { ObjectId } from 'mongodb'
import TurndownService from 'turndown'
import { stringify } from 'yaml'
import { parseSource } from '../markdown/front-matter.ts'
import { render } from '../http/context.ts'
import type { WikiService } from '../wiki/service.ts'
import { lessonOfRemote } from '../lessons/remote-lessons.ts'
import { lessonView } from '../lessons/view.ts'
import { forkPageExtras } from './fork-attribution.ts'
import { remoteLessonRecord } from './remote-lesson-records.ts'
import { htmlParagraphs, latestRemotePages, remotePagesCollection, type RemotePageDocument } from './remote-pages.ts'

const REMOTE_LIST_LIMIT = 200

export interface RemotePageRoutesOptions {
  wiki: WikiService
}

/**
 * The HTML side of federation: remote pages are listed and shown read-only
 * with their origin, and can be forked into a local page.
 */
export async function remotePageRoutes (app: FastifyInstance, options: RemotePageRoutesOptions): Promise<void> {
  const { wiki } = options
  const remotePages = remotePagesCollection(app.store.db)
  const turndown = new TurndownService({ headingStyle: 'atx', codeBlockStyle: 'fenced' })
  app.pageExtras.push(forkPageExtras)

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
    // A lesson shows its fact box and evidence as a local one does, below the banner.
    const record = page.deletedAt ? null : remoteLessonRecord(page)
    const lesson = record === null ? null : lessonOfRemote(record)
    return await render(request, reply, 'remote-page', { title: page.title, page, lesson: lesson === null ? null : lessonView(request.t, lesson) })
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
    const created = await wiki.createPage({ source: forkSource(page, turndown), title: page.title, author: request.account?.username ?? null, message: request.t('remote.forkMessage', { title: page.title, organisation: page.actorName, url: page.url }) })
    return await reply.code(303).header('location', `/wiki/${created.slug}`).send()
  })
}

/**
 * Stored HTML longer than this forks as paragraphs of text: turndown builds a DOM and
 * needs about 4 ms per kB of dense markup (200 ms for 48 kB of nested spans), all on the
 * event loop.
 */
export const MAX_FORK_HTML = 16 * 1024

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
  } else if (page.html.length > MAX_FORK_HTML) {
    body = htmlParagraphs(page.html).map(text => turndown.escape(text)).join('\n\n')
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
    originalTitle: page.title,
    attribution: `${page.actorName} (${page.origin})`,
    originalLicence: page.licence || 'CC-BY-SA-4.0'
  }
  return `---\n${stringify(front)}---\n${body.trimStart()}`
}
