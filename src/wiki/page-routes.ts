import { createHash } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { composeSource, DEFAULT_VISIBILITY, FrontMatterError, parseSource, withTitle, type Visibility } from '../markdown/front-matter.ts'
import { assertCanRead, authorOf, seesLocalPages } from '../auth/visibility.ts'
import { MissingTitleError, PageNotFoundError } from './errors.ts'
import type { PageDocument } from './model.ts'
import type { PageRenderer } from '../markdown/page-renderer.ts'
import { saveFeedback, type SaveFeedback } from './save-feedback.ts'
import { mergeNoteFor, noticeAfterSave, reviewWaitingFor } from './save-notices.ts'
import type { WikiService } from './service.ts'
import { slugifyTitle, slugProblem } from '../markdown/slug.ts'
import { wantsHtml } from '../http/error-handler.ts'
import { render, renderFramed } from '../http/context.ts'
import type { BodyCache } from '../http/body-cache.ts'
import { renderPageHtml } from './page-html.ts'
import { snapshotOf, type PageExtras, type PageSlots } from './page-extras.ts'
import type { ReaderCache } from '../http/reader-cache.ts'
import { varyOn } from '../http/transfer.ts'
import { CreateBody, ListQuery, MessageBody, NoBody, RenameBody, SaveBody, SlugParams, TitleQuery } from './schemas.ts'

export interface PageRoutesOptions {
  wiki: WikiService
  renderer: PageRenderer
  defaultLanguage: string
  /** The visibility a new page's front matter starts with (a setting); its author may change it. */
  defaultVisibility?: () => Visibility
  /** More for the page view of some pages (a lesson's fact box); nothing for the rest. */
  pageExtras?: PageExtras
  pageSlots?: PageSlots
  /** Keeps whole page answers for readers who are not signed in. */
  readerCache?: ReaderCache
  /** Keeps the main part of page views per reader, signed in or not. */
  bodyCache?: BodyCache
}

/** What the editor's preview shows. */
export interface EditorPreview {
  title: string
  summary: string
  language: string
  html: string
  /** What other domains show with the page (a lesson's fact box), as for an old revision. */
  extras: Record<string, unknown>
}

const PAGE_SIZE = 100

/** Reading, creating, editing, renaming, deleting and restoring pages. */
export async function pageRoutes (parent: FastifyInstance, options: PageRoutesOptions): Promise<void> {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>()
  const { wiki, renderer } = options

  const renderPage = async (request: FastifyRequest, page: PageDocument) => await renderPageHtml(renderer, request, page)

  /**
   * The page as saving would make it, shown above the editor; nothing is stored and no
   * publishing check runs. Front matter the save would refuse throws the same error here.
   */
  const previewOf = async (request: FastifyRequest, source: string, title: string, slug = ''): Promise<EditorPreview> => {
    const { fields } = parseSource(source)
    const language = fields.language ?? request.locale
    const rendered = await renderer.render({
      revisionId: `preview:${createHash('sha256').update(source).digest('hex')}`,
      source,
      language,
      locale: request.locale,
      missingPageTitle: request.t('page.missingLink')
    })
    const extras = await options.pageExtras?.(request, snapshotOf(source, { slug, title, language }), 'snapshot') ?? {}
    return { title: fields.title ?? title, summary: fields.summary ?? '', language, html: rendered.html, extras }
  }

  const newPageEditor = async (request: FastifyRequest, reply: FastifyReply, form: { title: string, source: string, message: string, error?: string, errorField?: 'title' | 'source', feedback?: SaveFeedback, preview?: EditorPreview }) =>
    await render(request, reply, 'editor', {
      title: request.t('editor.newHeading'),
      heading: request.t('editor.newHeading'),
      action: '/wiki',
      askTitle: true,
      titleValue: form.title,
      baseRevision: '',
      source: form.source,
      message: form.message,
      cancelHref: '/',
      error: form.error ?? form.feedback?.error,
      errorField: form.errorField ?? 'source',
      details: form.feedback?.details ?? [],
      findings: form.feedback?.findings ?? [],
      consentImages: form.feedback?.consentImages ?? [],
      preview: form.preview ?? null,
      noindex: true
    })

  /** A slug someone typed by hand (capitals, umlauts) answers with its canonical form. */
  const canonicalRedirect = (slug: string, suffix: string, reply: FastifyReply): FastifyReply | null => {
    if (slugProblem(slug) === null) return null
    const canonical = slugifyTitle(slug)
    if (canonical !== slug && slugProblem(canonical) === null) return reply.redirect(`/wiki/${canonical}${suffix}`, 301)
    return null
  }

  const editorSource = (request: FastifyRequest, title: string | null): string => {
    // The new-page form has its own title field, so its front matter leaves the title out.
    const data = { ...(title === null ? {} : { title }), language: request.locale, tags: [], summary: '', visibility: options.defaultVisibility?.() ?? DEFAULT_VISIBILITY }
    return composeSource(data, '\n')
  }

  const kept = options.readerCache === undefined ? {} : { onSend: options.readerCache.keep }

  app.get('/wiki', { schema: { querystring: ListQuery }, ...kept }, async (request, reply) => {
    const pageNumber = request.query.page ?? 1
    const { pages, total } = await wiki.listPages({ limit: PAGE_SIZE, skip: (pageNumber - 1) * PAGE_SIZE, includeLocal: seesLocalPages(request) })
    return await render(request, reply, 'pages', {
      title: request.t('pages.heading'),
      heading: request.t('pages.heading'),
      pages,
      previousHref: pageNumber > 1 ? `/wiki?page=${pageNumber - 1}` : null,
      nextHref: pageNumber * PAGE_SIZE < total ? `/wiki?page=${pageNumber + 1}` : null
    })
  })

  app.get('/wiki/new', { schema: { querystring: TitleQuery } }, async (request, reply) => {
    return await newPageEditor(request, reply, { title: request.query.title ?? '', source: editorSource(request, null), message: '' })
  })

  app.post('/wiki', { schema: { body: CreateBody } }, async (request, reply) => {
    const { title, source, message } = request.body
    try {
      if (request.body.action === 'preview') {
        return await newPageEditor(request, reply, { title, source, message: message ?? '', preview: await previewOf(request, source, title.trim()) })
      }
      // The title field is written into the front matter, so the stored text names its own title.
      const withFormTitle = title.trim() !== '' && parseSource(source).fields.title === undefined ? withTitle(source, title.trim()) : source
      const page = await wiki.createPage({ title, source: withFormTitle, message: message ?? '', author: authorOf(request), language: request.locale, confirmPublication: request.body.confirmPublication === 'yes', confirmConsent: request.body.confirmConsent === 'yes' })
      noticeAfterSave(request, { page, changed: true, created: true, merged: null })
      return reply.redirect(`/wiki/${page.slug}`, 303)
    } catch (error) {
      // A program posting the form gets the error handler's JSON, as from the API.
      if (!wantsHtml(request)) throw error
      const feedback = saveFeedback(request, error)
      if (feedback !== null) {
        reply.code(feedback.status)
        return await newPageEditor(request, reply, { title, source, message: message ?? '', feedback })
      }
      if (!(error instanceof FrontMatterError) && !(error instanceof MissingTitleError)) throw error
      reply.code(400)
      return await newPageEditor(request, reply, { title, source, message: message ?? '', error: errorText(request, error), errorField: error instanceof MissingTitleError ? 'title' : 'source' })
    }
  })

  app.get('/wiki/:slug', { schema: { params: SlugParams }, ...kept }, async (request, reply) => {
    const { slug } = request.params
    const redirect = canonicalRedirect(slug, '', reply)
    if (redirect !== null) return redirect
    const found = await wiki.resolve(slug)
    if (found.kind === 'moved') return reply.redirect(`/wiki/${found.slug}`, 301)
    if (found.kind === 'missing') {
      reply.code(404)
      return await render(request, reply, 'missing', { title: request.t('missing.title'), slug, titleQuery: '', noindex: true })
    }
    if (found.kind === 'deleted') {
      reply.code(410)
      return await render(request, reply, 'deleted', { title: request.t('deleted.title'), page: found.page, noindex: true })
    }
    const page = found.page
    assertCanRead(request, page)
    if (page.fields.visibility !== 'public') reply.header('X-Robots-Tag', 'noindex')
    // The same address answers ActivityPub clients with the Article.
    varyOn(reply, 'Accept')
    // The main part is the same for one reader until the wiki changes (which clears the cache); the frame around it is rendered each time.
    const reader = request.account === null ? '' : `${request.account.username} ${request.account.role}`
    // Whole answers are kept per session for people signed in by it; everyone else gets the reader cache or a fresh frame.
    const session = request.account === null || request.viaToken ? null : request.session.sessionId
    return await renderFramed(request, reply, {
      template: 'page',
      frame: { title: page.title, noindex: page.fields.visibility !== 'public' },
      data: async () => ({ ...await options.pageExtras?.(request, page, 'page') ?? {}, page, rendered: await renderPage(request, page), reviewWaiting: reviewWaitingFor(request, page) }),
      slots: options.pageSlots?.(request, page),
      ...(options.bodyCache === undefined ? {} : { keep: { cache: options.bodyCache, key: `${reader}\n${request.locale}\n${page.revisionId.toHexString()}\n${page.slug}`, session } })
    })
  })

  app.get('/wiki/:slug/edit', { schema: { params: SlugParams, querystring: TitleQuery } }, async (request, reply) => {
    const { slug } = request.params
    const redirect = canonicalRedirect(slug, '/edit', reply)
    if (redirect !== null) return redirect
    const found = await wiki.resolve(slug)
    if (found.kind === 'moved') return reply.redirect(`/wiki/${found.slug}/edit`, 301)
    if (found.kind === 'deleted') {
      reply.code(410)
      return await render(request, reply, 'deleted', { title: request.t('deleted.title'), page: found.page, noindex: true })
    }
    if (found.kind === 'missing') {
      if (slugProblem(slug) !== null) throw new PageNotFoundError(slug)
      const title = request.query.title?.trim() || slug
      return await render(request, reply, 'editor', {
        title: request.t('editor.createHeading', { title }),
        heading: request.t('editor.createHeading', { title }),
        action: `/wiki/${slug}`,
        askTitle: false,
        baseRevision: '',
        source: editorSource(request, title),
        message: '',
        cancelHref: '/',
        noindex: true
      })
    }
    const page = found.page
    return await render(request, reply, 'editor', {
      title: request.t('editor.editHeading', { title: page.title }),
      heading: request.t('editor.editHeading', { title: page.title }),
      action: `/wiki/${page.slug}`,
      askTitle: false,
      baseRevision: page.revisionId.toHexString(),
      source: page.source,
      message: '',
      cancelHref: `/wiki/${page.slug}`,
      noindex: true
    })
  })

  app.post('/wiki/:slug', { schema: { params: SlugParams, body: SaveBody } }, async (request, reply) => {
    const { slug } = request.params
    const { source, baseRevision, message } = request.body
    // The base revision goes back into the form unchanged, so saving after a preview still finds conflicts.
    const editor = (extra: Record<string, unknown> & { title: string }) => ({
      heading: request.t('editor.editHeading', { title: slug }),
      action: `/wiki/${slug}`,
      askTitle: false,
      baseRevision,
      source,
      message: message ?? '',
      cancelHref: `/wiki/${slug}`,
      noindex: true,
      ...extra
    })
    try {
      if (request.body.action === 'preview') {
        const preview = await previewOf(request, source, slug, slug)
        return await render(request, reply, 'editor', editor({ title: request.t('editor.previewTitle', { title: preview.title }), heading: request.t('editor.editHeading', { title: preview.title }), preview }))
      }
      const result = await wiki.savePage(slug, { source, baseRevisionId: baseRevision === '' ? null : baseRevision, message: message ?? '', author: authorOf(request), confirmPublication: request.body.confirmPublication === 'yes', confirmConsent: request.body.confirmConsent === 'yes', mergeNote: mergeNoteFor(request) })
      noticeAfterSave(request, result)
      return reply.redirect(`/wiki/${result.page.slug}`, 303)
    } catch (error) {
      if (!wantsHtml(request)) throw error
      const feedback = saveFeedback(request, error)
      if (feedback === null && !(error instanceof FrontMatterError) && !(error instanceof MissingTitleError)) throw error
      reply.code(feedback?.status ?? 400)
      return await render(request, reply, 'editor', editor({
        title: request.t('editor.errorHeading'),
        error: feedback?.error ?? errorText(request, error as FrontMatterError | MissingTitleError),
        errorField: 'source',
        details: feedback?.details ?? [],
        findings: feedback?.findings ?? [],
        consentImages: feedback?.consentImages ?? []
      }))
    }
  })

  app.get('/wiki/:slug/rename', { schema: { params: SlugParams } }, async (request, reply) => {
    const page = await wiki.requirePage(request.params.slug)
    return await render(request, reply, 'rename', { title: request.t('rename.heading', { title: page.title }), page, noindex: true })
  })

  app.post('/wiki/:slug/rename', { schema: { params: SlugParams, body: RenameBody } }, async (request, reply) => {
    const page = await wiki.renamePage(request.params.slug, { title: request.body.title, baseRevisionId: request.body.baseRevision, author: authorOf(request) })
    return reply.redirect(`/wiki/${page.slug}`, 303)
  })

  app.get('/wiki/:slug/delete', { schema: { params: SlugParams } }, async (request, reply) => {
    const page = await wiki.requirePage(request.params.slug)
    return await render(request, reply, 'delete', { title: request.t('delete.heading', { title: page.title }), page, noindex: true })
  })

  app.post('/wiki/:slug/delete', { schema: { params: SlugParams, body: MessageBody } }, async (request, reply) => {
    const page = await wiki.deletePage(request.params.slug, { message: request.body.message ?? '', author: authorOf(request) })
    return reply.redirect(`/wiki/${page.slug}`, 303)
  })

  app.post('/wiki/:slug/restore', { schema: { params: SlugParams, body: NoBody } }, async (request, reply) => {
    const page = await wiki.restorePage(request.params.slug, { author: authorOf(request) })
    return reply.redirect(`/wiki/${page.slug}`, 303)
  })
}

function errorText (request: FastifyRequest, error: FrontMatterError | MissingTitleError): string {
  return request.t(error.messageKey, error.messageParams())
}
