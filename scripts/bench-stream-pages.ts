// A page of activitypub-express's getStream as one stream grows (500, 5,000, 50,000 items):
// read through apex's own index (the first page, and the page after the middle item), next to the same pipeline on a copy without that index
// (a full match and sort of the stream, as every page cost before the index kept an order).
// Part of `npm run bench:store`; BENCH_STREAM_SIZES=500,5000 to change the sizes.
import { mkdtemp, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { ObjectId, type Db, type Document } from 'mongodb'
import { openStore } from '../src/store/index.ts'

export interface ApexStoreLike {
  db: Db
  setup: (initialUser?: Document) => Promise<unknown>
  getStream: (collectionId: string, limit: number, after?: string) => Promise<Document[]>
}
const require = createRequire(import.meta.url)
export const ApexStore = require('activitypub-express/store') as new () => ApexStoreLike

const BASE = 'https://bench.example'
const INBOX = `${BASE}/u/wiki/inbox`
const ACTORS = 50
const PAGES = 200
const BUDGET_MILLIS = 10_000
const BATCH = 1000

export interface StreamPageResult { items: number, indexedMedian: number, middleMedian: number, fullSortMedian: number }

function streamItem (n: number): Document {
  const actor = `${BASE}/u/a${n % ACTORS}`
  // Ids in time order, as the store assigns them; every other item also in the actor's outbox.
  const _id = new ObjectId((1_700_000_000 + n).toString(16).padStart(8, '0') + n.toString(16).padStart(16, '0'))
  return {
    _id,
    id: `${BASE}/s/${n}`,
    type: 'Create',
    actor: [actor],
    object: [{ id: `${BASE}/o/${n}`, type: 'Note', attributedTo: actor, content: `<p>lesson ${n}</p>` }],
    _meta: { collection: n % 2 === 0 ? [INBOX, `${actor}/outbox`] : [INBOX] }
  }
}

/** getStream's pipeline, as activitypub-express 4.4.2 builds it for a first page. */
function pagePipeline (limit: number): Document[] {
  return [
    { $match: { '_meta.collection': INBOX } },
    { $sort: { _id: -1 } },
    { $limit: limit },
    { $lookup: { from: 'objects', localField: 'actor', foreignField: 'id', as: 'actor' } },
    { $match: { actor: { $ne: [] } } },
    { $project: { _meta: 0, 'object._id': 0, 'object._meta': 0, 'actor._meta': 0, 'actor._id': 0 } }
  ]
}

async function median (operation: () => Promise<unknown>): Promise<number> {
  const times: number[] = []
  const started = performance.now()
  while (times.length < PAGES && (times.length < 5 || performance.now() - started < BUDGET_MILLIS)) {
    const before = performance.now()
    await operation()
    times.push(performance.now() - before)
  }
  times.sort((a, b) => a - b)
  return times[Math.floor(times.length / 2)] as number
}

async function measureSize (items: number): Promise<StreamPageResult> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'praxiswiki-bench-stream-'))
  const store = await openStore({ dataDir })
  try {
    const apex = new ApexStore()
    apex.db = store.db
    await apex.setup()
    const objects = store.db.collection('objects')
    await objects.insertMany(Array.from({ length: ACTORS }, (_, i) => ({ id: `${BASE}/u/a${i}`, type: 'Person', _meta: { collection: [] } })))
    const streams = store.db.collection('streams')
    const unindexed = store.db.collection('streams_without_order')
    // An _id that is not an ObjectId keeps the engine from walking the collection's _id order: this copy stays a full match and sort.
    await unindexed.insertOne({ _id: 'not-an-object-id' as unknown as ObjectId, _meta: { collection: [] } })
    for (let start = 0; start < items; start += BATCH) {
      const batch = Array.from({ length: Math.min(BATCH, items - start) }, (_, i) => streamItem(start + i))
      await streams.insertMany(batch)
      await unindexed.insertMany(batch.map(item => ({ ...item, _meta: { collection: [...item._meta.collection] } })))
    }
    const check = (page: Document[]): void => {
      if (page.length !== 20 || page[0]?.id !== `${BASE}/s/${items - 1}`) throw new Error(`a page of ${items} items began with ${page[0]?.id}`)
    }
    for (let warmUp = 0; warmUp < 20; warmUp++) check(await apex.getStream(INBOX, 20))
    const indexedMedian = await median(async () => check(await apex.getStream(INBOX, 20)))
    // The page after the middle item, as a reader paging back through the stream asks for it.
    const middle = Math.floor(items / 2)
    const middleMedian = await median(async () => {
      const page = await apex.getStream(INBOX, 20, (streamItem(middle)._id as ObjectId).toHexString())
      if (page[0]?.id !== `${BASE}/s/${middle - 1}`) throw new Error(`the page after item ${middle} began with ${page[0]?.id}`)
    })
    const fullSortMedian = await median(async () => check(await unindexed.aggregate(pagePipeline(20)).toArray()))
    return { items, indexedMedian, middleMedian, fullSortMedian }
  } finally {
    await store.close()
    await rm(dataDir, { recursive: true, force: true })
  }
}

export async function streamPageScaling (sizes: number[]): Promise<StreamPageResult[]> {
  const results: StreamPageResult[] = []
  for (const items of sizes) results.push(await measureSize(items))
  return results
}

export function streamPageTable (results: StreamPageResult[]): string {
  const first = results[0]
  const lines = ['getStream page of 20 as one stream grows (median ms; ratio to the smallest stream)']
  lines.push(`${'items'.padStart(8)}  ${'with index order'.padStart(22)}  ${'after the middle item'.padStart(22)}  ${'full match and sort'.padStart(22)}`)
  for (const result of results) {
    const ratio = (value: number, base: number | undefined): string => base === undefined ? '' : ` (${(value / base).toFixed(1)}×)`
    lines.push(`${result.items.toLocaleString('en').padStart(8)}  ${`${result.indexedMedian.toFixed(2)}${ratio(result.indexedMedian, first?.indexedMedian)}`.padStart(22)}  ${`${result.middleMedian.toFixed(2)}${ratio(result.middleMedian, first?.middleMedian)}`.padStart(22)}  ${`${result.fullSortMedian.toFixed(2)}${ratio(result.fullSortMedian, first?.fullSortMedian)}`.padStart(22)}`)
  }
  return lines.join('\n')
}
