import fastifyExpress from '@fastify/express'
import type { FastifyInstance, FastifyReply } from 'fastify'
import type { AppConfig } from '../config/index.ts'
import type { SiteSettings } from '../settings/site-settings.ts'
import type { FederationEventBus, RemotePageSnapshot } from './events.ts'
import type { PageRenderer } from '../markdown/page-renderer.ts'
import type { WikiService } from '../wiki/service.ts'
import { createApexCore, type FederationCore } from './core.ts'
import { version } from './version.ts'
import { ensureDeliveryIndexes } from './delivery.ts'
import { createDomainBlocks, type DomainBlocks } from './blocks.ts'
import { createFollows, type Follows } from './follows.ts'
import { createRemoteHttp, type RemoteHttp } from './http.ts'
import { createSignatureChoice } from './signature-choice.ts'
import { createInboxHandler, type InboxHandler, type InboxMessage } from './inbox.ts'
import { createPublisher, type Publisher } from './publisher.ts'
import { createQuotes } from './quotes.ts'
import { ensureRemotePageIndexes, latestRemotePages, remotePageSnapshots, remotePageVersions } from './remote-pages.ts'
import { createApexRouter } from './activitypub-endpoints.ts'
import type { RemoteLessonRecord } from '../lessons/index.ts'
import { remoteLessonRecordOf, remoteLessonRecords } from './remote-lesson-records.ts'
import { federationAdminRoutes } from './admin-routes.ts'
import { createFollowScopes } from './follow-scopes.ts'
import { followingApiRoutes } from './following-api-routes.ts'
import { registerArticleNegotiation } from './article-negotiation.ts'
import { remotePageRoutes } from './remote-page-routes.ts'
import { remoteImageCopier } from './remote-image-copier.ts'
import { remotePageTexts } from './remote-page-texts.ts'

export { wantsActivityJson } from './article-negotiation.ts'

export interface Federation {
  core: FederationCore
  follows: Follows
  publisher: Publisher
  inbox: InboxHandler
  http: RemoteHttp
  /** Domain blocks from the settings and the admin page. */
  blocks: DomainBlocks
  /** Whether a host is refused. */
  isBlocked: (host: string) => boolean
  /** The latest pages received from other organisations, for recent changes. */
  recentRemotePages: (limit: number) => Promise<Array<{ localUrl: string, title: string, organisation: string, origin: string, updated: Date }>>
  /** The lessons received from other organisations, for the lessons domain's lists, charts and exports. */
  remoteLessons: () => Promise<RemoteLessonRecord[]>
  /** One of them by its ActivityPub id, as `remote.saved` and `remote.deleted` name it; null when gone. */
  remoteLesson: (objectId: string) => Promise<RemoteLessonRecord | null>
  /** The pages received from other organisations, read only: for the search index. */
  remotePages: {
    versions: () => AsyncIterable<{ id: string, version: string }>
    snapshots: (ids: string[]) => AsyncIterable<RemotePageSnapshot>
    /** Their stored HTML, for keeping the local copies of their images. */
    texts: () => AsyncIterable<string>
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    federation: Federation
  }
}

export interface FederationSetup {
  config: AppConfig
  /** The settings an admin may change while the app runs: profile, follow approval, blocked domains. */
  settings: () => Readonly<SiteSettings>
  wiki: WikiService
  events: FederationEventBus
  renderer: PageRenderer
  /** Delivery retry schedule; tests shorten it. */
  retryDelaysMs?: number[]
}

/**
 * Mounts ActivityPub on the app's root (its hooks and Express middleware
 * must see every request): the organisation actor, WebFinger, NodeInfo,
 * inbox and outbox; publishing of wiki events; remote pages; the admin
 * page for follows and blocks.
 */
export async function setupFederation (app: FastifyInstance, setup: FederationSetup): Promise<Federation> {
  const { config } = setup
  const blocks = await createDomainBlocks({ db: app.store.db, configured: () => setup.settings().blockedDomains, events: setup.events })
  const isBlocked = blocks.isBlocked
  const log = {
    info: (message: string) => { app.log.info(message) },
    warn: (message: string) => { app.log.warn(message) },
    error: (message: string) => { app.log.error(message) }
  }
  const http = createRemoteHttp({
    allowPrivateAddresses: config.federation.allowPrivateAddresses,
    userAgent: `Praxiswiki/${version} (+${config.baseUrl})`,
    isBlocked,
    signatureChoice: createSignatureChoice({ db: app.store.db, preferred: () => setup.settings().signatureFirst })
  })
  const core = createApexCore({
    config: config.federation,
    profile: setup.settings,
    baseUrl: config.baseUrl,
    siteName: config.siteName,
    db: app.store.db,
    http,
    retryDelaysMs: setup.retryDelaysMs,
    log
  })
  await ensureRemotePageIndexes(app.store.db)
  const followScopes = createFollowScopes(app.store.db)
  await ensureDeliveryIndexes(app.store.db)
  const follows: Follows = createFollows({
    core,
    http,
    allowPrivateAddresses: config.federation.allowPrivateAddresses,
    keepArticle: (sender, article, isUpdate) => inbox.keepArticle(sender, article, isUpdate),
    followScopes,
    log
  })
  const quotes = createQuotes({ core, db: app.store.db, log })
  await quotes.ensureIndexes()
  const inbox = createInboxHandler({
    core,
    db: app.store.db,
    events: setup.events,
    quotes,
    followApproval: () => setup.settings().followApproval,
    backfill: actor => follows.backfill(actor),
    localiseImages: remoteImageCopier(app.media, http, () => setup.settings().uploadLimitMb * 1024 * 1024),
    scopeOf: async actorId => await followScopes.scopeOf(actorId),
    log
  })
  const publisher = createPublisher({ core, events: setup.events, renderer: setup.renderer, baseUrl: config.baseUrl, log, onNoLongerPublic: quotes.revokeFor })

  // Express sees only the ActivityPub routes: it swaps the prototypes of every request it
  // handles, which would break Fastify's own routes under light-my-request (app.inject).
  await app.register(async (activityPub) => {
    await activityPub.register(fastifyExpress)
    // Express's 'development' env makes activitypub-express accept unsigned activities: never run in it.
    activityPub.express.set('env', 'production')
    activityPub.use(createApexRouter({ core, isBlocked, log }))
    activityPub.express.on('apex-inbox', (message: InboxMessage) => {
      inbox.handle(message).catch(error => { log.warn(`handling an incoming ${message.activity?.type} failed: ${(error as Error).message}`) })
    })
    // Requests the Express router does not answer end here.
    const notFound = async (_request: unknown, reply: FastifyReply): Promise<FastifyReply> => await reply.code(404).type('application/json').send({ error: 'not found' })
    // Express writes these answers itself; compressing them on the way out would garble them.
    const raw = { compress: false as const }
    activityPub.all('/ap/*', raw, notFound)
    activityPub.get('/.well-known/webfinger', raw, notFound)
    activityPub.get('/.well-known/nodeinfo', raw, notFound)
    activityPub.get('/nodeinfo/:version', raw, notFound)
  })

  registerArticleNegotiation(app, { core, wiki: setup.wiki, articleIdOf: publisher.articleIdOf })
  await app.register(remotePageRoutes, { wiki: setup.wiki })
  await app.register(federationAdminRoutes, { core, follows, inbox, blocks, followScopes, audit: app.auth.audit, ownHandle: `${config.federation.actorName}@${new URL(config.baseUrl).host}` })
  await app.register(followingApiRoutes, { follows, followScopes, audit: app.auth.audit })

  const recentRemotePages: Federation['recentRemotePages'] = async limit => {
    const pages = await latestRemotePages(app.store.db, limit)
    return pages.map(page => ({ localUrl: `/remote/${page._id.toHexString()}`, title: page.title, organisation: page.actorName, origin: page.origin, updated: page.updated }))
  }
  const remotePages: Federation['remotePages'] = {
    versions: () => remotePageVersions(app.store.db),
    snapshots: ids => remotePageSnapshots(app.store.db, ids),
    texts: () => remotePageTexts(app.store.db)
  }
  const remoteLessons = async (): Promise<RemoteLessonRecord[]> => await remoteLessonRecords(app.store.db)
  const remoteLesson = async (objectId: string): Promise<RemoteLessonRecord | null> => await remoteLessonRecordOf(app.store.db, objectId)
  const federation: Federation = { core, follows, publisher, inbox, http, blocks, isBlocked, recentRemotePages, remotePages, remoteLessons, remoteLesson }
  app.decorate('federation', federation)

  // Make the actor (a key pair: seconds at 4096 bits) off the request path, then resume deliveries left from before.
  const ready = core.actor().then(() => core.delivery.kick()).catch(error => { log.error(`setting up the organisation actor failed: ${(error as Error).message}`) })
  app.addHook('onClose', async () => {
    publisher.stop()
    await ready
    await publisher.idle()
    await core.delivery.stop()
    await core.jsonld.close()
    await http.close()
  })
  return federation
}
