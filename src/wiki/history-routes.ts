import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { FrontMatterError, parseSource } from '../markdown/front-matter.ts'
import { imagesAwaitingConsent } from '../publishing/consent.ts'
import { assertCanRead, authorOf } from '../auth/visibility.ts'
import { formatDate } from '../i18n/index.ts'
import type { RevisionDocument } from './model.ts'
import type { PageRenderer } from '../markdown/page-renderer.ts'
import { saveFeedback, type SaveFeedback } from './save-feedback.ts'
import { noticeAfterRevert } from './save-notices.ts'
import type { WikiService } from './service.ts'
import { wantsHtml } from '../http/error-handler.ts'
import { render } from '../http/context.ts'
import { renderPageHtml } from './page-html.ts'
import { snapshotOf, type PageExtras } from './page-extras.ts'
import { DiffQuery, RevertBody, RevisionParams, SlugParams } from './schemas.ts'

/** A page's history, one revision, the diff between two, and reverting to an earlier text. */
export async function historyRoutes (parent: FastifyInstance, options: { wiki: WikiService, renderer: PageRenderer, pageExtras?: PageExtras }): Promise<void> {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>()
  const { wiki, renderer } = options

  app.get('/wiki/:slug/history', { schema: { params: SlugParams } }, async (request, reply) => {
    const { slug } = request.params
    const found = await wiki.resolve(slug)
    if (found.kind === 'moved') return reply.redirect(`/wiki/${found.slug}/history`, 301)
    const { page, revisions } = await wiki.history(slug)
    assertCanRead(request, page)
    return await render(request, reply, 'history', { title: request.t('history.heading', { title: page.title }), page, revisions, noindex: true })
  })

  /** One revision, with the revert button; a refused revert shows why here, beside the text it would bring back. */
  const revisionView = async (request: FastifyRequest, reply: FastifyReply, slug: string, revisionId: string, feedback?: SaveFeedback) => {
    const revision = await wiki.getRevision(slug, revisionId)
    const page = await wiki.requireAnyPage(slug)
    assertCanRead(request, page)
    const rendered = await renderPageHtml(renderer, request, { source: revision.source, language: page.language, revisionId: revision._id })
    // A revision's front matter was accepted when it was saved; should an older rule refuse it now, the text still shows.
    const snapshot = safely(() => snapshotOf(revision.source, { slug: page.slug, title: revision.title, language: page.language, createdAt: page.createdAt, updatedAt: revision.createdAt }))
    const extras = snapshot === null ? {} : await options.pageExtras?.(request, snapshot, 'snapshot') ?? {}
    const isCurrent = revision._id.equals(page.revisionId)
    // Reverting publishes the old text anew: the images it would bring to an outward page are asked about
    // beside the button, before the save check has to refuse it (as the check itself would count them).
    const parsed = isCurrent || page.deletedAt !== null ? null : safely(() => parseSource(revision.source))
    const consentImages = parsed === null ? [] : imagesAwaitingConsent({ source: revision.source, parsed, previous: page })
    if (feedback !== undefined) reply.code(feedback.status)
    return await render(request, reply, 'revision', {
      ...extras,
      title: request.t('revision.title', { title: revision.title, date: formatDate(revision.createdAt, request.locale) }),
      page,
      revision,
      rendered,
      isCurrent,
      error: feedback?.error,
      details: feedback?.details ?? [],
      findings: feedback?.findings ?? [],
      consentImages,
      noindex: true
    })
  }

  app.get('/wiki/:slug/revisions/:revisionId', { schema: { params: RevisionParams } }, async (request, reply) => {
    const { slug, revisionId } = request.params
    const found = await wiki.resolve(slug)
    if (found.kind === 'moved') return reply.redirect(`/wiki/${found.slug}/revisions/${encodeURIComponent(revisionId)}`, 301)
    return await revisionView(request, reply, slug, revisionId)
  })

  app.get('/wiki/:slug/diff', { schema: { params: SlugParams, querystring: DiffQuery } }, async (request, reply) => {
    const { slug } = request.params
    const found = await wiki.resolve(slug)
    if (found.kind === 'moved') return reply.redirect(`/wiki/${found.slug}/diff`, 301)
    const { page, revisions } = await wiki.history(slug)
    assertCanRead(request, page)
    const to = request.query.to ?? page.revisionId.toHexString()
    // Without "from", compare with the revision before "to", as a history link would.
    const from = request.query.from ?? (await wiki.getRevision(slug, to)).parentId?.toHexString() ?? to
    const result = await wiki.diff(slug, from, to)
    return await render(request, reply, 'diff', {
      title: request.t('diff.heading', { title: page.title }),
      page,
      revisions,
      from: result.from,
      to: result.to,
      diff: result.diff,
      noindex: true
    })
  })

  app.post('/wiki/:slug/revert', { schema: { params: SlugParams, body: RevertBody } }, async (request, reply) => {
    const { slug } = request.params
    const target: RevisionDocument = await wiki.getRevision(slug, request.body.revision)
    try {
      const page = await wiki.revertPage(slug, {
        revisionId: request.body.revision,
        baseRevisionId: request.body.baseRevision,
        author: authorOf(request),
        message: request.t('revision.revertMessage', { date: formatDate(target.createdAt, request.locale) }),
        confirmPublication: request.body.confirmPublication === 'yes',
        confirmConsent: request.body.confirmConsent === 'yes'
      })
      noticeAfterRevert(request, target.createdAt)
      return reply.redirect(`/wiki/${page.slug}`, 303)
    } catch (error) {
      if (!wantsHtml(request)) throw error
      const feedback = saveFeedback(request, error)
      if (feedback === null) throw error
      return await revisionView(request, reply, slug, request.body.revision, feedback)
    }
  })
}

function safely<T> (make: () => T): T | null {
  try {
    return make()
  } catch (error) {
    if (error instanceof FrontMatterError) return null
    throw error
  }
}
