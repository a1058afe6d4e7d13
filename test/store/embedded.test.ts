import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { copyFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { EmbeddedClient, openEmbeddedClient } from '../../src/store/embedded/client.ts'
import { orderedCandidates } from '../../src/store/embedded/state.ts'

const journalOf = (dataDir: string): string => path.join(dataDir, 'praxiswiki.journal')

describe('the embedded engine', () => {
  let dataDir: string
  const opened: EmbeddedClient[] = []

  async function open (options: { warn?: (message: string) => void, compactAfterBytes?: number } = {}): Promise<EmbeddedClient> {
    const client = await openEmbeddedClient({ dataDir, ...options })
    opened.push(client)
    return client
  }

  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'praxiswiki-embedded-'))
  })
  afterEach(async () => {
    for (const client of opened.splice(0)) await client.close()
    await rm(dataDir, { recursive: true, force: true })
  })

  describe('durability', () => {
    it('keeps documents and indexes across a restart', async () => {
      const first = await open()
      const pages = first.db().collection('pages')
      await pages.createIndex({ slug: 1 }, { unique: true, name: 'slug' })
      await pages.insertMany([{ slug: 'a', n: 1 }, { slug: 'b', n: 2 }])
      await pages.updateOne({ slug: 'a' }, { $set: { n: 10 } })
      await pages.deleteOne({ slug: 'b' })
      await first.close()

      const second = await open()
      const reopened = second.db().collection('pages')
      assert.deepEqual(await reopened.find({}, { projection: { _id: 0 } }).toArray(), [{ slug: 'a', n: 10 }])
      assert.deepEqual((await reopened.indexes()).map(index => index.name), ['_id_', 'slug'])
      await assert.rejects(reopened.insertOne({ slug: 'a' }), (error: any) => error.code === 11000)
    })

    it('keeps the documents\' BSON in slabs of its own, after writes and after a restart', async () => {
      const first = await open()
      const notes = first.db().collection('notes')
      await notes.insertMany(Array.from({ length: 50 }, (_, n) => ({ n, text: 'a short note' })))
      await notes.updateOne({ n: 3 }, { $set: { text: 'changed' } })
      // A slice of Node's shared 8 KiB pool, or of a journal entry, would keep the whole buffer alive;
      // memory of each document's own would cost an allocation and two heap objects per document.
      const inSlabs = (client: EmbeddedClient): void => {
        const documents = [...client.engine.collection('praxiswiki.notes')?.documents.values() ?? []]
        assert.equal(documents.length, 50)
        const memories = new Set(documents.map(stored => stored.bytes.buffer))
        assert.equal(memories.size, 1, 'fifty small documents share one slab')
        const [memory] = memories
        assert.ok(memory!.byteLength >= 64 * 1024, `a slab of the engine's own, not Node's pool (${memory!.byteLength} bytes)`)
        for (const stored of documents) assert.deepEqual(Object.keys(stored).sort(), ['length', 'offset', 'sequence', 'slab'])
      }
      inSlabs(first)
      await first.close()
      const second = await open()
      inSlabs(second)
      assert.equal((await second.db().collection('notes').findOne({ n: 3 }))?.text, 'changed')
    })

    it('copies the documents of mostly deleted slabs on, and reads them the same', async () => {
      const first = await open()
      const notes = first.db().collection('notes')
      // 400 documents of 50 kB: about ten to a slab. Deleting nine in ten leaves each slab a tenth live.
      await notes.insertMany(Array.from({ length: 400 }, (_, n) => ({ n, text: `${n}:`.padEnd(50_000, 'x') })))
      const state = (client: EmbeddedClient) => client.engine.collection('praxiswiki.notes')!
      const slabsOf = (client: EmbeddedClient) => new Set([...state(client).documents.values()].map(stored => stored.slab))
      assert.ok(slabsOf(first).size >= 35, `${slabsOf(first).size} slabs before`)
      const kept = [...state(first).documents.values()].find(stored => stored.sequence === 0)!
      const viewBefore = kept.bytes
      await notes.deleteMany({ n: { $mod: [10, 1] } })
      await notes.deleteMany({ n: { $not: { $mod: [10, 0] } } })
      assert.equal(await notes.countDocuments(), 40)
      assert.ok(slabsOf(first).size <= 10, `the 40 documents left (and some deleted after the move) share ${slabsOf(first).size} slabs`)
      assert.ok(first.engine.slabs.heldBytes < 6 * 1024 * 1024, `${first.engine.slabs.heldBytes} bytes held`)
      // A view read before the move keeps the old bytes; the stored document reads the same from its new place.
      assert.notEqual(kept.bytes.buffer, viewBefore.buffer)
      assert.ok(kept.bytes.equals(viewBefore))
      const read = async (client: EmbeddedClient) => (await client.db().collection('notes').find({}, { sort: { n: 1 } }).toArray()).map(note => [note.n, (note.text as string).slice(0, 6), (note.text as string).length])
      const expected = Array.from({ length: 40 }, (_, i) => [i * 10, `${i * 10}:`.padEnd(6, 'x'), 50_000])
      assert.deepEqual(await read(first), expected)
      await notes.updateOne({ n: 0 }, { $set: { text: 'short' } })
      await first.close()
      const second = await open()
      assert.deepEqual((await read(second)).slice(1), expected.slice(1))
      assert.equal((await second.db().collection('notes').findOne({ n: 0 }))?.text, 'short')
    })

    it('counts the documents of a dropped collection or database as gone', async () => {
      const client = await open()
      const notes = client.db().collection('notes')
      await notes.insertMany(Array.from({ length: 30 }, (_, n) => ({ n, text: 'x'.repeat(100_000) })))
      await client.db('other').collection('files').insertMany(Array.from({ length: 10 }, (_, n) => ({ n, text: 'y'.repeat(100_000) })))
      assert.ok(client.engine.slabs.heldBytes > 4_000_000)
      await notes.drop()
      assert.ok(client.engine.slabs.heldBytes < 1_100_000, `${client.engine.slabs.heldBytes} bytes held after the drop`)
      await client.db('other').dropDatabase()
      assert.ok(client.engine.slabs.heldBytes < 100_000, `${client.engine.slabs.heldBytes} bytes held after dropping the database`)
    })

    it('drops a torn final entry with a warning and keeps everything before it', async () => {
      const first = await open()
      await first.db().collection('pages').insertOne({ slug: 'kept' })
      await first.close()
      const before = (await stat(journalOf(dataDir))).size
      const second = await open()
      await second.db().collection('pages').insertOne({ slug: 'torn', body: 'x'.repeat(200) })
      await second.close()
      // Cut the last entry in half, as a crash during its write would.
      const contents = await readFile(journalOf(dataDir))
      await writeFile(journalOf(dataDir), contents.subarray(0, before + Math.floor((contents.length - before) / 2)))

      const warnings: string[] = []
      const third = await open({ warn: message => warnings.push(message) })
      assert.deepEqual((await third.db().collection('pages').find({}, { projection: { _id: 0 } }).toArray()), [{ slug: 'kept' }])
      assert.equal(warnings.length, 1)
      assert.match(warnings[0] ?? '', /torn final entry at offset \d+/)
      // The cut-off bytes are gone, so new entries follow intact ones.
      await third.db().collection('pages').insertOne({ slug: 'after' })
      await third.close()
      const fourth = await open({ warn: message => warnings.push(message) })
      assert.equal(await fourth.db().collection('pages').countDocuments(), 2)
      assert.equal(warnings.length, 1)
    })

    it('refuses to start on corruption in the middle of the journal, naming file and offset', async () => {
      const first = await open()
      const pages = first.db().collection('pages')
      for (let index = 0; index < 5; index++) await pages.insertOne({ slug: `p${index}`, body: 'text '.repeat(20) })
      await first.close()
      const contents = await readFile(journalOf(dataDir))
      const middle = Math.floor(contents.length / 2)
      contents[middle] = (contents[middle] ?? 0) ^ 0xff
      await writeFile(journalOf(dataDir), contents)
      await assert.rejects(openEmbeddedClient({ dataDir }), (error: Error) => {
        assert.match(error.message, /praxiswiki\.journal is corrupt at offset \d+/)
        assert.match(error.message, /refusing to start/)
        return true
      })
    })

    it('refuses a file that is not a journal', async () => {
      await writeFile(journalOf(dataDir), 'not a journal at all')
      await assert.rejects(openEmbeddedClient({ dataDir }), /not a Praxiswiki journal/)
    })

    it('acknowledges a write that need not wait for the journal at once, and the next write that waits makes both durable', async () => {
      const client = await open()
      const pages = client.db().collection('pages')
      const onDisk = async (): Promise<string[]> => {
        const snapshot = await EmbeddedClient.openSnapshot({ dataDir })
        try {
          return (await snapshot.db().collection('pages').find({}).toArray()).map(document => String(document.slug))
        } finally {
          await snapshot.close()
        }
      }
      const written = client.engine.journalBytes
      await pages.insertOne({ slug: 'revision' }, { writeConcern: { w: 1, journal: false } })
      assert.equal(client.engine.journalBytes, written, 'the write without the journal was acknowledged only after it was on disk')
      await pages.insertOne({ slug: 'page' })
      assert.deepEqual(await onDisk(), ['revision', 'page'])
    })

    it('refuses the next write once a write that did not wait for the journal could not be written', async () => {
      const client = await openEmbeddedClient({ dataDir })
      const pages = client.db().collection('pages')
      await pages.insertOne({ slug: 'before' })
      // The disk is full for one moment: the next write to the journal file fails, later ones would not.
      const handle = Reflect.get(Reflect.get(client.engine, 'journal') as object, 'handle') as { writev: (...args: unknown[]) => Promise<unknown> }
      const writev = handle.writev
      handle.writev = async () => {
        handle.writev = writev
        throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' })
      }
      await pages.insertOne({ slug: 'lost' }, { writeConcern: { w: 1, journal: false } })
      await assert.rejects(pages.insertOne({ slug: 'after' }), /could not be written.*no space left/)
      await assert.rejects(client.close(), /could not be written/)
    })

    it('compacts the journal into a smaller file with the same data', async () => {
      const client = await open()
      const pages = client.db().collection('pages')
      await pages.createIndex({ slug: 1 }, { unique: true })
      await pages.insertOne({ slug: 'hot', n: 0 })
      for (let index = 1; index <= 200; index++) await pages.updateOne({ slug: 'hot' }, { $set: { n: index, body: 'b'.repeat(100) } })
      const grown = client.engine.journalBytes
      await client.engine.compact()
      assert.ok(client.engine.journalBytes < grown / 10, `${client.engine.journalBytes} should be far below ${grown}`)
      await pages.insertOne({ slug: 'new' })
      await client.close()
      const reopened = await open()
      const again = reopened.db().collection('pages')
      assert.equal((await again.findOne({ slug: 'hot' }))?.n, 200)
      assert.equal(await again.countDocuments(), 2)
      await assert.rejects(again.insertOne({ slug: 'new' }), (error: any) => error.code === 11000)
    })

    describe('writes while the journal is compacted', () => {
      /** A store big enough that writing its snapshot takes many turns of the event loop. */
      async function filled (client: EmbeddedClient): Promise<void> {
        const pages = client.db().collection('pages')
        await pages.createIndex({ slug: 1 }, { unique: true })
        for (let batch = 0; batch < 20; batch++) {
          await pages.insertMany(Array.from({ length: 1000 }, (_, index) => ({ slug: `p${batch}-${index}`, body: 'text '.repeat(30) })))
        }
        await pages.updateMany({}, { $set: { revised: true } })
      }

      it('acknowledges writes while the snapshot is written, and keeps them in the compacted journal', async () => {
        const client = await open()
        await filled(client)
        const pages = client.db().collection('pages')
        const grown = client.engine.journalBytes
        let compacted = false
        const compaction = client.engine.compact().then(() => { compacted = true })
        const during: string[] = []
        // Large enough that the compaction catches up with them in rounds before the flush loop adds the rest.
        while (!compacted && during.length < 200) {
          const slug = `during-${during.length}`
          await pages.insertOne({ slug, body: 'd'.repeat(40_000) })
          if (!compacted) during.push(slug)
        }
        await compaction
        assert.ok(during.length > 0, 'no write was acknowledged before the compaction ended')
        assert.ok(client.engine.journalBytes < grown * 0.7, `the journal stayed at ${client.engine.journalBytes} of ${grown} bytes`)
        await pages.updateOne({ slug: 'p0-0' }, { $set: { after: true } })
        await client.close()

        const reopened = await open()
        const again = reopened.db().collection('pages')
        assert.equal(await again.countDocuments({ slug: { $in: during } }), during.length)
        assert.equal(await again.countDocuments({ revised: true }), 20_000)
        assert.equal((await again.findOne({ slug: 'p0-0' }))?.after, true)
        await assert.rejects(again.insertOne({ slug: during[0] }), (error: any) => error.code === 11000)
      })

      it('leaves a journal with every acknowledged write when the process dies before the compacted file is renamed into place', async () => {
        const client = await open()
        await filled(client)
        const pages = client.db().collection('pages')
        let compacted = false
        const compaction = client.engine.compact().then(() => { compacted = true })
        await pages.insertOne({ slug: 'acknowledged during the compaction' })
        assert.equal(compacted, false, 'the compaction ended before the write was acknowledged')
        // What a kill -9 now leaves on disk: the files as they stand, the temporary one half written.
        const crashed = await mkdtemp(path.join(os.tmpdir(), 'praxiswiki-embedded-crashed-'))
        try {
          await copyFile(journalOf(dataDir), journalOf(crashed))
          await copyFile(journalOf(dataDir) + '.compact', journalOf(crashed) + '.compact').catch(() => {})
          await compaction
          const recovered = await openEmbeddedClient({ dataDir: crashed })
          try {
            const found = recovered.db().collection('pages')
            assert.equal(await found.countDocuments({ slug: 'acknowledged during the compaction' }), 1)
            assert.equal(await found.countDocuments({ revised: true }), 20_000)
          } finally {
            await recovered.close()
          }
          await assert.rejects(stat(journalOf(crashed) + '.compact'), { code: 'ENOENT' })
        } finally {
          await rm(crashed, { recursive: true, force: true })
        }
      })
    })

    it('compacts by itself once the journal outgrows the live data', async () => {
      const client = await open({ compactAfterBytes: 20_000 })
      const pages = client.db().collection('pages')
      await pages.insertOne({ slug: 'hot' })
      for (let index = 0; index < 300; index++) await pages.updateOne({ slug: 'hot' }, { $set: { n: index, body: 'c'.repeat(100) } })
      assert.ok(client.engine.journalBytes < 40_000, `journal stayed at ${client.engine.journalBytes} bytes`)
      await client.close()
      const reopened = await open()
      assert.equal((await reopened.db().collection('pages').findOne({ slug: 'hot' }))?.n, 299)
    })
  })

  describe('the data dir lock', () => {
    it('refuses a second open in the same process', async () => {
      await open()
      await assert.rejects(openEmbeddedClient({ dataDir }), /already open in this process/)
    })

    it('refuses a second process, and takes over the lock once that process is gone', { timeout: 30_000 }, async () => {
      const holder = spawn(process.execPath, ['--import', 'tsx', '-e', `
        const { openEmbeddedClient } = await import(${JSON.stringify(new URL('../../src/store/embedded/client.ts', import.meta.url).href)})
        await openEmbeddedClient({ dataDir: ${JSON.stringify(dataDir)} })
        console.log('ready')
        setTimeout(() => {}, 20000)
      `], { stdio: ['ignore', 'pipe', 'inherit'] })
      try {
        await new Promise<void>((resolve, reject) => {
          holder.stdout.on('data', chunk => { if (String(chunk).includes('ready')) resolve() })
          holder.on('exit', code => reject(new Error(`holder exited with ${code}`)))
        })
        await assert.rejects(openEmbeddedClient({ dataDir }), new RegExp(`in use by process ${holder.pid}`))
      } finally {
        holder.kill('SIGKILL')
        await new Promise(resolve => holder.once('exit', resolve))
      }
      const client = await open()
      await client.db().collection('pages').insertOne({ slug: 'mine now' })
    })
  })

  describe('index keys from the indexed fields alone', () => {
    it('gives every index the keys the whole document would', async () => {
      const client = await open()
      const things = client.db().collection('things')
      await things.createIndex({ a: 1 }, { unique: true })
      await things.insertOne({ a: 2, b: { c: 5 }, kind: 'y' })
      // Made after a write: the fields the writes decode must follow the new index.
      await things.createIndex({ 'b.c': 1, kind: -1 }, { unique: true, partialFilterExpression: { kind: 'x' } })
      await things.insertOne({ a: 3, b: { c: 5 }, kind: 'x' })
      await assert.rejects(things.insertOne({ a: 4, b: [{ c: 5 }], kind: 'x' }), /E11000/)
      await things.updateOne({ a: 2 }, { $set: { b: { c: 6 } } })
      await things.insertOne({ a: 5, b: { c: 6 }, kind: 'x' })
      await assert.rejects(things.updateOne({ a: 2 }, { $set: { kind: 'x' } }), /E11000/)
      await assert.rejects(things.insertOne({ a: 3 }), /E11000/)
    })

    it('reads a field named __proto__ as a field, not as the prototype of the document', async () => {
      const client = await open()
      const things = client.db().collection('things')
      await things.createIndex({ a: 1 }, { unique: true })
      await things.createIndex({ '__proto__.a': 1 })
      await things.insertOne({ a: 1 })
      // Decoded as a field of a plain object, it would have given the document the prototype { a: 1 }.
      await things.insertOne(JSON.parse('{"__proto__":{"a":1}}'))
      assert.equal(await things.countDocuments({ a: 1 }), 1)
    })
  })

  describe('honest limits', () => {
    it('says clearly what it does not support instead of answering wrongly', async () => {
      const client = await open()
      const db = client.db()
      const pages = db.collection('pages')
      await pages.insertOne({ text: 'hello' })
      const notSupported = /not supported by the embedded engine/
      await assert.rejects(pages.find({ $text: { $search: 'hello' } }).toArray(), notSupported)
      await assert.rejects(pages.find({ $where: 'this.text' }).toArray(), notSupported)
      await assert.rejects(pages.aggregate([{ $out: 'copy' }]).toArray(), notSupported)
      await assert.rejects(pages.aggregate([{ $lookup: { from: 'x', pipeline: [], as: 'y' } }]).toArray(), notSupported)
      await assert.rejects(pages.createIndex({ text: 'text' }), notSupported)
      await assert.rejects(pages.createIndex({ text: 1 }, { expireAfterSeconds: 60 }), notSupported)
      await assert.rejects(pages.find({}, { collation: { locale: 'de' } }).toArray(), notSupported)
      assert.throws(() => pages.bulkWrite([]), notSupported)
      assert.throws(() => pages.watch(), notSupported)
      assert.throws(() => (db as any).command({ ping: 1 }), notSupported)
      await assert.rejects(pages.updateOne({}, [{ $set: { a: 1 } }]), notSupported)
      // Driver 4's spelling of returnDocument: the current driver ignores it and answers with the document before.
      await assert.rejects(pages.findOneAndUpdate({}, { $set: { a: 1 } }, { returnOriginal: false } as any), notSupported)
    })

    it('looks up equality conditions on an indexed field through the index', async () => {
      const client = await open()
      const objects = client.db().collection('objects')
      await objects.createIndex({ id: 1 }, { unique: true })
      await objects.insertMany(Array.from({ length: 500 }, (_, index) => ({ id: `https://example.org/o/${index}`, type: 'Note' })))
      const state = client.engine.collection('praxiswiki.objects')
      assert.ok(state)
      assert.equal([...state.candidates({ id: 'https://example.org/o/42' })].length, 1)
      assert.equal([...state.candidates({ id: { $in: ['https://example.org/o/1', 'https://example.org/o/2'] } })].length, 2)
      assert.equal([...state.candidates({ type: 'Note' })].length, 500)
      assert.equal((await objects.findOne({ id: 'https://example.org/o/42' }))?.id, 'https://example.org/o/42')
    })

    it('looks up an $in of a few hundred ids through the _id index instead of testing every document', async () => {
      const { ObjectId } = await import('mongodb')
      const client = await open()
      const pages = client.db().collection('pages')
      const ids = Array.from({ length: 1000 }, () => new ObjectId())
      await pages.insertMany(ids.map((_id, index) => ({ _id, number: index })))
      const state = client.engine.collection('praxiswiki.pages')
      assert.ok(state)
      const wanted = ids.filter((_, index) => index % 5 === 0)
      assert.equal([...state.candidates({ _id: { $in: wanted } })].length, 200)
      assert.deepEqual((await pages.find({ _id: { $in: wanted } }).toArray()).map(page => page.number), wanted.map((_, index) => index * 5))
    })

    it('reads a collection in _id order a batch after an id at a time, walking only the documents past the id', async () => {
      const { ObjectId } = await import('mongodb')
      const client = await open()
      const pages = client.db().collection('pages')
      const ids = Array.from({ length: 1000 }, (_, index) => new ObjectId((index + 1).toString(16).padStart(24, '0')))
      await pages.insertMany(ids.map((_id, index) => ({ _id, number: index })))
      const state = client.engine.collection('praxiswiki.pages')
      assert.ok(state)
      const after = (filter: object, direction: 1 | -1): number => [...orderedCandidates(state, filter, [['_id', direction]]) ?? []].length
      assert.equal(after({ _id: { $gt: ids[989] } }, 1), 10)
      assert.equal(after({ _id: { $lt: ids[10] } }, -1), 10)
      assert.equal(after({ _id: { $lte: ids[10] } }, -1), 11)
      // An index that narrows the filter serves it better than a walk of every id.
      await pages.createIndex({ number: 1 })
      assert.equal(orderedCandidates(state, { number: 5 }, [['_id', 1]]), null)
    })

    it('tells listeners of every write as it is applied, and stops when asked', async () => {
      const client = await open()
      const notes = client.db().collection('notes')
      let heard = 0
      const stop = client.engine.onChange(() => { heard++ })
      await notes.insertOne({ _id: 'a' as never, text: 'eins' })
      const afterInsert = heard
      assert.ok(afterInsert >= 1)
      await notes.updateOne({ _id: 'a' as never }, { $set: { text: 'zwei' } })
      assert.ok(heard > afterInsert, 'an update is heard')
      const afterUpdate = heard
      await notes.findOne({ _id: 'a' as never })
      assert.equal(heard, afterUpdate, 'a read is not a write')
      await notes.deleteOne({ _id: 'a' as never })
      assert.ok(heard > afterUpdate, 'a delete is heard')
      stop()
      const stopped = heard
      await notes.insertOne({ _id: 'b' as never, text: 'drei' })
      assert.equal(heard, stopped)
    })

    it('reuses a compiled filter only for the very same filter', async () => {
      const { compileFilter } = await import('../../src/store/embedded/query.ts')
      const { Int32, ObjectId } = await import('mongodb')
      const id = new ObjectId()
      const byId = compileFilter({ _id: id, deletedAt: { $in: [null] } })
      assert.equal(compileFilter({ _id: new ObjectId(id.toHexString()), deletedAt: { $in: [null] } }), byId)
      assert.notEqual(compileFilter({ _id: id.toHexString(), deletedAt: { $in: [null] } }), byId)
      assert.notEqual(compileFilter({ n: new Int32(1), deletedAt: { $in: [null] } }), compileFilter({ n: 1, deletedAt: { $in: [null] } }))
      assert.notEqual(compileFilter({ a: undefined, b: { $gt: 1 } }), compileFilter({ b: { $gt: 1 } }))

      const client = await open()
      const pages = client.db().collection('pages')
      const when = new Date('2026-01-02T03:04:05Z')
      await pages.insertOne({ _id: id, deletedAt: null, at: when })
      // The same shapes with values that plain JSON would write alike must not share an answer.
      for (let round = 0; round < 2; round++) {
        assert.equal(await pages.countDocuments({ _id: id, deletedAt: null }), 1)
        assert.equal(await pages.countDocuments({ _id: id.toHexString() as any, deletedAt: null }), 0)
        assert.equal(await pages.countDocuments({ at: when, deletedAt: null }), 1)
        assert.equal(await pages.countDocuments({ at: when.toISOString(), deletedAt: null }), 0)
      }
    })

    it('yields to the event loop in every operation, as real I/O would', async () => {
      const client = await open()
      const pages = client.db().collection('pages')
      await pages.insertOne({ slug: 'a' })
      const order: string[] = []
      setImmediate(() => order.push('scheduled work'))
      await pages.findOne({ slug: 'a' })
      order.push('read done')
      assert.deepEqual(order, ['scheduled work', 'read done'])
    })

    it('refuses to write after close', async () => {
      const client = await openEmbeddedClient({ dataDir })
      const pages = client.db().collection('pages')
      await client.close()
      await assert.rejects(pages.insertOne({ slug: 'late' }), /closed/)
    })
  })
})
