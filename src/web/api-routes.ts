import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { PageDocument } from '../wiki/model.ts'
import type { PageRenderer } from '../wiki/rendering.ts'
import type { WikiService } from '../wiki/service.ts'
import { parseSource } from '../markdown/front-matter.ts'
import { PageNotFoundError } from '../wiki/errors.ts'
import { renderPageHtml } from './context.ts'
import { ListQuery, SlugParams } from './schemas.ts'

export interface ApiRoutesOptions {
  wiki: WikiService
  renderer: PageRenderer
  baseUrl: string
}

const API_PAGE_SIZE = 100

/** Read-only JSON; write endpoints arrive with accounts (issue 8). */
export async function apiRoutes (parent: FastifyInstance, options: ApiRoutesOptions): Promise<void> {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>()
  const { wiki, renderer, baseUrl } = options

  const summary = (page: PageDocument) => ({
    slug: page.slug,
    title: page.title,
    language: page.language,
    tags: page.fields.tags,
    summary: page.fields.summary ?? null,
    licence: page.fields.licence,
    visibility: page.fields.visibility,
    type: page.fields.type ?? null,
    revision: page.revisionId.toHexString(),
    updatedAt: page.updatedAt.toISOString(),
    url: `${baseUrl}/wiki/${page.slug}`
  })

  app.get('/api/pages', { schema: { querystring: ListQuery } }, async (request) => {
    const pageNumber = request.query.page ?? 1
    const { pages, total } = await wiki.listPages({ limit: API_PAGE_SIZE, skip: (pageNumber - 1) * API_PAGE_SIZE })
    return { total, page: pageNumber, pageSize: API_PAGE_SIZE, pages: pages.map(summary) }
  })

  app.get('/api/pages/:slug', { schema: { params: SlugParams } }, async (request, reply) => {
    const found = await wiki.resolve(request.params.slug)
    if (found.kind === 'moved') return reply.redirect(`/api/pages/${found.slug}`, 301)
    if (found.kind === 'missing') throw new PageNotFoundError(request.params.slug)
    const page = await wiki.requirePage(request.params.slug)
    const rendered = await renderPageHtml(renderer, request, page)
    return {
      ...summary(page),
      frontMatter: page.frontMatter,
      markdown: parseSource(page.source).body,
      source: page.source,
      html: rendered.html,
      toc: rendered.toc,
      createdAt: page.createdAt.toISOString()
    }
  })

  app.get('/api/pages/:slug/revisions', { schema: { params: SlugParams } }, async (request, reply) => {
    const found = await wiki.resolve(request.params.slug)
    if (found.kind === 'moved') return reply.redirect(`/api/pages/${found.slug}/revisions`, 301)
    const { page, revisions } = await wiki.history(request.params.slug)
    return {
      slug: page.slug,
      current: page.revisionId.toHexString(),
      revisions: revisions.map(revision => ({
        id: revision._id.toHexString(),
        parent: revision.parentId?.toHexString() ?? null,
        kind: revision.kind,
        title: revision.title,
        slug: revision.slug,
        message: revision.message,
        author: revision.author,
        createdAt: revision.createdAt.toISOString()
      }))
    }
  })
}
