import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, it } from 'node:test'
import { ObjectId, type Collection, type Db, type Document } from 'mongodb'
import { seededRandom } from '../seeded-random.ts'
import { enginesUnderTest } from './engines.ts'

/*
 * A page of a stream as activitypub-express reads it: a collection pinned by equality,
 * sorted by _id descending, limited, with an `after` cursor and a block list. On an
 * indexed collection the embedded engine walks the index and stops early; the answers
 * must stay those of a plain sort of every match, computed here without the store.
 */

const COLLECTIONS = ['inbox', 'outbox', 'followers', 'liked']
const ACTORS = ['a', 'b', 'c', 'd']

interface Item { _id: ObjectId, id: string, actor: string, _meta: { collection: string[] } }

function reference (items: Item[], collection: string, limit: number, afterId?: ObjectId, blocked: string[] = []): string[] {
  return items
    .filter(item => item._meta.collection.includes(collection))
    .filter(item => afterId === undefined || item._id.toHexString() < afterId.toHexString())
    .filter(item => !blocked.includes(item.actor))
    .sort((left, right) => right._id.toHexString().localeCompare(left._id.toHexString()))
    .slice(0, limit)
    .map(item => item.id)
}

function pipeline (collection: string, limit: number, afterId?: ObjectId, blocked: string[] = []): Document[] {
  const filter: Document = { '_meta.collection': collection }
  if (afterId) filter._id = { $lt: afterId }
  if (blocked.length > 0) filter.actor = { $nin: blocked }
  return [{ $match: filter }, { $sort: { _id: -1 } }, { $limit: limit }, { $project: { _id: 0, id: 1 } }]
}

for (const engine of enginesUnderTest()) {
  describe(`a sorted, limited page of an indexed stream on the ${engine.name} engine`, () => {
    let db: Db
    let dispose: () => Promise<void>
    let streams: Collection

    before(async () => {
      ({ db, dispose } = await engine.open())
    })
    after(async () => {
      await dispose()
    })
    beforeEach(async () => {
      await db.dropDatabase()
      streams = db.collection('streams')
      await streams.createIndex({ '_meta.collection': 1, _id: -1 }, { name: 'collection-idx' })
    })

    it('gives the same pages as a full sort over 100 seeded rounds of inserts, updates and deletes', async () => {
      const random = seededRandom(18)
      const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T
      const items: Item[] = []
      for (let round = 0; round < 100; round++) {
        for (let n = 0; n < 5; n++) {
          // Ids out of insertion order too, as activities received late have.
          const time = 1_700_000_000 + Math.floor(random() * 100_000)
          const item: Item = {
            _id: new ObjectId(time.toString(16).padStart(8, '0') + (round * 5 + n).toString(16).padStart(16, '0')),
            id: `item-${round}-${n}`,
            actor: pick(ACTORS),
            _meta: { collection: [...new Set([pick(COLLECTIONS), pick(COLLECTIONS)])] }
          }
          items.push(item)
          await streams.insertOne({ ...item, _meta: { collection: [...item._meta.collection] } })
        }
        if (random() < 0.3 && items.length > 0) {
          const moved = pick(items)
          moved._meta.collection = [pick(COLLECTIONS)]
          await streams.updateOne({ _id: moved._id }, { $set: { '_meta.collection': [...moved._meta.collection] } })
        }
        if (random() < 0.2 && items.length > 0) {
          const gone = pick(items)
          items.splice(items.indexOf(gone), 1)
          await streams.deleteOne({ _id: gone._id })
        }
        const collection = pick(COLLECTIONS)
        const limit = 1 + Math.floor(random() * 12)
        const afterId = random() < 0.5 && items.length > 0 ? pick(items)._id : undefined
        const blocked = random() < 0.3 ? [pick(ACTORS)] : []
        const expected = reference(items, collection, limit, afterId, blocked)
        const aggregated = (await streams.aggregate(pipeline(collection, limit, afterId, blocked)).toArray()).map(item => item.id)
        assert.deepEqual(aggregated, expected, `aggregate, round ${round}`)
        const filter: Document = { '_meta.collection': collection, ...(afterId ? { _id: { $lt: afterId } } : {}), ...(blocked.length > 0 ? { actor: { $nin: blocked } } : {}) }
        const found = (await streams.find(filter).sort({ _id: -1 }).limit(limit).toArray()).map(item => item.id)
        assert.deepEqual(found, expected, `find, round ${round}`)
        const ascending = (await streams.find(filter).sort({ _id: 1 }).limit(limit).toArray()).map(item => item.id)
        assert.deepEqual(ascending, reference(items, collection, items.length, afterId, blocked).reverse().slice(0, limit), `find ascending, round ${round}`)
      }
    })

    it('sorts by the index order only while no document holds an array in the sorted field', async () => {
      await streams.createIndex({ kind: 1, rank: 1, _id: 1 }, { name: 'kind-rank' })
      await streams.insertMany([
        { _id: new ObjectId('000000000000000000000001'), kind: 'x', rank: 5, name: 'five' },
        { _id: new ObjectId('000000000000000000000002'), kind: 'x', rank: [1, 9], name: 'one-or-nine' },
        { _id: new ObjectId('000000000000000000000003'), kind: 'x', rank: 3, name: 'three' }
      ])
      // MongoDB sorts an array by its least element ascending and by its greatest descending.
      const up = (await streams.find({ kind: 'x' }).sort({ rank: 1, _id: 1 }).limit(2).toArray()).map(item => item.name)
      const down = (await streams.find({ kind: 'x' }).sort({ rank: -1, _id: -1 }).limit(2).toArray()).map(item => item.name)
      assert.deepEqual(up, ['one-or-nine', 'three'])
      assert.deepEqual(down, ['one-or-nine', 'five'])
    })

    it('gives the pages before and after an id in either direction, on an ascending index too', async () => {
      await streams.createIndex({ kind: 1, _id: 1 }, { name: 'kind-ascending' })
      const id = (n: number): ObjectId => new ObjectId(n.toString(16).padStart(24, '0'))
      // Ids 2, 4, … 40 of kind x; the odd ones of kind y.
      await streams.insertMany(Array.from({ length: 40 }, (_, n) => ({ _id: id(n + 1), kind: (n + 1) % 2 === 0 ? 'x' : 'y', n: n + 1 })))
      const page = async (range: Document, direction: 1 | -1): Promise<number[]> =>
        (await streams.find({ kind: 'x', _id: range }).sort({ _id: direction }).limit(3).toArray()).map(item => item.n)
      assert.deepEqual(await page({ $gt: id(10) }, 1), [12, 14, 16])
      assert.deepEqual(await page({ $gte: id(10) }, 1), [10, 12, 14])
      assert.deepEqual(await page({ $gt: id(11) }, 1), [12, 14, 16])
      assert.deepEqual(await page({ $lt: id(10) }, 1), [2, 4, 6])
      assert.deepEqual(await page({ $lt: id(10) }, -1), [8, 6, 4])
      assert.deepEqual(await page({ $lte: id(10) }, -1), [10, 8, 6])
      assert.deepEqual(await page({ $gt: id(10), $lt: id(16) }, 1), [12, 14])
      assert.deepEqual(await page({ $gt: id(36) }, -1), [40, 38])
      assert.deepEqual(await page({ $gt: id(40) }, 1), [])
    })

    it('reads a whole collection a batch after an _id at a time, in either direction, as a full sort over seeded inserts and deletes', async () => {
      const random = seededRandom(31)
      const pages = db.collection('batches')
      const kept: ObjectId[] = []
      for (let n = 0; n < 300; n++) {
        // Ids out of insertion order, as documents written by another process or restored are.
        const _id = new ObjectId((1_700_000_000 + Math.floor(random() * 100_000)).toString(16) + n.toString(16).padStart(16, '0'))
        kept.push(_id)
        await pages.insertOne({ _id, n, odd: n % 2 === 1 })
        if (random() < 0.2) await pages.deleteOne({ _id: kept.splice(Math.floor(random() * kept.length), 1)[0] })
      }
      const ascending = kept.map(id => id.toHexString()).sort()
      const read = async (direction: 1 | -1, strict: boolean, odd?: boolean): Promise<string[]> => {
        const seen: string[] = []
        for (let last: ObjectId | null = null; ;) {
          const bound: Document = last === null ? {} : { _id: { [direction === 1 ? (strict ? '$gt' : '$gte') : (strict ? '$lt' : '$lte')]: last } }
          const batch: Document[] = await pages.find({ ...bound, ...(odd === undefined ? {} : { odd }) }, { sort: { _id: direction }, limit: 7 }).toArray()
          const fresh = batch.filter(page => page._id.toHexString() !== seen.at(-1))
          if (fresh.length === 0) return seen
          seen.push(...fresh.map(page => page._id.toHexString()))
          last = batch.at(-1)!._id
        }
      }
      assert.deepEqual(await read(1, true), ascending)
      assert.deepEqual(await read(1, false), ascending)
      assert.deepEqual(await read(-1, true), [...ascending].reverse())
      assert.deepEqual(await read(-1, false), [...ascending].reverse())
      // A bound that is a stored id: $gte and $lte start at it, $gt and $lt just past it.
      for (const at of [0, 5, ascending.length - 1]) {
        const id = new ObjectId(ascending[at])
        const first = async (range: Document, direction: 1 | -1): Promise<string | undefined> =>
          (await pages.find({ _id: range }, { sort: { _id: direction }, limit: 1 }).toArray())[0]?._id.toHexString()
        assert.equal(await first({ $gte: id }, 1), ascending[at])
        assert.equal(await first({ $lte: id }, -1), ascending[at])
        assert.equal(await first({ $gt: id }, 1), ascending[at + 1])
        assert.equal(await first({ $lt: id }, -1), ascending[at - 1])
      }
      const odd = new Set((await pages.find({ odd: true }).toArray()).map(page => page._id.toHexString()))
      assert.deepEqual(await read(1, true, true), ascending.filter(id => odd.has(id)))
      assert.deepEqual(await read(-1, true, true), [...ascending].reverse().filter(id => odd.has(id)))
      // One _id of another type: ObjectIds sort after strings, and every order must still hold.
      await pages.insertOne({ _id: 'zzz' as unknown as ObjectId, n: -1, odd: false })
      assert.deepEqual((await pages.find({}, { sort: { _id: 1 }, limit: 2 }).toArray()).map(page => String(page._id)), ['zzz', ascending[0]])
      assert.deepEqual((await pages.find({}, { sort: { _id: -1 }, limit: 1 }).toArray()).map(page => String(page._id)), [ascending.at(-1)])
      await pages.deleteOne({ _id: 'zzz' as unknown as ObjectId })
      assert.deepEqual(await read(1, true), ascending)
    })
  })
}
