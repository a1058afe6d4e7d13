import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, it } from 'node:test'
import { MongoServerError, ObjectId, type Collection, type Db, type Document } from 'mongodb'
import { enginesUnderTest } from './engines.ts'

async function rejectsWithCode (promise: Promise<unknown>, code: number): Promise<void> {
  await assert.rejects(promise, (error: any) => {
    assert.equal(error.name, 'MongoServerError', `expected a MongoServerError, got ${error.name}: ${error.message}`)
    assert.equal(error.code, code, error.message)
    return true
  })
}

for (const engine of enginesUnderTest()) {
  describe(`the MongoDB driver API on the ${engine.name} engine`, () => {
    let db: Db
    let dispose: () => Promise<void>
    let things: Collection

    before(async () => {
      ({ db, dispose } = await engine.open())
    })
    after(async () => {
      await dispose()
    })
    beforeEach(async () => {
      await db.dropDatabase()
      things = db.collection('things')
    })

    describe('inserts', () => {
      it('writes a new ObjectId into the caller\'s document, unless the server is asked to assign it', async () => {
        const mine: any = { name: 'a' }
        const result = await things.insertOne(mine)
        assert.ok(mine._id instanceof ObjectId)
        assert.equal(result.acknowledged, true)
        assert.ok(result.insertedId.equals(mine._id))

        const untouched: any = { name: 'b' }
        await things.insertOne(untouched, { forceServerObjectId: true })
        assert.equal(untouched._id, undefined)
        const stored = await things.findOne({ name: 'b' })
        assert.ok(stored?._id instanceof ObjectId)
      })

      it('stores documents as after a BSON round trip and hands out fresh copies', async () => {
        const when = new Date('2026-01-02T03:04:05Z')
        await things.insertOne({ _id: 'x' as any, missing: undefined, skipped: () => 1, when, nested: { list: [1, 'two', null] } })
        const first: any = await things.findOne({ _id: 'x' as any })
        assert.deepEqual(Object.keys(first), ['_id', 'missing', 'when', 'nested'])
        assert.equal(first.missing, null)
        assert.ok(first.when instanceof Date)
        assert.equal(first.when.getTime(), when.getTime())
        first.nested.list.push('changed')
        const second: any = await things.findOne({ _id: 'x' as any })
        assert.deepEqual(second.nested.list, [1, 'two', null])
      })

      it('puts _id first, as the server does', async () => {
        await things.insertOne({ name: 'late', _id: 7 as any })
        const stored = await things.findOne({ _id: 7 as any })
        assert.deepEqual(Object.keys(stored ?? {}), ['_id', 'name'])
      })

      it('reports insertMany counts and ids', async () => {
        const result = await things.insertMany([{ n: 1 }, { n: 2 }, { n: 3 }])
        assert.equal(result.insertedCount, 3)
        assert.equal(Object.keys(result.insertedIds).length, 3)
        assert.equal(await things.countDocuments(), 3)
      })

      it('raises the driver\'s duplicate-key error (11000) for a unique index, for apex to recognise', async () => {
        await things.createIndex({ id: 1 }, { unique: true, name: 'things-primary' })
        await things.insertOne({ id: 'https://example.org/o/1' })
        await assert.rejects(things.insertOne({ id: 'https://example.org/o/1' }), (error: any) => {
          assert.ok(error instanceof MongoServerError)
          assert.equal(error.name, 'MongoServerError')
          assert.equal(error.code, 11000)
          return true
        })
        await rejectsWithCode(things.insertOne({ _id: (await things.findOne({}))?._id }), 11000)
        assert.equal(await things.countDocuments(), 1)
      })

      it('stops an ordered insertMany at the first duplicate and keeps the ones before it', async () => {
        await things.createIndex({ id: 1 }, { unique: true })
        await assert.rejects(things.insertMany([{ id: 1 }, { id: 2 }, { id: 1 }, { id: 3 }]), (error: any) => error.code === 11000)
        assert.deepEqual((await things.find({}, { projection: { _id: 0 } }).toArray()).map(document => document.id), [1, 2])
        await things.deleteMany({})
        await assert.rejects(things.insertMany([{ id: 1 }, { id: 1 }, { id: 3 }], { ordered: false }), (error: any) => error.code === 11000)
        assert.deepEqual((await things.find({}).sort({ id: 1 }).toArray()).map(document => document.id), [1, 3])
      })

      it('enforces a unique partial index only on the documents it covers', async () => {
        await things.createIndex({ slug: 1 }, { unique: true, name: 'live-slugs', partialFilterExpression: { deleted: false } })
        await things.insertOne({ slug: 'a', deleted: true })
        await things.insertOne({ slug: 'a', deleted: true })
        await things.insertOne({ slug: 'a', deleted: false })
        await rejectsWithCode(things.insertOne({ slug: 'a', deleted: false }), 11000)
        const names = (await things.indexes()).map(index => index.name)
        assert.ok(names.includes('live-slugs'))
      })
    })

    describe('reads', () => {
      beforeEach(async () => {
        await things.insertMany([
          { name: 'c', n: 3, tags: ['x', 'y'] },
          { name: 'a', n: 1, tags: ['y'] },
          { name: 'b', n: 2, tags: [] },
          { name: 'd', n: 4 }
        ])
      })

      it('filters, sorts, skips, limits and projects', async () => {
        const found = await things.find({ n: { $gte: 2 } }, { projection: { _id: 0, name: 1 } }).sort({ n: -1 }).skip(1).limit(2).toArray()
        assert.deepEqual(found, [{ name: 'c' }, { name: 'b' }])
      })

      it('iterates with next and with for await', async () => {
        const cursor = things.find({}).sort({ n: 1 })
        assert.equal((await cursor.next())?.name, 'a')
        const rest: string[] = []
        for await (const document of cursor) rest.push(document.name)
        assert.deepEqual(rest, ['b', 'c', 'd'])
        assert.equal(await things.find({ name: 'none' }).next(), null)
      })

      it('matches arrays as MongoDB does', async () => {
        const names = async (filter: object): Promise<string[]> =>
          (await things.find(filter).sort({ name: 1 }).toArray()).map(document => document.name)
        assert.deepEqual(await names({ tags: 'y' }), ['a', 'c'])
        assert.deepEqual(await names({ tags: ['y'] }), ['a'])
        assert.deepEqual(await names({ tags: { $ne: [] } }), ['a', 'c', 'd'])
        assert.deepEqual(await names({ tags: { $nin: ['x'] } }), ['a', 'b', 'd'])
        assert.deepEqual(await names({ tags: { $exists: false } }), ['d'])
        assert.deepEqual(await names({ 'tags.0': 'x' }), ['c'])
        assert.deepEqual(await names({ tags: { $size: 0 } }), ['b'])
      })

      it('matches null as MongoDB does: missing, null, or an array holding null; not an empty array', async () => {
        await things.insertMany([{ name: 'e', n: null }, { name: 'f', n: [5, null] }, { name: 'g', n: [] }, { name: 'h', n: 0, toString: null }])
        const names = async (filter: object): Promise<string[]> =>
          (await things.find(filter).sort({ name: 1 }).toArray()).map(document => document.name)
        assert.deepEqual(await names({ n: null }), ['e', 'f'])
        assert.deepEqual(await names({ tags: null }), ['d', 'e', 'f', 'g', 'h'])
        assert.deepEqual(await names({ tags: null, n: 4 }), ['d'])
        assert.deepEqual(await names({ name: 'f', n: null }), ['f'])
        assert.deepEqual(await names({ name: 'g', n: null }), [])
        assert.deepEqual(await names({ toString: null, n: { $exists: true } }), ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'])
        assert.deepEqual(await names({ toString: null, name: 'a' }), ['a'])
      })

      it('pages by ObjectId: ids grow in insertion order, so $lt after the last id gives the next page', async () => {
        const ids = (await things.find({}).sort({ _id: -1 }).toArray()).map(document => document.name)
        assert.deepEqual(ids, ['d', 'b', 'a', 'c'])
        const newest = await things.find({}).sort({ _id: -1 }).limit(2).toArray()
        const next = await things.find({ _id: { $lt: newest[1]?._id } }).sort({ _id: -1 }).toArray()
        assert.deepEqual(next.map(document => document.name), ['a', 'c'])
      })

      it('counts with skip, limit and a hint naming an index', async () => {
        await things.createIndex({ n: 1 }, { name: 'by-number', partialFilterExpression: { n: { $gt: 1 } } })
        assert.equal(await things.countDocuments({ n: { $gt: 1 } }, { hint: 'by-number' }), 3)
        assert.equal(await things.countDocuments({}, { skip: 1, limit: 2 }), 2)
        await assert.rejects(things.countDocuments({}, { hint: 'no-such-index' }))
      })

      it('finds through an index and through a scan alike', async () => {
        await things.createIndex({ name: 1 })
        assert.equal((await things.findOne({ name: 'b' }))?.n, 2)
        assert.equal((await things.findOne({ name: { $in: ['d', 'zz'] } }))?.n, 4)
        assert.equal((await things.findOne({ name: { $eq: 'a' }, n: 1 }))?.n, 1)
        assert.equal(await things.findOne({ name: 'b', n: 3 }), null)
      })

      it('sorts as MongoDB does: types in BSON order, arrays by their least or greatest element', async () => {
        await things.insertMany([{ name: 'e', n: 'text' }, { name: 'f', n: null }, { name: 'g', n: [0, 10] }])
        const ascending = (await things.find({}).sort({ n: 1, name: 1 }).toArray()).map(document => document.name)
        assert.deepEqual(ascending, ['f', 'g', 'a', 'b', 'c', 'd', 'e'])
        const descending = (await things.find({}).sort({ n: -1, name: 1 }).limit(3).toArray()).map(document => document.name)
        assert.deepEqual(descending, ['e', 'g', 'd'])
      })

      it('returns distinct values', async () => {
        assert.deepEqual((await things.distinct('tags')).sort(), ['x', 'y'])
      })
    })

    describe('projections', () => {
      const updated = new Date('2026-03-04T05:06:07Z')
      beforeEach(async () => {
        await things.insertMany([
          { _id: 'a' as any, objectId: 'https://peer.example/o/a', title: 'Erste', html: '<p>eins</p>', source: 'eins', updated, person: 'anna', _meta: { collection: ['inbox'] }, lesson: { tried: 'Abendgruppe', worked: ['ja', { warum: 'Nähe' }] } },
          // Stored with _id first, as the server stores it; no html, objectId or _meta.
          { updated, source: 'zwei', title: 'Zweite', _id: 'b' as any, person: null, lesson: { tried: 'Telefon' } },
          { _id: 'c' as any, revisionId: 'r1', after: { title: 'neu', tags: [] }, person: 'ben' }
        ])
      })

      async function keysFound (projection: Document): Promise<string[][]> {
        return (await things.find({}, { projection }).sort({ _id: 1 }).toArray()).map(document => Object.keys(document))
      }

      it('leaves out excluded fields and keeps the others in the document\'s order', async () => {
        assert.deepEqual(await things.find({}, { projection: { html: 0, source: 0 } }).sort({ _id: 1 }).toArray(), [
          { _id: 'a', objectId: 'https://peer.example/o/a', title: 'Erste', updated, person: 'anna', _meta: { collection: ['inbox'] }, lesson: { tried: 'Abendgruppe', worked: ['ja', { warum: 'Nähe' }] } },
          { _id: 'b', updated, title: 'Zweite', person: null, lesson: { tried: 'Telefon' } },
          { _id: 'c', revisionId: 'r1', after: { title: 'neu', tags: [] }, person: 'ben' }
        ])
        assert.deepEqual(await keysFound({ html: 0, source: 0 }), [
          ['_id', 'objectId', 'title', 'updated', 'person', '_meta', 'lesson'],
          ['_id', 'updated', 'title', 'person', 'lesson'],
          ['_id', 'revisionId', 'after', 'person']
        ])
        assert.deepEqual(await keysFound({ _id: 0 }), [
          ['objectId', 'title', 'html', 'source', 'updated', 'person', '_meta', 'lesson'],
          ['updated', 'source', 'title', 'person', 'lesson'],
          ['revisionId', 'after', 'person']
        ])
        assert.deepEqual(await keysFound({ _id: false, _meta: false }), [
          ['objectId', 'title', 'html', 'source', 'updated', 'person', 'lesson'],
          ['updated', 'source', 'title', 'person', 'lesson'],
          ['revisionId', 'after', 'person']
        ])
        assert.deepEqual(await keysFound({ source: 0 }), [
          ['_id', 'objectId', 'title', 'html', 'updated', 'person', '_meta', 'lesson'],
          ['_id', 'updated', 'title', 'person', 'lesson'],
          ['_id', 'revisionId', 'after', 'person']
        ])
      })

      it('picks included fields with _id first, in the document\'s order rather than the projection\'s, leaving out missing ones', async () => {
        assert.deepEqual(await things.find({}, { projection: { updated: 1, objectId: 1 } }).sort({ _id: 1 }).toArray(), [
          { _id: 'a', objectId: 'https://peer.example/o/a', updated },
          { _id: 'b', updated },
          { _id: 'c' }
        ])
        assert.deepEqual(await keysFound({ updated: 1, objectId: 1 }), [['_id', 'objectId', 'updated'], ['_id', 'updated'], ['_id']])
        assert.deepEqual(await keysFound({ lesson: true, title: true }), [['_id', 'title', 'lesson'], ['_id', 'title', 'lesson'], ['_id']])
        assert.deepEqual(await keysFound({ person: 1 }), [['_id', 'person'], ['_id', 'person'], ['_id', 'person']])
        assert.deepEqual(await keysFound({ after: 1 }), [['_id'], ['_id'], ['_id', 'after']])
        assert.deepEqual(await things.find({}, { projection: { person: 1 } }).sort({ _id: 1 }).toArray(), [{ _id: 'a', person: 'anna' }, { _id: 'b', person: null }, { _id: 'c', person: 'ben' }])
      })

      it('picks _id when it is named among the included fields, alone, or not at all, and drops it only when excluded', async () => {
        assert.deepEqual(await keysFound({ revisionId: 1, _id: 1 }), [['_id'], ['_id'], ['_id', 'revisionId']])
        assert.deepEqual(await keysFound({ _id: 1, title: true }), [['_id', 'title'], ['_id', 'title'], ['_id']])
        assert.deepEqual(await things.find({}, { projection: { _id: 1 } }).sort({ _id: 1 }).toArray(), [{ _id: 'a' }, { _id: 'b' }, { _id: 'c' }])
        assert.deepEqual(await things.find({}, { projection: { lesson: 1, _id: 0, title: 1 } }).sort({ _id: 1 }).toArray(), [
          { title: 'Erste', lesson: { tried: 'Abendgruppe', worked: ['ja', { warum: 'Nähe' }] } },
          { title: 'Zweite', lesson: { tried: 'Telefon' } },
          {}
        ])
        assert.deepEqual(await keysFound({ lesson: 1, _id: 0, title: 1 }), [['title', 'lesson'], ['title', 'lesson'], []])
      })

      it('projects the documents findOneAnd* returns in the document\'s order too', async () => {
        const changed = await things.findOneAndUpdate({ _id: 'b' as any }, { $set: { n: 1 } }, { returnDocument: 'after', projection: { n: 1, title: 1 } })
        assert.deepEqual(Object.keys(changed ?? {}), ['_id', 'title', 'n'])
        const removed = await things.findOneAndDelete({ _id: 'a' as any }, { projection: { html: 0, source: 0, _id: 0 } })
        assert.deepEqual(Object.keys(removed ?? {}), ['objectId', 'title', 'updated', 'person', '_meta', 'lesson'])
      })
    })

    describe('updates', () => {
      it('frees a unique key an update or a replacement moves away from', async () => {
        await things.createIndex({ name: 1 }, { unique: true })
        await things.createIndex({ group: 1, name: 1 }, { unique: true })
        await things.insertOne({ name: 'alt', group: 'g' })
        await things.updateOne({ name: 'alt' }, { $set: { name: 'neu' } })
        await things.insertOne({ name: 'alt', group: 'g' })
        await things.findOneAndReplace({ name: 'neu' }, { name: 'dritt', group: 'g' })
        await things.insertOne({ name: 'neu', group: 'g' })
        assert.deepEqual((await things.find({}, { projection: { _id: 0, name: 1 } }).sort({ name: 1 }).toArray()).map(thing => thing.name), ['alt', 'dritt', 'neu'])
      })

      it('upserts with operators, seeding the document from the filter', async () => {
        const result = await things.updateOne({ id: 'p', kind: { $eq: 'page' } }, { $set: { title: 'T' }, $setOnInsert: { created: 1 } }, { upsert: true })
        assert.equal(result.upsertedCount, 1)
        assert.equal(result.matchedCount, 0)
        assert.ok(result.upsertedId instanceof ObjectId)
        const stored = await things.findOne({ id: 'p' }, { projection: { _id: 0 } })
        assert.deepEqual(stored, { id: 'p', kind: 'page', title: 'T', created: 1 })
        const again = await things.updateOne({ id: 'p' }, { $set: { title: 'U' }, $setOnInsert: { created: 2 } }, { upsert: true })
        assert.equal(again.matchedCount, 1)
        assert.equal(again.modifiedCount, 1)
        assert.equal(again.upsertedId, null)
        assert.equal((await things.findOne({ id: 'p' }))?.created, 1)
      })

      it('sets and unsets top-level fields, counting only what changes', async () => {
        const ref = new ObjectId()
        await things.insertOne({ id: 't', a: 1, when: new Date(0), ref, tags: ['x'], nested: { k: 'v' }, gone: 1 })
        const same = await things.updateOne({ id: 't' }, { $set: { a: 1, when: new Date(0), ref: new ObjectId(ref.toHexString()), tags: ['x'], nested: { k: 'v' } }, $unset: { missing: '' } })
        assert.equal(same.matchedCount, 1)
        assert.equal(same.modifiedCount, 0)
        assert.equal((await things.updateOne({ id: 't' }, { $set: { a: 2 } })).modifiedCount, 1)
        assert.equal((await things.updateOne({ id: 't' }, { $unset: { gone: '' } })).modifiedCount, 1)
        assert.equal((await things.updateOne({ id: 't' }, { $set: { nested: { k: 'w' } }, $unset: { tags: 1 } })).modifiedCount, 1)
        assert.equal((await things.updateOne({ id: 't' }, { $set: { nested: { k: 'w' } } })).modifiedCount, 0)
        const stored = await things.findOne({ id: 't' }, { projection: { _id: 0 } })
        assert.deepEqual(Object.keys(stored ?? {}), ['id', 'a', 'when', 'ref', 'nested'], 'fields keep their places')
        assert.deepEqual(stored, { id: 't', a: 2, when: new Date(0), ref, nested: { k: 'w' } })
        // An upsert sets the fields on the seed from the filter's equalities, whatever else the filter asks.
        await things.updateOne({ id: 'u', n: { $gt: 5 } }, { $set: { title: 'T' } }, { upsert: true })
        assert.deepEqual(await things.findOne({ id: 'u' }, { projection: { _id: 0 } }), { id: 'u', title: 'T' })
        await things.updateOne({ id: 'v', n: { $gt: 5 } }, { $inc: { n: 1 }, $set: { 'deep.title': 'T' } }, { upsert: true })
        assert.deepEqual(await things.findOne({ id: 'v' }, { projection: { _id: 0 } }), { id: 'v', n: 1, deep: { title: 'T' } })
      })

      it('adds to and pulls from nested arrays', async () => {
        await things.insertOne({ id: 'a', _meta: { collection: ['inbox'] } })
        await things.updateOne({ id: 'a' }, { $addToSet: { '_meta.collection': 'outbox' } })
        await things.updateOne({ id: 'a' }, { $addToSet: { '_meta.collection': 'outbox' } })
        assert.deepEqual((await things.findOne({ id: 'a' }))?._meta.collection, ['inbox', 'outbox'])
        const unchanged = await things.updateOne({ id: 'a' }, { $addToSet: { '_meta.collection': 'inbox' } })
        assert.equal(unchanged.modifiedCount, 0)
        await things.updateOne({ id: 'a' }, { $pull: { '_meta.collection': 'inbox' as any } })
        assert.deepEqual((await things.findOne({ id: 'a' }))?._meta.collection, ['outbox'])
        assert.equal(await things.countDocuments({ '_meta.collection': 'outbox' }), 1)
      })

      it('updates array elements chosen by arrayFilters', async () => {
        await things.insertMany([
          { id: 's1', object: [{ id: 'o1', v: 1 }, { id: 'o2', v: 1 }] },
          { id: 's2', object: [{ id: 'o1', v: 1 }] },
          { id: 's3', object: [{ id: 'o3', v: 1 }] }
        ])
        const result = await things.updateMany({ 'object.id': 'o1' }, { $set: { 'object.$[element]': { id: 'o1', v: 2 } } }, { arrayFilters: [{ 'element.id': 'o1' }] })
        assert.equal(result.matchedCount, 2)
        assert.equal(result.modifiedCount, 2)
        const all = await things.find({}, { projection: { _id: 0 } }).sort({ id: 1 }).toArray()
        assert.deepEqual(all.map(document => document.object.map((object: any) => object.v)), [[2, 1], [2], [1]])
      })

      it('reports modifiedCount 0 for a replaceOne that changes nothing', async () => {
        await things.insertOne({ id: 'r', title: 'same' })
        const same = await things.replaceOne({ id: 'r' }, { id: 'r', title: 'same' })
        assert.equal(same.matchedCount, 1)
        assert.equal(same.modifiedCount, 0)
        const changed = await things.replaceOne({ id: 'r' }, { id: 'r', title: 'new' })
        assert.equal(changed.modifiedCount, 1)
        const upserted = await things.replaceOne({ id: 'q' }, { id: 'q' }, { upsert: true })
        assert.equal(upserted.upsertedCount, 1)
        assert.equal(await things.countDocuments(), 2)
      })

      it('answers findOneAnd* with the document alone, projection applied, or null', async () => {
        await things.insertMany([{ id: 'a', n: 1, secret: 's' }, { id: 'b', n: 2, secret: 's' }])
        assert.deepEqual(await things.findOneAndUpdate({ id: 'a' }, { $inc: { n: 10 } }, { projection: { _id: 0, secret: 0 } }), { id: 'a', n: 1 })
        assert.deepEqual(await things.findOneAndUpdate({ id: 'a' }, { $inc: { n: 1 } }, { returnDocument: 'after', projection: { _id: 0, n: 1 } }), { n: 12 })
        assert.equal(await things.findOneAndUpdate({ id: 'zz' }, { $set: { n: 0 } }), null)
        assert.equal(await things.findOneAndUpdate({ id: 'c' }, { $set: { n: 3 } }, { upsert: true }), null)
        assert.deepEqual(await things.findOneAndUpdate({ id: 'd' }, { $set: { n: 4 } }, { upsert: true, returnDocument: 'after', projection: { _id: 0 } }), { id: 'd', n: 4 })
        assert.deepEqual(await things.findOneAndReplace({ id: 'b' }, { id: 'b', n: 20 }, { returnDocument: 'after', projection: { _id: 0 } }), { id: 'b', n: 20 })
        assert.deepEqual(await things.findOneAndDelete({}, { sort: { n: -1 }, projection: { _id: 0, id: 1 } }), { id: 'b' })
        assert.equal(await things.findOneAndDelete({ id: 'zz' }), null)
        assert.equal(await things.countDocuments(), 3)
      })

      it('answers findOneAnd* with the whole ModifyResult when asked for its metadata', async () => {
        await things.insertMany([{ id: 'a', n: 1, secret: 's' }, { id: 'b', n: 2, secret: 's' }])
        const before = await things.findOneAndUpdate({ id: 'a' }, { $inc: { n: 10 } }, { projection: { _id: 0, secret: 0 }, includeResultMetadata: true })
        assert.deepEqual(before.value, { id: 'a', n: 1 })
        assert.equal(before.ok, 1)
        assert.equal(before.lastErrorObject?.n, 1)
        assert.equal(before.lastErrorObject?.updatedExisting, true)
        assert.equal('modifiedCount' in before, false)
        const missing = await things.findOneAndUpdate({ id: 'zz' }, { $set: { n: 0 } }, { includeResultMetadata: true })
        assert.equal(missing.value, null)
        assert.equal(missing.lastErrorObject?.n, 0)
        const upserted = await things.findOneAndUpdate({ id: 'c' }, { $set: { n: 3 } }, { upsert: true, returnDocument: 'after', projection: { _id: 0 }, includeResultMetadata: true })
        assert.deepEqual(upserted.value, { id: 'c', n: 3 })
        assert.equal(upserted.lastErrorObject?.updatedExisting, false)
        assert.ok(upserted.lastErrorObject?.upserted instanceof ObjectId)
        const replaced = await things.findOneAndReplace({ id: 'b' }, { id: 'b', n: 20 }, { returnDocument: 'after', projection: { _id: 0 }, includeResultMetadata: true })
        assert.deepEqual(replaced.value, { id: 'b', n: 20 })
        const deleted = await things.findOneAndDelete({}, { sort: { n: -1 }, projection: { _id: 0, id: 1 }, includeResultMetadata: true })
        assert.deepEqual(deleted.value, { id: 'b' })
        assert.equal(deleted.ok, 1)
        assert.equal(deleted.lastErrorObject?.n, 1)
        assert.equal(await things.countDocuments(), 2)
      })

      it('deletes one or many', async () => {
        await things.insertMany([{ k: 1 }, { k: 1 }, { k: 2 }])
        assert.equal((await things.deleteOne({ k: 1 })).deletedCount, 1)
        assert.equal((await things.deleteMany({})).deletedCount, 2)
      })
    })

    describe('aggregation', () => {
      beforeEach(async () => {
        const objects = db.collection('objects')
        await objects.createIndex({ id: 1 }, { unique: true })
        await objects.insertMany([
          { id: 'alice', name: 'Alice', _meta: { privateKey: 'k' } },
          { id: 'bob', name: 'Bob' }
        ])
        await things.insertMany([
          { id: 's1', actor: ['alice'], object: [{ id: 'o1', _id: 1, _meta: 'm' }], _meta: { collection: ['inbox'] }, n: 1 },
          { id: 's2', actor: ['nobody'], object: [], _meta: { collection: ['inbox'] }, n: 2 },
          { id: 's3', actor: ['bob', 'alice'], object: [], _meta: { collection: ['inbox', 'outbox'] }, n: 3 },
          { id: 's4', actor: ['bob'], object: [], _meta: { collection: ['outbox'] }, n: 4 }
        ])
      })

      it('runs activitypub-express\'s stream pipeline: $lookup with no match gives [], arrays match any element', async () => {
        const stream = await things.aggregate([
          { $match: { '_meta.collection': 'inbox' } },
          { $sort: { _id: -1 } },
          { $limit: 10 },
          { $lookup: { from: 'objects', localField: 'actor', foreignField: 'id', as: 'actor' } },
          { $project: { _meta: 0, _id: 0, 'object._id': 0, 'object._meta': 0, 'actor._meta': 0, 'actor._id': 0 } }
        ]).toArray()
        assert.deepEqual(stream.map(activity => activity.id), ['s3', 's2', 's1'])
        assert.deepEqual(stream[0]?.actor.map((actor: any) => actor.name), ['Alice', 'Bob'])
        assert.deepEqual(stream[1]?.actor, [])
        assert.deepEqual(stream[2]?.actor, [{ id: 'alice', name: 'Alice' }])
        assert.deepEqual(stream[2]?.object, [{ id: 'o1' }])
        const filtered = await things.aggregate([
          { $match: { '_meta.collection': 'inbox' } },
          { $lookup: { from: 'objects', localField: 'actor', foreignField: 'id', as: 'actor' } },
          { $match: { actor: { $ne: [] } } },
          { $count: 'total' }
        ]).toArray()
        assert.deepEqual(filtered, [{ total: 2 }])
      })

      it('leaves stored documents whole after projections that exclude nested fields', async () => {
        await things.aggregate([{ $lookup: { from: 'objects', localField: 'actor', foreignField: 'id', as: 'actor' } }, { $project: { 'actor._meta': 0, 'object._meta': 0 } }]).toArray()
        await things.find({}, { projection: { 'object._meta': 0 } }).toArray()
        assert.equal((await db.collection('objects').findOne({ id: 'alice' }))?._meta.privateKey, 'k')
        assert.equal((await things.findOne({ id: 's1' }))?.object[0]._meta, 'm')
      })

      it('unwinds, groups and counts', async () => {
        const perCollection = await things.aggregate([
          { $unwind: '$_meta.collection' },
          { $group: { _id: '$_meta.collection', total: { $sum: '$n' }, count: { $sum: 1 } } },
          { $sort: { _id: 1 } }
        ]).toArray()
        assert.deepEqual(perCollection, [{ _id: 'inbox', total: 6, count: 3 }, { _id: 'outbox', total: 7, count: 2 }])
        assert.deepEqual(await things.aggregate([{ $match: { n: { $gt: 1 } } }, { $skip: 1 }, { $count: 'rest' }]).toArray(), [{ rest: 2 }])
      })
    })

    describe('indexes and dropping', () => {
      it('keeps index names, lists them, and drops them with the database', async () => {
        assert.equal(await things.createIndex({ 'object.id': 1 }, { name: 'stream-object-updates' }), 'stream-object-updates')
        assert.equal(await things.createIndex({ a: 1, b: -1 }), 'a_1_b_-1')
        assert.equal(await things.createIndex({ a: 1, b: -1 }), 'a_1_b_-1')
        const names = (await things.indexes()).map(index => index.name).sort()
        assert.deepEqual(names, ['_id_', 'a_1_b_-1', 'stream-object-updates'])
        await things.insertOne({ a: 1 })
        await db.dropDatabase()
        assert.equal(await things.countDocuments(), 0)
        await things.insertOne({ a: 1 })
        assert.deepEqual((await things.indexes()).map(index => index.name), ['_id_'])
      })

      it('refuses a unique index over existing duplicates', async () => {
        await things.insertMany([{ k: 1 }, { k: 1 }])
        await rejectsWithCode(things.createIndex({ k: 1 }, { unique: true }), 11000)
      })

      it('drops one collection', async () => {
        await things.insertOne({ a: 1 })
        await db.collection('others').insertOne({ b: 1 })
        assert.equal(await things.drop(), true)
        assert.equal(await things.countDocuments(), 0)
        assert.equal(await db.collection('others').countDocuments(), 1)
      })
    })

    describe('bad input', () => {
      it('refuses an update without operators, as the driver does', async () => {
        // The driver refuses these before it returns a promise: only a function catches both ways.
        await assert.rejects(async () => await things.updateOne({}, { plain: 1 } as any), /atomic operators/)
        await assert.rejects(async () => await things.replaceOne({}, { $set: { a: 1 } } as any), /atomic operators/)
      })

      it('refuses unknown update operators and conflicting paths', async () => {
        await things.insertOne({ id: 'a', n: 'text' })
        await rejectsWithCode(things.updateOne({ id: 'a' }, { $frobnicate: { n: 1 } } as any), 9)
        await rejectsWithCode(things.updateOne({ id: 'a' }, { $set: { n: 1 }, $inc: { n: 1 } }), 40)
        await rejectsWithCode(things.updateOne({ id: 'a' }, { $inc: { n: 1 } }), 14)
        await rejectsWithCode(things.updateOne({ id: 'a' }, { $inc: { n: 'x' } } as any), 14)
        await rejectsWithCode(things.updateOne({ id: 'a' }, { $set: { _id: 'other' } }), 66)
        assert.deepEqual(await things.findOne({ id: 'a' }, { projection: { _id: 0 } }), { id: 'a', n: 'text' })
      })

      it('refuses unknown query operators', async () => {
        await assert.rejects(things.find({ a: { $frobnicate: 1 } }).toArray(), (error: any) => error.code === 2)
      })

      it('refuses documents over 16 MiB and stores nothing', async () => {
        const big = 'x'.repeat(17 * 1024 * 1024)
        await assert.rejects(things.insertOne({ big }))
        await things.insertOne({ id: 'small' })
        await assert.rejects(things.updateOne({ id: 'small' }, { $set: { big } }))
        assert.equal(await things.countDocuments({ big: { $exists: true } }), 0)
      })

      it('refuses values that cannot be stored and stores nothing', async () => {
        const cyclic: any = { id: 'loop' }
        cyclic.self = cyclic
        await assert.rejects(things.insertOne(cyclic))
        assert.equal(await things.countDocuments(), 0)
      })
    })
  })
}
