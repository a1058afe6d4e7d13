import { createRequire } from 'node:module'
import type { Db } from 'mongodb'
import type { FederationConfig } from '../config/index.ts'
import { createOrganisationActor, type OrganisationActor, type OrganisationProfile } from './actor.ts'
import { ROUTES } from './activitypub-paths.ts'
import { overrideApex } from './apex-overrides.ts'
import { apexStoreDb } from './apex-store-db.ts'
import type { Apex } from './apex-types.ts'
import { PRAXISWIKI_CONTEXT } from './contexts.ts'
import { createDeliveryWorker, type DeliveryWorker } from './delivery.ts'
import { createFollowRecords, type FollowRecords } from './follow-records.ts'
import type { RemoteHttp } from './http.ts'
import { createJsonLdPool, type JsonLdPool } from './jsonld-pool.ts'
import { rememberResolvedContexts } from './jsonld-resolved-contexts.ts'
import { version } from './version.ts'

const require = createRequire(import.meta.url)
const ActivitypubExpress = require('activitypub-express')

export interface ApexOptions {
  config: FederationConfig
  /** The organisation's profile as the settings say now. */
  profile: () => OrganisationProfile
  baseUrl: string
  siteName: string
  db: Db
  http: RemoteHttp
  retryDelaysMs?: number[]
  log: { info: (message: string) => void, warn: (message: string) => void, error: (message: string) => void }
}

export interface FederationCore extends OrganisationActor {
  apex: Apex
  delivery: DeliveryWorker
  /** JSON-LD processing of documents from other servers; large ones off the event loop. */
  jsonld: JsonLdPool
  actorId: string
  dropFollower: FollowRecords['dropFollower']
  withdrawFollow: FollowRecords['withdrawFollow']
}

/**
 * Builds activitypub-express for one instance, with the network edges
 * replaced (see apex-overrides.ts), its organisation actor and its delivery worker.
 */
export function createApexCore (options: ApexOptions): FederationCore {
  const { config, baseUrl, db, http } = options
  // Every activity in and out is compacted by apex's jsonld: its context objects resolved once, not stringified each time.
  rememberResolvedContexts()
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
  apex.store.db = apexStoreDb(db, baseUrl)
  const actorId = apex.utils.usernameToIRI(config.actorName)

  const organisation = createOrganisationActor({ apex, config, profile: options.profile, baseUrl, actorId, log: options.log })
  const followRecords = createFollowRecords({ apex, db, actor: organisation.actor, log: options.log })
  const delivery = createDeliveryWorker({ db, queue: apex.store, http, retryDelaysMs: options.retryDelaysMs, log: options.log, onGone: followRecords.forgetGoneFollowers })
  const jsonld = createJsonLdPool({
    context: apex.context,
    loadContext: async url => await apex.jsonldContextLoader(url),
    compactHere: async document => await apex.fromJSONLD(document),
    log: options.log
  })
  overrideApex(apex, { http, db, actorId, siteName: options.siteName, delivery, jsonld })

  return {
    apex,
    delivery,
    jsonld,
    actorId,
    actor: organisation.actor,
    actorWithBlockList: organisation.actorWithBlockList,
    refreshProfile: organisation.refreshProfile,
    dropFollower: followRecords.dropFollower,
    withdrawFollow: followRecords.withdrawFollow
  }
}
