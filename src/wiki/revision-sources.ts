import type { ObjectId } from 'mongodb'
import type { PageStore } from './page-store.ts'

const BATCH = 200

/**
 * The text of every revision of every page, deleted ones included, a batch at a time in
 * the order of their ids: for finding what any revision still refers to (uploaded files).
 */
export async function * revisionSources (store: PageStore): AsyncIterable<string> {
  let after: ObjectId | null = null
  for (let round = 0; round < 1_000_000; round++) {
    const batch = await store.revisions.find(after === null ? {} : { _id: { $gt: after } }, { projection: { source: 1 }, sort: { _id: 1 }, limit: BATCH }).toArray()
    if (batch.length === 0) return
    for (const revision of batch) yield revision.source
    after = batch[batch.length - 1]!._id
  }
}
