import type { Db, ObjectId } from 'mongodb'
import { remotePagesCollection } from './remote-pages.ts'

const BATCH = 200

/** The stored HTML of every remote page, a batch at a time: for keeping the local copies of their images. */
export async function * remotePageTexts (db: Db): AsyncIterable<string> {
  const pages = remotePagesCollection(db)
  let after: ObjectId | null = null
  for (let round = 0; round < 1_000_000; round++) {
    const batch = await pages.find(after === null ? {} : { _id: { $gt: after } }, { projection: { html: 1 }, sort: { _id: 1 }, limit: BATCH }).toArray()
    if (batch.length === 0) return
    for (const page of batch) yield page.html
    after = batch[batch.length - 1]!._id
  }
}
