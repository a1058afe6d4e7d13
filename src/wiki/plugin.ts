import type { FastifyInstance } from 'fastify'
import fastifyPlugin from 'fastify-plugin'
import { showsHeader } from '../auth/access.ts'
import { hasRole } from '../auth/roles.ts'
import type { EventBus } from '../events/index.ts'
import type { Locale } from '../i18n/index.ts'
import type { Visibility } from '../markdown/front-matter.ts'
import type { ImageSizes } from '../markdown/image-sizes.ts'
import { createPageRenderer, type PageRenderer } from '../markdown/page-renderer.ts'
import { createMarkdownRenderer } from '../markdown/render.ts'
import { createRenderThread } from '../markdown/render-thread.ts'
import type { SaveCheck } from '../publishing/check.ts'
import { apiRoutes } from './api-routes.ts'
import { registerWikiErrorPages } from './error-pages.ts'
import type { WikiEvents } from './events.ts'
import type { PageExtras, PageSlots } from './page-extras.ts'
import { reviewRoutes } from './review-routes.ts'
import { wikiRoutes } from './routes.ts'
import { createWikiService, type WikiService } from './service.ts'
import { titleSuggestionRoutes } from './title-suggestions.ts'
import { siteRoutes, type SiteRoutesOptions } from './site-routes.ts'

export type { PageExtras, PageSlots } from './page-extras.ts'

export interface WikiPluginOptions {
  events: EventBus<WikiEvents>
  /** Runs before a page is stored: lesson fields, the publishing check. */
  checkSave: SaveCheck
  /** The settings are asked per request: an admin may change them while the app runs. */
  reviewRequired: () => boolean
  baseUrl: string
  siteName: () => string
  /** The visibility the new-page form proposes. */
  defaultVisibility: () => Visibility
  /** The page shown as the home page, per interface language. */
  homePages: Record<Locale, string>
  /** Pages received from other organisations, for recent changes (federation registers later). */
  remoteChanges: SiteRoutesOptions['remoteChanges']
  /** The organisation's fediverse handle (wiki@host), shown on the home page. */
  fediverseHandle?: string
  /** Sizes of the stored images a text shows, for their display sizes (the media store knows them). */
  imageSizes?: (text: string) => Promise<ImageSizes>
}

declare module 'fastify' {
  interface FastifyInstance {
    wiki: WikiService
    /** Markdown to HTML for pages and revisions, with wiki links resolved and results kept. */
    pageRenderer: PageRenderer
    /** What other domains add to the page view; each adds its own. */
    pageExtras: PageExtras[]
    /** Per-request values inside kept page views (a form's time stamp). */
    pageSlots: PageSlots[]
  }
}

/** Pages, revisions, review and the wiki's own routes: the home page, feeds, the page views and the JSON API. */
export const wikiPlugin = fastifyPlugin(async (app: FastifyInstance, options: WikiPluginOptions) => {
  const { events } = options
  const wiki = createWikiService({ db: app.store.db, events, checkSave: options.checkSave, reviewRequired: options.reviewRequired })
  await wiki.ensureIndexes()
  const thread = createRenderThread()
  app.addHook('onClose', async () => { await thread.close() })
  const renderer = createPageRenderer({ renderer: createMarkdownRenderer(), thread, existingSlugs: async slugs => await wiki.existingSlugs(slugs), imageSizes: options.imageSizes })
  // Pages appearing, moving or disappearing change which wiki links lead somewhere.
  events.on('page.saved', event => { if (event.kind !== 'edit' && event.kind !== 'revert') renderer.forgetLinkTargets() })
  events.on('page.deleted', () => { renderer.forgetLinkTargets() })
  const pageExtras: PageExtras[] = []
  app.decorate('wiki', wiki)
  app.decorate('pageRenderer', renderer)
  app.decorate('pageExtras', pageExtras)
  const pageSlots: PageSlots[] = []
  app.decorate('pageSlots', pageSlots)
  registerWikiErrorPages(app)

  // Reviewers see in the header how many pages wait for them. Auth knows the person but not
  // the wiki, so the wiki adds the count to what templates get; files, JSON and other servers need none.
  app.addHook('preHandler', async (request, reply) => {
    const account = request.account
    if (account === null || request.viaToken || !hasRole(account.role, 'reviewer')) return
    const route = request.routeOptions.url ?? ''
    if (!showsHeader(route)) return
    reply.locals = { ...reply.locals, reviewCount: await wiki.countPendingReviews() }
  })

  const readerCache = app.readerCache
  await app.register(siteRoutes, {
    remoteChanges: options.remoteChanges,
    wiki,
    renderer,
    baseUrl: options.baseUrl,
    siteName: options.siteName,
    homePages: options.homePages,
    fediverseHandle: options.fediverseHandle,
    readerCache
  })
  const extrasOf: PageExtras = async (request, page, view) => {
    let extras: Record<string, unknown> = {}
    for (const extra of pageExtras) extras = { ...extras, ...await extra(request, page, view) }
    return extras
  }
  await app.register(wikiRoutes, { wiki, renderer, defaultLanguage: 'de', defaultVisibility: options.defaultVisibility, pageExtras: extrasOf, pageSlots: (request, page) => Object.assign({}, ...pageSlots.map(slots => slots(request, page))), readerCache, bodyCache: app.bodyCache })
  await app.register(apiRoutes, { wiki, renderer, baseUrl: options.baseUrl })
  await app.register(titleSuggestionRoutes, { wiki })
  await app.register(reviewRoutes, { wiki, audit: app.auth.audit, reviewRequired: options.reviewRequired })
}, { name: 'praxiswiki-wiki', fastify: '5.x', dependencies: ['praxiswiki-http', 'praxiswiki-auth'] })
