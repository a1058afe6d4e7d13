import { fileURLToPath } from 'node:url'
import path from 'node:path'
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import formbody from '@fastify/formbody'
import fastifyStatic from '@fastify/static'
import view from '@fastify/view'
import { Eta } from 'eta'
import type { AppConfig } from './config/index.ts'
import { EventBus } from './events/index.ts'
import { createLessonCheck, createLessonService, lessonPageExtras, lessonsPlugin } from './lessons/index.ts'
import { allChecks, createPublishingCheck } from './publishing/check.ts'
import { registerWikiErrorPages } from './wiki/error-pages.ts'
import { registerAuthErrorPages } from './auth/error-pages.ts'
import { carriesCredentials, setupAuth } from './auth/index.ts'
import { setupFederation, wantsActivityJson } from './federation/index.ts'
import { createMarkdownRenderer } from './markdown/render.ts'
import { registerSearch, type SearchTuning } from './search/plugin.ts'
import { openStore, type Store } from './store/index.ts'
import type { FederationEvents } from './federation/events.ts'
import type { WikiEvents } from './wiki/events.ts'

/** Every event the domains declare: the wiki's page events and federation's remote ones. */
export type AppEvents = WikiEvents & FederationEvents
import { createPageRenderer } from './markdown/page-renderer.ts'
import { createWikiService, type WikiService } from './wiki/service.ts'
import { apiRoutes } from './wiki/api-routes.ts'
import { registerViewContext } from './http/context.ts'
import { registerErrorHandler } from './http/error-handler.ts'
import { helpRoutes } from './lessons/help-routes.ts'
import { localeRoutes } from './http/locale.ts'
import { createReaderCache } from './http/reader-cache.ts'
import { siteRoutes } from './wiki/site-routes.ts'
import { registerTransfer } from './http/transfer.ts'
import { wikiRoutes } from './wiki/routes.ts'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

export interface BuildOptions {
  /** An already opened store; the caller keeps ownership and closes it. */
  store?: Store
  /** Subscribe to `page.saved` / `page.deleted` here. */
  events?: EventBus<AppEvents>
  logger?: FastifyServerOptions['logger']
  /** Search workers, shard size and batching delay; tests use small values. */
  search?: SearchTuning
  /** Federation tuning for tests, e.g. a short delivery retry schedule. */
  federation?: { retryDelaysMs?: number[] }
}

declare module 'fastify' {
  interface FastifyInstance {
    wiki: WikiService
    events: EventBus<AppEvents>
    store: Store
  }
}

export async function buildApp (config: AppConfig, options: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? { level: config.logLevel },
    bodyLimit: config.bodyLimit,
    // Long enough for any slug, short enough that a crafted URL cannot make routing costly.
    routerOptions: { maxParamLength: 300 },
    return503OnClosing: true,
    // A slow or stalled client cannot hold a connection or a request open for long.
    requestTimeout: config.requestTimeoutMs,
    connectionTimeout: config.requestTimeoutMs * 2,
    // Unknown fields are refused with a 400 (schemas say additionalProperties: false), not quietly dropped.
    ajv: { customOptions: { removeAdditional: false } }
  })

  const ownsStore = options.store === undefined
  const store = options.store ?? await openStore(config.mongodbUri === undefined ? { dataDir: config.dataDir } : { mongodbUri: config.mongodbUri })
  if (ownsStore) app.addHook('onClose', async () => { await store.close() })

  try {
    const events = options.events ?? new EventBus<AppEvents>({
      onError: (error, event) => { app.log.error({ err: error, event }, 'event subscriber failed') }
    })
    const wiki = createWikiService({ db: store.db, events, checkSave: allChecks(createLessonCheck({ lessonFields: config.lessons.fields }), createPublishingCheck()), reviewRequired: config.auth.reviewRequired })
    await wiki.ensureIndexes()
    const markdown = createMarkdownRenderer()
    const renderer = createPageRenderer({ renderer: markdown, existingSlugs: async slugs => await wiki.existingSlugs(slugs) })
    // Pages appearing, moving or disappearing change which wiki links lead somewhere.
    events.on('page.saved', event => { if (event.kind !== 'edit' && event.kind !== 'revert') renderer.forgetLinkTargets() })
    events.on('page.deleted', () => { renderer.forgetLinkTargets() })
    // Whole pages for readers without credentials; what they see depends on their language alone.
    // Its hook comes first, so a kept page goes out before sessions, security headers or handlers are at work.
    const readerCache = createReaderCache({
      // Kept answers are HTML: a client that asks for ActivityPub or JSON-LD at the same address is answered fresh.
      readerOf: request => carriesCredentials(request) || wantsActivityJson(request.headers.accept) ? null : request.locale
    })
    app.addHook('onRequest', readerCache.serve)
    for (const change of ['page.saved', 'page.deleted', 'remote.saved', 'remote.deleted'] as const) events.on(change, () => { readerCache.clear() })
    app.decorate('wiki', wiki)
    app.decorate('events', events)
    app.decorate('store', store)

    await registerTransfer(app)
    await app.register(formbody, { bodyLimit: config.bodyLimit })
    await app.register(fastifyStatic, {
      root: path.join(root, 'static'),
      prefix: '/static/',
      // The stylesheet URL carries a content hash, so browsers may keep it for a year.
      maxAge: '365d',
      immutable: true,
      index: false,
      dotfiles: 'deny'
    })
    await app.register(view, {
      engine: { eta: new Eta({ autoEscape: true, cache: true }) },
      root: path.join(root, 'views'),
      production: true
    })
    registerViewContext(app, { siteName: config.siteName, stylesheetPath: path.join(root, 'static', 'style.css') })
    registerErrorHandler(app)
    registerWikiErrorPages(app)
    registerAuthErrorPages(app)
    await setupAuth(app, { config, wiki })

    await app.register(siteRoutes, {
      // Federation is set up further down; the list is asked for per request.
      remoteChanges: limit => app.federation.recentRemotePages(limit),
      wiki,
      renderer,
      baseUrl: config.baseUrl,
      siteName: config.siteName,
      homePages: { de: 'willkommen', en: 'welcome' },
      readerCache
    })
    await app.register(localeRoutes)
    await app.register(helpRoutes)
    const lessons = createLessonService({ wiki })
    await app.register(wikiRoutes, { wiki, renderer, defaultLanguage: 'de', pageExtras: lessonPageExtras(lessons), readerCache })
    await app.register(lessonsPlugin, { wiki, lessons, renderer, lessonFields: config.lessons.fields, baseUrl: config.baseUrl, siteName: config.siteName, mapTileUrl: config.lessons.mapTileUrl, mapTileAttribution: config.lessons.mapTileAttribution, readerCache })
    await app.register(apiRoutes, { wiki, renderer, baseUrl: config.baseUrl })
    await setupFederation(app, { config, wiki, events, renderer, ...options.federation })
    await registerSearch(app, { dataDir: config.dataDir, pages: { versions: wiki.pageVersions, snapshots: wiki.pageSnapshots }, remotePages: app.federation.remotePages, events, baseUrl: config.baseUrl, ...options.search })
  } catch (error) {
    await app.close()
    throw error
  }
  return app
}
