import { generateKeyPair } from 'node:crypto'
import { createRequire } from 'node:module'
import { promisify } from 'node:util'
import type { Db } from 'mongodb'
import type { FederationConfig } from '../config/index.ts'
import { PRAXISWIKI_CONTEXT, preloadedContexts, type ContextDocument } from './contexts.ts'
import { createDeliveryWorker, type DeliveryWorker } from './delivery.ts'
import { RemoteFetchError, type RemoteHttp, type Signer } from './http.ts'
import { sameHost } from './remote-pages.ts'

const require = createRequire(import.meta.url)
const ActivitypubExpress = require('activitypub-express')
/** Praxiswiki's version, as NodeInfo and the User-Agent of every outgoing request give it. */
export const { version } = require('../../package.json') as { version: string }
const generateKeyPairAsync = promisify(generateKeyPair)

/** Where the ActivityPub documents live; ids derive from BASE_URL and these. */
export const ROUTES = {
  actor: '/ap/u/:actor',
  object: '/ap/o/:id',
  activity: '/ap/s/:id',
  inbox: '/ap/inbox/:actor',
  outbox: '/ap/outbox/:actor',
  followers: '/ap/followers/:actor',
  following: '/ap/following/:actor',
  liked: '/ap/liked/:actor',
  shares: '/ap/s/:id/shares',
  likes: '/ap/s/:id/likes',
  collections: '/ap/u/:actor/c/:id',
  blocked: '/ap/u/:actor/blocked',
  rejections: '/ap/u/:actor/rejections',
  rejected: '/ap/u/:actor/rejected',
  nodeinfo: '/nodeinfo'
}

/** A context that could not be loaded: the activity naming it is refused with 400. */
export class ContextUnavailableError extends Error {
  constructor (url: string, reason: string) {
    super(`JSON-LD context ${url} is unavailable: ${reason}`)
    this.name = 'ContextUnavailableError'
  }
}

/** The parts of activitypub-express's instance Praxiswiki uses. */
export interface Apex {
  (request: unknown, response: unknown, next: () => void): void
  /** Express middleware chains, by endpoint and method. */
  net: Record<string, any>
  store: ApexStore
  utils: {
    usernameToIRI: (name: string) => string
    objectIdToIRI: (id?: string) => string
    nameToActorStreams: (name: string) => Record<string, string>
    /** Where the Follows that others refused are kept. */
    nameToRejectionsIRI: (name: string) => string
  }
  consts: { jsonldTypes: string[], publicAddress: string }
  domain: string
  baseUrl: string
  systemUser: ActorObject | undefined
  context: unknown[]
  buildActivity: (type: string, actorId: string, to: string | string[], extra?: Record<string, unknown>) => Promise<ActivityObject>
  buildTombstone: (object: { id: string }) => Promise<Record<string, unknown>>
  addToOutbox: (actor: ActorObject, activity: ActivityObject) => Promise<unknown>
  acceptFollow: (actor: ActorObject, follow: ActivityObject) => Promise<{ postTask: () => Promise<unknown>, updated: ActivityObject }>
  resolveObject: (id: string, includeMeta?: boolean, refresh?: boolean, localOnly?: boolean) => Promise<any>
  fromJSONLD: (value: unknown) => Promise<any>
  toJSONLD: (value: unknown) => Promise<any>
  stringifyPublicJSONLD: (value: unknown) => string
  getFollowers: (actor: ActorObject, limit?: number, idsOnly?: boolean) => Promise<{ orderedItems: any[], totalItems?: number }>
  getBlocked: (actor: ActorObject, limit?: number, idsOnly?: boolean) => Promise<{ orderedItems: any[] }>
  getFollowing: (actor: ActorObject, limit?: number, idsOnly?: boolean) => Promise<{ orderedItems: any[] }>
  getOutbox: (actor: ActorObject, page?: string) => Promise<any>
  /** One page (`page` is 'true' for the first, else the id to continue after); `includePrivate` keeps non-public items. */
  getCollection: (collectionId: string, page: string, remapper: null, includePrivate: boolean) => Promise<{ orderedItems: ActivityObject[], [field: string]: unknown }>
  isPublic: (activity: ActivityObject) => boolean
  addMeta: (object: unknown, key: string, value: unknown) => void
  [override: string]: any
}

export interface ApexStore {
  db: Db
  setup: (initialUser?: unknown) => Promise<unknown>
  getObject: (id: string, includeMeta?: boolean) => Promise<any>
  saveObject: (object: unknown) => Promise<boolean>
  updateObject: (object: unknown, actorId: string, fullReplace: boolean) => Promise<any>
  getActivity: (id: string, includeMeta?: boolean) => Promise<any>
  findActivityByCollectionAndObjectId: (collection: string, objectId: string, includeMeta?: boolean) => Promise<any>
  findActivityByCollectionAndActorId: (collection: string, actorId: string, includeMeta?: boolean) => Promise<any>
  removeActivity: (activity: unknown, actorId: string) => Promise<unknown>
  updateActivityMeta: (activity: unknown, key: string, value: unknown, remove?: boolean) => Promise<any>
  deliveryDequeue: () => Promise<any>
  saveContext: (context: ContextDocument) => Promise<unknown>
  getContext: (url: string) => Promise<ContextDocument | null>
}

export type ActorObject = Record<string, any> & { id: string, inbox: string[], outbox: string[], followers: string[], following: string[], _meta?: { privateKey: string } }
export type ActivityObject = Record<string, any> & { id: string, type: string }

/** The actor's key for signing requests; reads are signed too, as servers in Mastodon's secure mode answer only those. */
export function signerFor (actor: ActorObject): Signer | undefined {
  const privateKeyPem = actor._meta?.privateKey
  return privateKeyPem ? { keyId: `${actor.id}#main-key`, privateKeyPem } : undefined
}

export interface ApexOptions {
  config: FederationConfig
  baseUrl: string
  siteName: string
  db: Db
  http: RemoteHttp
  retryDelaysMs?: number[]
  log: { info: (message: string) => void, warn: (message: string) => void, error: (message: string) => void }
}

export interface FederationCore {
  apex: Apex
  delivery: DeliveryWorker
  actorId: string
  /** The organisation actor with its private key; made on first start. */
  actor: () => Promise<ActorObject>
  /** The actor with its current block list, as apex's collection functions expect. */
  actorWithBlockList: () => Promise<ActorObject>
  /** Ends a follower's follow without a word to it, as for an account that is gone. */
  dropFollower: (us: ActorObject, followerId: string) => Promise<void>
  /** Removes our Follow of an actor, answered or not; the Follow removed, or null if there was none. */
  withdrawFollow: (us: ActorObject, actorId: string) => Promise<ActivityObject | null>
}

/**
 * Builds activitypub-express for one instance, with the network edges
 * replaced: fetching, delivering and context loading go through the
 * guarded HTTP client, and the delivery loop is this instance's own.
 */
export function createApexCore (options: ApexOptions): FederationCore {
  const { config, baseUrl, db, http } = options
  const apex: Apex = ActivitypubExpress({
    name: options.siteName,
    version,
    baseUrl,
    actorParam: 'actor',
    objectParam: 'id',
    activityParam: 'id',
    routes: ROUTES,
    context: [PRAXISWIKI_CONTEXT],
    openRegistrations: false,
    nodeInfoMetadata: { software: 'praxiswiki', nodeName: options.siteName },
    info: { softwareName: 'praxiswiki', version, metadata: { nodeName: options.siteName } },
    logger: {
      info: (...parts: unknown[]) => { options.log.info(parts.map(String).join(' ')) },
      warn: (...parts: unknown[]) => { options.log.warn(parts.map(String).join(' ')) },
      error: (...parts: unknown[]) => { options.log.error(parts.map(String).join(' ')) }
    }
  })
  apex.store.db = db
  const actorId = apex.utils.usernameToIRI(config.actorName)

  // apex's own User-Agent says "(+http://undefined)" when baseUrl is set.
  apex.makeUserAgentString = () => http.userAgent

  // apex names the software after the site ("Wiki Nord"), which NodeInfo's schema refuses
  // (lower-case letters, digits and hyphens), and counts no posts.
  apex.generateNodeInfo = async (schemaVersion: string): Promise<Record<string, unknown>> => ({
    version: schemaVersion === '2.0' ? '2.0' : '2.1',
    software: { name: 'praxiswiki', version },
    protocols: ['activitypub'],
    services: { inbound: [], outbound: ['atom1.0'] },
    openRegistrations: false,
    usage: {
      users: { total: 1 },
      localPosts: await db.collection('objects').countDocuments({ type: 'Article', attributedTo: actorId })
    },
    metadata: { nodeName: options.siteName }
  })

  const contexts = preloadedContexts()
  apex.jsonldContextLoader = async (url: string): Promise<ContextDocument> => {
    const known = contexts.get(url)
    if (known) return known
    const cached = await apex.store.getContext(url)
    if (cached) return cached
    let document: Record<string, unknown>
    try {
      document = await http.getJson(url, undefined, 'application/ld+json, application/json')
    } catch (error) {
      throw new ContextUnavailableError(url, (error as Error).message)
    }
    const context: ContextDocument = { contextUrl: null, documentUrl: url, document }
    await apex.store.saveContext(context)
    return context
  }

  apex.requestObject = async (id: string): Promise<Record<string, unknown>> => {
    const document = await http.getJson(id, apex.systemUser === undefined ? undefined : signerFor(apex.systemUser))
    // A server may only speak for its own objects: a foreign id would poison the cache.
    if (typeof document.id !== 'string' || !sameHost(document.id, id)) {
      throw new RemoteFetchError(`${id} answered with an object from elsewhere (${String(document.id).slice(0, 200)})`)
    }
    const compacted = await apex.fromJSONLD(document).catch((error: Error) => {
      throw new RemoteFetchError(`${id} is not valid JSON-LD: ${error.message}`)
    })
    if (!compacted) throw new RemoteFetchError(`${id} is not valid JSON-LD`)
    return compacted
  }

  /** Removes their Follow as their own Undo would: out of the followers and the requests alike. */
  const dropFollower = async (us: ActorObject, followerId: string): Promise<void> => {
    const follow = await apex.store.findActivityByCollectionAndActorId(us.followers[0] as string, followerId, true)
    if (follow) await apex.store.removeActivity(follow, followerId)
  }

  /** Removes our Follow of an actor, answered or not, as unfollowing does. */
  const withdrawFollow = async (us: ActorObject, actorId: string): Promise<ActivityObject | null> => {
    const follow = await apex.store.findActivityByCollectionAndObjectId(us.outbox[0] as string, actorId, true)
    if (!follow || String(follow.type) !== 'Follow') return null
    await apex.store.removeActivity(follow, us.id)
    return follow
  }

  /**
   * An inbox that answers 410 Gone belongs to an account (or, for a shared inbox, a server)
   * that no longer exists: its followers are dropped, so later changes are not sent there
   * again, once per change, for ever.
   */
  const forgetGoneFollowers = async (address: string): Promise<void> => {
    const us = await actor()
    const followers: unknown[] = (await apex.getFollowers({ ...us, _local: { blockList: [] } }, Infinity, true)).orderedItems
    const ids = followers.map(item => typeof item === 'string' ? item : String((item as { id?: unknown })?.id))
    // One read for the followers that could be behind the address; apex's rule (shared inbox first) decides.
    const candidates = await db.collection('objects')
      .find({ id: { $in: ids }, $or: [{ inbox: address }, { 'endpoints.sharedInbox': address }] }, { projection: { id: 1, inbox: 1, endpoints: 1 } })
      .toArray()
    for (const follower of candidates) {
      if ((follower.endpoints?.[0]?.sharedInbox?.[0] ?? follower.inbox?.[0]) !== address) continue
      const followerId = String(follower.id)
      await dropFollower(us, followerId)
      options.log.info(`${followerId} is gone (its inbox answered 410): no longer a follower`)
    }
  }

  const delivery = createDeliveryWorker({ db, queue: apex.store, http, retryDelaysMs: options.retryDelaysMs, log: options.log, onGone: forgetGoneFollowers })
  // Replaces apex's module-wide delivery loop with this instance's worker.
  apex.startDelivery = () => delivery.kick()
  apex.runDelivery = () => delivery.kick()

  /** What the settings say the organisation's profile is; compared at every start. */
  const profile = (): Record<string, unknown> => ({
    name: config.organisationName,
    summary: config.organisationSummary,
    url: baseUrl,
    manuallyApprovesFollowers: config.followApproval === 'manual',
    ...(config.organisationIcon ? { icon: { type: 'Image', url: config.organisationIcon } } : {})
  })

  /**
   * A start with a changed name, summary, icon or follow approval updates the stored actor
   * and tells the followers with an Update, as Mastodon does when a profile is edited.
   */
  async function updateProfile (existing: ActorObject): Promise<ActorObject> {
    const wanted = await apex.fromJSONLD({ '@context': apex.context, id: actorId, type: existing.type, ...profile() })
    const fields = ['name', 'summary', 'url', 'manuallyApprovesFollowers', 'icon']
    const same = (field: string): boolean => JSON.stringify(existing[field] ?? null) === JSON.stringify(wanted[field] ?? null)
    if (fields.every(same)) return existing
    // Only the profile's fields change (null removes one); the key pair stays as it is, and
    // the copies of the actor in activities are updated without it.
    const changes: Record<string, unknown> = { id: actorId }
    for (const field of fields) changes[field] = wanted[field] ?? null
    await apex.store.updateObject(changes, actorId, false)
    const updated = await apex.store.getObject(actorId, true) as ActorObject
    const activity = await apex.buildActivity('Update', actorId, [updated.followers[0] as string, apex.consts.publicAddress], { object: await apex.store.getObject(actorId) })
    await apex.addToOutbox(updated, activity)
    options.log.info('the organisation profile changed in the settings: sent an Update to the followers')
    return updated
  }

  let actorPromise: Promise<ActorObject> | null = null
  async function ensureActor (): Promise<ActorObject> {
    await apex.store.setup()
    const existing = await apex.store.getObject(actorId, true)
    if (existing) {
      apex.systemUser = await updateProfile(existing)
      return apex.systemUser
    }
    const pair = await generateKeyPairAsync('rsa', {
      modulusLength: config.keyBits,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' }
    })
    const streams = apex.utils.nameToActorStreams(config.actorName)
    const actor = {
      id: actorId,
      type: 'Organization',
      following: streams.following,
      followers: streams.followers,
      liked: streams.liked,
      inbox: streams.inbox,
      outbox: streams.outbox,
      preferredUsername: config.actorName,
      ...profile(),
      publicKey: { id: `${actorId}#main-key`, owner: actorId, publicKeyPem: pair.publicKey }
    }
    const stored = await apex.fromJSONLD({ '@context': apex.context, ...actor })
    stored._meta = { privateKey: pair.privateKey }
    // Two requests racing at first start must not make two actors.
    if (!await apex.store.saveObject(stored)) return await apex.store.getObject(actorId, true)
    apex.systemUser = stored
    return stored
  }

  const actor = (): Promise<ActorObject> => {
    actorPromise ??= ensureActor().catch(error => { actorPromise = null; throw error })
    return actorPromise
  }
  return {
    apex,
    delivery,
    actorId,
    actor,
    dropFollower,
    withdrawFollow,
    actorWithBlockList: async () => {
      const us: ActorObject = { ...await actor(), _local: {} }
      us._local.blockList = (await apex.getBlocked(us, Infinity, true)).orderedItems
      return us
    }
  }
}
