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

function modifyResultCollection (collection: Collection): Collection {
  const findAndModify: Record<string, unknown> = {
    findOneAndDelete: (filter: Document, options?: Document) =>
      collection.findOneAndDelete(filter, withResultMetadata(options)),
    findOneAndReplace: (filter: Document, replacement: Document, options?: Document) =>
      collection.findOneAndReplace(filter, replacement, withResultMetadata(options)),
    findOneAndUpdate: (filter: Document, update: Document, options?: Document) =>
      collection.findOneAndUpdate(filter, update, withResultMetadata(options))
  }
  return new Proxy(collection, {
    get (target, property) {
      if (typeof property === 'string' && Object.hasOwn(findAndModify, property)) return findAndModify[property]
      const value = Reflect.get(target, property, target)
      return typeof value === 'function' ? value.bind(target) : value
    }
  })
}

/** The Db activitypub-express's store is given: the app's own, with findOneAnd* answering as driver 4 did. */
export function apexStoreDb (db: Db): Db {
  return new Proxy(db, {
    get (target, property) {
      if (property === 'collection') {
        return (name: string, options?: Document) => modifyResultCollection(target.collection(name, options))
      }
      const value = Reflect.get(target, property, target)
      return typeof value === 'function' ? value.bind(target) : value
    }
  })
}
