import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { after, before, beforeEach, describe, it } from 'node:test'
import type { Db } from 'mongodb'
import { apexStoreDb } from '../../src/federation/apex-store-db.ts'
import { enginesUnderTest } from '../store/engines.ts'

const require = createRequire(import.meta.url)
const ApexStore = require('activitypub-express/store')
const LOCAL = 'https://wiki.example'

for (const engine of enginesUnderTest()) {
  describe(`the Db activitypub-express is given, on the ${engine.name} engine`, () => {
    let db: Db
    let dispose: () => Promise<void>
    let apexStore: any

    before(async () => {
      ({ db, dispose } = await engine.open())
    })
    after(async () => {
      await dispose()
    })
    beforeEach(async () => {
      await db.dropDatabase()
      apexStore = new ApexStore()
      apexStore.db = apexStoreDb(db, LOCAL)
      await apexStore.setup()
    })

    it('answers findOneAnd* with the ModifyResult that activitypub-express reads', async () => {
      const things = apexStoreDb(db, LOCAL).collection('things')
      await things.insertOne({ id: 'a', n: 1 })
      const updated: any = await things.findOneAndUpdate({ id: 'a' }, { $inc: { n: 1 } }, { returnDocument: 'after', projection: { _id: 0 } })
      assert.deepEqual(updated.value, { id: 'a', n: 2 })
      assert.equal(updated.ok, 1)
      const replaced: any = await things.findOneAndReplace({ id: 'b' }, { id: 'b', n: 5 }, { upsert: true, returnDocument: 'after', projection: { _id: 0 } })
      assert.deepEqual(replaced.value, { id: 'b', n: 5 })
      const missing: any = await things.findOneAndDelete({ id: 'zz' })
      assert.equal(missing.value, null)
      assert.equal(missing.ok, 1)
    })

    it('caches other servers\' objects without waiting for the journal, and waits for the wiki\'s own', async () => {
      const concerns = new Map<string, unknown>()
      // The Db as the driver gives it, noting the write concern each insert into objects asks for.
      const noting = new Proxy(db, {
        get (target, property) {
          if (property !== 'collection') return Reflect.get(target, property, target)
          return (name: string) => {
            const collection = target.collection(name)
            return new Proxy(collection, {
              get (inner, key) {
                if (key === 'insertOne') {
                  return async (document: any, options?: any) => {
                    concerns.set(document.id, options?.writeConcern ?? null)
                    return await inner.insertOne(document, options)
                  }
                }
                const value = Reflect.get(inner, key, inner)
                return typeof value === 'function' ? value.bind(inner) : value
              }
            })
          }
        }
      })
      const store = new ApexStore()
      store.db = apexStoreDb(noting, LOCAL + '/')
      assert.equal(await store.saveObject({ id: 'https://elsewhere.example/notes/1', type: 'Note' }), true)
      assert.equal(await store.saveObject({ id: `${LOCAL}/ap/u/wiki`, type: 'Organization' }), true)
      assert.deepEqual(concerns.get('https://elsewhere.example/notes/1'), { journal: false })
      assert.equal(concerns.get(`${LOCAL}/ap/u/wiki`), null)
      // A look-alike host is not the wiki's own.
      assert.equal(await store.saveObject({ id: `${LOCAL}.evil.example/x`, type: 'Note' }), true)
      assert.deepEqual(concerns.get(`${LOCAL}.evil.example/x`), { journal: false })
      // Both are stored, and a second copy is still refused as a duplicate, which apex relies on.
      assert.equal(await store.saveObject({ id: 'https://elsewhere.example/notes/1', type: 'Note' }), false)
      assert.equal((await store.getObject('https://elsewhere.example/notes/1')).type, 'Note')
    })

    it('leaves everything else, and the app\'s own Db, as the driver has them', async () => {
      const given = apexStoreDb(db, LOCAL)
      assert.equal(given.databaseName, db.databaseName)
      const things = given.collection('things')
      assert.equal(things.collectionName, 'things')
      await things.insertMany([{ id: 'a', n: 1 }, { id: 'b', n: 2 }])
      assert.equal(await things.countDocuments({ n: { $gt: 1 } }), 1)
      assert.deepEqual(await things.find({}, { projection: { _id: 0, id: 1 } }).sort({ n: -1 }).toArray(), [{ id: 'b' }, { id: 'a' }])
      assert.deepEqual(await db.collection('things').findOneAndUpdate({ id: 'a' }, { $set: { n: 3 } }, { returnDocument: 'after', projection: { _id: 0 } }), { id: 'a', n: 3 })
    })

    it('lets activitypub-express\'s own store update activities and dequeue deliveries', async () => {
      const activity = { id: 'https://example.org/s/1', type: 'Follow', actor: 'https://example.org/u/a', _meta: { collection: ['inbox'] } }
      assert.equal(await apexStore.saveActivity(activity), true)
      const changed = await apexStore.updateActivityMeta(activity, 'collection', 'outbox')
      assert.deepEqual(changed._meta.collection, ['inbox', 'outbox'])
      await assert.rejects(apexStore.updateActivityMeta({ id: 'https://example.org/s/2' }, 'collection', 'outbox'), /not found/)

      await apexStore.deliveryEnqueue('https://example.org/u/a', '{}', ['https://example.net/inbox'], 'key')
      const delivery = await apexStore.deliveryDequeue()
      assert.equal(delivery.address, 'https://example.net/inbox')
      assert.equal(delivery.attempt, 0)
      assert.equal(await apexStore.deliveryDequeue(), null)
    })
  })
}
