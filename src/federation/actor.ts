import { generateKeyPair } from 'node:crypto'
import { promisify } from 'node:util'
import type { FederationConfig } from '../config/index.ts'
import type { ActorObject, Apex } from './apex-types.ts'
import type { Signer } from './http.ts'

const generateKeyPairAsync = promisify(generateKeyPair)

/** The actor's key for signing requests; reads are signed too, as servers in Mastodon's secure mode answer only those. */
export function signerFor (actor: ActorObject): Signer | undefined {
  const privateKeyPem = actor._meta?.privateKey
  return privateKeyPem ? { keyId: `${actor.id}#main-key`, privateKeyPem } : undefined
}

/** What the settings say the organisation's profile is; an admin may change it while the app runs. */
export interface OrganisationProfile {
  organisationName: string
  organisationSummary: string
  organisationIcon: string | null
  followApproval: 'auto' | 'manual'
  indexable: boolean
}

export interface OrganisationActorOptions {
  apex: Apex
  config: FederationConfig
  profile: () => OrganisationProfile
  baseUrl: string
  actorId: string
  log: { info: (message: string) => void }
}

export interface OrganisationActor {
  /** The organisation actor with its private key; made on first start. */
  actor: () => Promise<ActorObject>
  /** The actor with its current block list, as apex's collection functions expect. */
  actorWithBlockList: () => Promise<ActorObject>
  /** Brings the stored actor in step with a changed profile and sends the followers an Update, as at start. */
  refreshProfile: () => Promise<void>
}

/**
 * The one actor that speaks for the organisation: made with its key pair on first
 * start, and kept in step with the profile the settings describe at every start after.
 */
export function createOrganisationActor (options: OrganisationActorOptions): OrganisationActor {
  const { apex, config, baseUrl, actorId } = options

  /** What the settings say the organisation's profile is; compared at every start and after each change. */
  const profile = (): Record<string, unknown> => {
    const wanted = options.profile()
    return {
      name: wanted.organisationName,
      summary: wanted.organisationSummary,
      url: baseUrl,
      manuallyApprovesFollowers: wanted.followApproval === 'manual',
      // Consent to search, as Mastodon reads it (FEP-5feb): the pages and the profile alike.
      indexable: wanted.indexable,
      discoverable: wanted.indexable,
      ...(wanted.organisationIcon !== null ? { icon: { type: 'Image', url: wanted.organisationIcon } } : {})
    }
  }

  /**
   * A start or a settings change with a changed name, summary, icon or follow approval updates
   * the stored actor and tells the followers with an Update, as Mastodon does when a profile is edited.
   */
  async function updateProfile (existing: ActorObject): Promise<ActorObject> {
    const wanted = await apex.fromJSONLD({ '@context': apex.context, id: actorId, type: existing.type, ...profile() })
    const fields = ['name', 'summary', 'url', 'manuallyApprovesFollowers', 'indexable', 'discoverable', 'icon']
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
  // One change at a time: two quick changes must not race to compare against the same stored actor.
  let refreshing: Promise<void> = Promise.resolve()
  const refreshProfile = (): Promise<void> => {
    refreshing = refreshing.then(async () => {
      const current = await actor()
      const updated = await updateProfile(current)
      apex.systemUser = updated
      actorPromise = Promise.resolve(updated)
    })
    return refreshing
  }
  return {
    actor,
    refreshProfile,
    actorWithBlockList: async () => {
      const us: ActorObject = { ...await actor(), _local: {} }
      us._local.blockList = (await apex.getBlocked(us, Infinity, true)).orderedItems
      return us
    }
  }
}
