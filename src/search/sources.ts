import { ObjectId, type Db } from 'mongodb'
import type { PageDocument } from '../wiki/model.ts'
import { snapshot } from '../wiki/service.ts'
import { remotePagesCollection, remoteSnapshot } from '../federation/remote-pages.ts'
import { documentFromPage, documentFromRemote } from './document.ts'
import type { DocumentSource } from './search-index.ts'
import type { SearchDocument } from './types.ts'

/** The wiki's own live pages, read from the `pages` collection (read only). */
export function wikiDocumentSource (db: Db): DocumentSource {
  const pages = db.collection<PageDocument>('pages')
  return {
    name: 'wiki',
    covers: origin => origin === 'local',
    async * versions () {
      const cursor = pages.find({ deletedAt: null }, { projection: { _id: 1, revisionId: 1 } })
      for await (const page of cursor) yield { id: page._id.toHexString(), version: page.revisionId.toHexString() }
    },
    async * documents (ids: string[]): AsyncIterable<SearchDocument> {
      const objectIds = ids.filter(id => /^[0-9a-f]{24}$/.test(id)).map(id => new ObjectId(id))
      const cursor = pages.find({ _id: { $in: objectIds }, deletedAt: null })
      for await (const page of cursor) yield documentFromPage(snapshot(page))
    }
  }
}

/** Pages of other organisations kept by federation (read only); deleted ones drop out. */
export function remoteDocumentSource (db: Db): DocumentSource {
  const pages = remotePagesCollection(db)
  return {
    name: 'remote',
    covers: origin => origin !== 'local',
    async * versions () {
      const cursor = pages.find({ deletedAt: null }, { projection: { objectId: 1, updated: 1 } })
      for await (const page of cursor) yield { id: page.objectId, version: String(page.updated.getTime()) }
    },
    async * documents (ids: string[]): AsyncIterable<SearchDocument> {
      const cursor = pages.find({ objectId: { $in: ids }, deletedAt: null })
      for await (const page of cursor) yield documentFromRemote(remoteSnapshot(page).page)
    }
  }
}
