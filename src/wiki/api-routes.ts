import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { PageDocument } from './model.ts'
import type { PageRenderer } from '../markdown/page-renderer.ts'
import type { WikiService } from './service.ts'
import { assertCanRead, authorOf, seesLocalPages } from '../auth/visibility.ts'
import { parseSource } from '../markdown/front-matter.ts'
import { PageDeletedError, PageNotFoundError } from './errors.ts'
import { renderPageHtml } from './page-html.ts'
import { mergeNoteFor } from './save-notices.ts'
import { ApiCreateBody, ApiDeleteBody, ApiSaveBody, ListQuery, SlugParams } from './schemas.ts'

export interface ApiRoutesOptions {
  wiki: WikiService
  renderer: PageRenderer
  baseUrl: string
}

const API_PAGE_SIZE = 100

/** Pages as JSON; writing needs an editor's session or API token (`Authorization: Bearer`). */
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
    const { pages, total } = await wiki.listPages({ limit: API_PAGE_SIZE, skip: (pageNumber - 1) * API_PAGE_SIZE, includeLocal: seesLocalPages(request) })
    return { total, page: pageNumber, pageSize: API_PAGE_SIZE, pages: pages.map(summary) }
  })

  app.get('/api/pages/:slug', { schema: { params: SlugParams } }, async (request, reply) => {
    const found = await wiki.resolve(request.params.slug)
    if (found.kind === 'moved') return reply.redirect(`/api/pages/${found.slug}`, 301)
    if (found.kind === 'missing') throw new PageNotFoundError(request.params.slug)
    if (found.kind === 'deleted') throw new PageDeletedError(found.page)
    const page = found.page
    assertCanRead(request, page)
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
    assertCanRead(request, page)
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

  // Writing: the same service and checks as the editor; conflicts answer 409 with the current revision.
  app.post('/api/pages', { schema: { body: ApiCreateBody } }, async (request, reply) => {
    const body = request.body
    const page = await wiki.createPage({
      source: body.source,
      ...(body.title === undefined ? {} : { title: body.title }),
      ...(body.slug === undefined ? {} : { slug: body.slug }),
      message: body.message ?? '',
      author: authorOf(request),
      confirmPublication: body.confirmPublication ?? false,
      confirmConsent: body.confirmConsent ?? false
    })
    return await reply.code(201).header('Location', `/api/pages/${page.slug}`).send(summary(page))
  })

  app.put('/api/pages/:slug', { schema: { params: SlugParams, body: ApiSaveBody } }, async (request, reply) => {
    const body = request.body
    const result = await wiki.savePage(request.params.slug, {
      source: body.source,
      baseRevisionId: body.baseRevision,
      message: body.message ?? '',
      author: authorOf(request),
      confirmPublication: body.confirmPublication ?? false,
      mergeNote: mergeNoteFor(request),
      confirmConsent: body.confirmConsent ?? false
    })
    if (result.created) reply.code(201).header('Location', `/api/pages/${result.page.slug}`)
    // A save on an older revision that did not overlap the changes since is merged with them.
    const merged = result.merged === null ? {} : { mergedWith: { revision: result.merged.revisionId, number: result.merged.number, author: result.merged.author } }
    return { ...summary(result.page), changed: result.changed, merged: result.merged !== null, ...merged }
  })

  app.delete('/api/pages/:slug', { schema: { params: SlugParams, body: ApiDeleteBody } }, async (request) => {
    const page = await wiki.deletePage(request.params.slug, { message: request.body?.message ?? '', author: authorOf(request) })
    return { slug: page.slug, deleted: true, revision: page.revisionId.toHexString() }
  })
}
