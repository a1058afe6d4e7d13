import { fileURLToPath } from 'node:url'
import path from 'node:path'
import Fastify, { type FastifyInstance, type FastifyRequest, type FastifyServerOptions } from 'fastify'
import { carriesCredentials, authPlugin, withoutSecrets } from './auth/index.ts'
import { backlinksPlugin } from './backlinks/plugin.ts'
import type { AppConfig, TrustProxy } from './config/index.ts'
import { EventBus } from './events/index.ts'
import type { FederationEvents } from './federation/events.ts'
import { wantsActivityJson } from './federation/index.ts'
import { evidencePlugin } from './evidence/plugin.ts'
import { federationPlugin } from './federation/plugin.ts'
import { httpLayer } from './http/plugin.ts'
import { notificationsPlugin } from './notifications/plugin.ts'
import { hidingUrlSecrets } from './http/request-log.ts'
import { tileSources } from './http/security-headers.ts'
import { createLessonCheck, DEFAULT_LESSON_FIELDS, lessonsPlugin } from './lessons/index.ts'
import { displaySizesIn } from './media/index.ts'
import { mediaPlugin } from './media/plugin.ts'
import { allChecks, createPublishingCheck } from './publishing/check.ts'
import { createImageConsentCheck } from './publishing/consent.ts'
import { searchPlugin, type SearchTuning } from './search/plugin.ts'
import { commentsPlugin } from './conversation/plugin.ts'
import type { SettingsEvents } from './settings/events.ts'
import { settingsPlugin } from './settings/plugin.ts'
import { createSiteSettings, initialSettings, PROFILE_SETTINGS } from './settings/site-settings.ts'
import { openStore, type Store } from './store/index.ts'
import type { WikiEvents } from './wiki/events.ts'
import { wikiPlugin } from './wiki/plugin.ts'

/** Every event the domains declare: the wiki's page events, federation's remote ones and changed settings. */
export type AppEvents = WikiEvents & FederationEvents & SettingsEvents

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
  /** How often the digest loop looks for mails that are due, and a digest interval shorter than a minute: for tests. */
  notifications?: { digestCheckMs?: number, digestIntervalMs?: number }
  /** The sign-in lock-out's clock; tests move it past a wait or a lock. */
  auth?: { now?: () => Date }
}

declare module 'fastify' {
  interface FastifyInstance {
    events: EventBus<AppEvents>
    store: Store
  }
}

export async function buildApp (config: AppConfig, options: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    // Set-up and invitation links must not reach the log (anyone reading it could use them).
    logger: hidingUrlSecrets(options.logger ?? { level: config.logLevel }, withoutSecrets),
    bodyLimit: config.bodyLimit,
    // Long enough for any slug, short enough that a crafted URL cannot make routing costly.
    routerOptions: { maxParamLength: 300 },
    return503OnClosing: true,
    // Forwarding headers count only from the proxies TRUST_PROXY names: the client address
    // (rate limits, lock-out, audit) and https (session cookie, HSTS) come from them.
    trustProxy: proxyTrust(config.trustProxy),
    // A slow or stalled client cannot hold a connection or a request open for long.
    requestTimeout: config.requestTimeoutMs,
    connectionTimeout: config.requestTimeoutMs * 2,
    // Node's server takes these only when it is created. Set later, as Fastify does, its default 60 s
    // limit for headers stayed in force (it cut a body trickled at 1 byte/s too), checked every 30 s:
    // a 30 s setting cut such a request after 60 to 90 s. Checked each second, it is cut within a second.
    http: { requestTimeout: config.requestTimeoutMs, headersTimeout: config.requestTimeoutMs, connectionsCheckingInterval: 1000 },
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
    app.decorate('events', events)
    app.decorate('store', store)
    const lessonFields = config.lessons.fields ?? DEFAULT_LESSON_FIELDS
    const settings = await createSiteSettings({ db: store.db, initial: initialSettings(config), events, log: app.log })
    // Read per request from here on, so a change in the browser applies to the next request.
    const current = settings.current

    // Each layer is a named plugin that declares what it needs, so Fastify refuses a wrong order.
    await app.register(httpLayer, {
      root,
      bodyLimit: config.bodyLimit,
      siteName: () => current().siteName,
      secureTransport: config.auth.secureCookies,
      imageSources: () => tileSources(current().mapTileUrl ?? undefined),
      // Whole pages are kept for readers without credentials, by language. Kept answers are HTML:
      // a client that asks for ActivityPub or JSON-LD at the same address is answered fresh.
      readerOf: request => carriesCredentials(request) || wantsActivityJson(request.headers.accept) ? null : request.locale,
      // Signed-in people's pages are kept per session cookie while nothing is written; only the embedded engine tells of every write.
      ...(store.onChange === undefined
        ? {}
        : {
            personalOf: (request: FastifyRequest) => request.headers.authorization === undefined && carriesCredentials(request) && !wantsActivityJson(request.headers.accept) ? `${request.locale}\n${request.headers.cookie ?? ''}` : null,
            keepsPersonal: (request: FastifyRequest) => request.account !== null
          })
    })
    if (store.onChange !== undefined) {
      const stop = store.onChange(() => { app.readerCache.forgetPersonal() })
      app.addHook('onClose', async () => { stop() })
    }
    // Kept pages carry the site's name, the map and the security headers: a changed setting clears them too.
    for (const change of ['page.saved', 'page.deleted', 'remote.saved', 'remote.deleted', 'settings.changed'] as const) {
      events.on(change, () => {
        app.readerCache.clear()
        app.bodyCache.clear()
      })
    }
    await app.register(authPlugin, { config, now: options.auth?.now })
    await app.register(settingsPlugin, { settings, audit: app.auth.audit })
    const maxUploadBytes = (): number => current().uploadLimitMb * 1024 * 1024
    await app.register(mediaPlugin, {
      baseUrl: config.baseUrl,
      maxUploadBytes,
      // Wiki and federation register later; the texts are read when an admin cleans up.
      referencingTexts: async function * () {
        yield * app.wiki.revisionSources()
        yield * app.federation.remotePages.texts()
      }
    })
    await app.register(wikiPlugin, {
      events,
      checkSave: allChecks(createLessonCheck({ lessonFields }), createPublishingCheck(), createImageConsentCheck()),
      reviewRequired: () => current().reviewRequired,
      baseUrl: config.baseUrl,
      siteName: () => current().siteName,
      defaultVisibility: () => current().defaultVisibility,
      homePages: { de: 'willkommen', en: 'welcome' },
      fediverseHandle: `${config.federation.actorName}@${new URL(config.baseUrl).host}`,
      // Federation registers later; the list is asked for per request.
      remoteChanges: limit => app.federation.recentRemotePages(limit),
      imageSizes: async text => await displaySizesIn(app.media, text)
    })
    await app.register(lessonsPlugin, {
      lessonFields,
      baseUrl: config.baseUrl,
      siteName: () => current().siteName,
      mapTiles: () => ({ url: current().mapTileUrl, attribution: current().mapTileAttribution }),
      defaultVisibility: () => current().defaultVisibility,
      upload: { store: app.media, maxUploadBytes },
      // Federation registers later; lessons of followed organisations are asked for when the list is read.
      remoteLessons: async () => await app.federation.remoteLessons(),
      remoteLesson: async objectId => await app.federation.remoteLesson(objectId)
    })
    await app.register(federationPlugin, { config, settings: current, events, ...options.federation })
    // The same path as a start with a changed profile: the stored actor is updated and the followers get an Update.
    events.on('settings.changed', async ({ changes }) => {
      if (changes.some(change => PROFILE_SETTINGS.includes(change.name))) await app.federation.core.refreshProfile()
    })
    await app.register(commentsPlugin, { config })
    await app.register(backlinksPlugin, { events, baseUrl: config.baseUrl })
    const mail = config.notifications.smtpUrl
    await app.register(notificationsPlugin, {
      events,
      baseUrl: config.baseUrl,
      siteName: () => current().siteName,
      lessonFields,
      keepDays: config.notifications.keepDays,
      mail: mail === undefined ? undefined : { smtpUrl: mail, from: config.notifications.mailFrom, intervalMs: options.notifications?.digestIntervalMs ?? config.notifications.digestIntervalMs, checkMs: options.notifications?.digestCheckMs }
    })
    await app.register(evidencePlugin, { lessonFields, baseUrl: config.baseUrl, siteName: () => current().siteName })
    await app.register(searchPlugin, {
      dataDir: config.dataDir,
      pages: { versions: app.wiki.pageVersions, snapshots: app.wiki.pageSnapshots },
      remotePages: app.federation.remotePages,
      events,
      baseUrl: config.baseUrl,
      ...options.search
    })
  } catch (error) {
    await app.close()
    throw error
  }
  return app
}

/**
 * Fastify since 5.8 trusts nobody for a bare number (a hop count cannot tell a proxy from a
 * client that bypasses it); TRUST_PROXY's hop count keeps the documented meaning, the count
 * of hops in front of the app, for set-ups where the app is reachable only through them.
 */
function proxyTrust (trust: TrustProxy): FastifyServerOptions['trustProxy'] {
  if (typeof trust !== 'number') return trust
  return (_address: string, hop: number) => hop < trust
}
