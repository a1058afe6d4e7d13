import type { Collection, Db, Document } from 'mongodb'

/*
 * activitypub-express 4.4.2 was written against driver 4, whose findOneAnd*
 * answered with a `ModifyResult` (`{ value, lastErrorObject, ok }`); its store
 * reads `.value` and `.ok` from it. Since driver 6 they answer with the document
 * alone unless `includeResultMetadata: true` is passed. Asking for it here, on
 * the Db apex is given, keeps apex unforked and the rest of the app on the
 * current shape.
 */

function withResultMetadata (options: Document | undefined): Document {
  return { ...options, includeResultMetadata: true }
}

/*
 * apex caches every remote object it resolves in `objects`, each insert waiting for its own
 * fsync. A cached copy of another server's object needs none: it can be fetched again, and
 * where it matters (an incoming activity) apex writes the activity to `streams` next, whose
 * durable write makes the earlier insert durable too, since the journal keeps their order.
 * The wiki's own objects (its actor and keys, its Articles) still wait for the journal.
 */
function remoteObjectsUnjournaled (collection: Collection, localPrefix: string): Record<string, unknown> {
  return {
    insertOne: (document: Document, options?: Document) => {
      const local = typeof document?.id === 'string' && document.id.startsWith(localPrefix)
      return collection.insertOne(document, local ? options : { ...options, writeConcern: { ...options?.writeConcern, journal: false } })
    }
  }
}

function modifyResultCollection (collection: Collection, localPrefix: string): Collection {
  const overrides: Record<string, unknown> = {
    ...(collection.collectionName === 'objects' ? remoteObjectsUnjournaled(collection, localPrefix) : {}),
    findOneAndDelete: (filter: Document, options?: Document) =>
      collection.findOneAndDelete(filter, withResultMetadata(options)),
    findOneAndReplace: (filter: Document, replacement: Document, options?: Document) =>
      collection.findOneAndReplace(filter, replacement, withResultMetadata(options)),
    findOneAndUpdate: (filter: Document, update: Document, options?: Document) =>
      collection.findOneAndUpdate(filter, update, withResultMetadata(options))
  }
  return new Proxy(collection, {
    get (target, property) {
      if (typeof property === 'string' && Object.hasOwn(overrides, property)) return overrides[property]
      return member(target, property)
    }
  })
}

function member (target: object, property: PropertyKey): unknown {
  const value: unknown = Reflect.get(target, property, target)
  return typeof value === 'function' ? value.bind(target) : value
}

/**
 * The Db activitypub-express's store is given: the app's own, with findOneAnd* answering as
 * driver 4 did, and remote objects cached without waiting for the journal. `baseUrl` tells
 * the wiki's own objects from other servers'.
 */
export function apexStoreDb (db: Db, baseUrl: string): Db {
  const localPrefix = baseUrl.replace(/\/$/, '') + '/'
  // apex asks for a collection by name for every read and write: each is wrapped once.
  const wrapped = new Map<string, Collection>()
  const collection = (name: string, options?: Document): Collection => {
    if (options !== undefined) return modifyResultCollection(db.collection(name, options), localPrefix)
    let found = wrapped.get(name)
    if (found === undefined) wrapped.set(name, found = modifyResultCollection(db.collection(name), localPrefix))
    return found
  }
  return new Proxy(db, {
    get (target, property) {
      return property === 'collection' ? collection : member(target, property)
    }
  })
}
