import type { Db } from 'mongodb'
import type { ContextDocument } from './contexts.ts'

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
