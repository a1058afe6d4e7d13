import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { gunzipSync, gzipSync } from 'node:zlib'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { Binary, BSON, Decimal128, Double, Int32, Long, ObjectId, type Db } from 'mongodb'
import { BackupFileError, collectionLine, documentLine, endLine, headerLine } from '../../src/store/backup/format.ts'
import { readBackup } from '../../src/store/backup/read-backup.ts'
import { restoreBackup, RestoreTargetNotEmptyError } from '../../src/store/backup/restore-backup.ts'
import { collectionNames, writeBackup } from '../../src/store/backup/write-backup.ts'
import { openEmbeddedClient } from '../../src/store/embedded/client.ts'
import { openStore, openStoreSnapshot, type Store } from '../../src/store/index.ts'

/** Every collection with its index specs and its documents as BSON bytes: equal only if every value and type is. */
async function contentsOf (db: Db): Promise<Record<string, { indexes: unknown[], documents: string[] }>> {
  const contents: Record<string, { indexes: unknown[], documents: string[] }> = {}
  for (const name of await collectionNames(db)) {
    const collection = db.collection(name)
    contents[name] = {
      indexes: await collection.listIndexes().toArray(),
      documents: (await collection.find({}).toArray()).map(document => Buffer.from(BSON.serialize(document)).toString('hex'))
    }
  }
  return contents
}

describe('backup and restore of a store', () => {
  let scratch: string
  const stores: Store[] = []

  async function freshStore (name: string): Promise<Store> {
    const store = await openStore({ dataDir: path.join(scratch, name) })
    stores.push(store)
    return store
  }

  beforeEach(async () => {
    scratch = await mkdtemp(path.join(os.tmpdir(), 'praxiswiki-backup-'))
  })
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close()
    await rm(scratch, { recursive: true, force: true })
  })

  /** A store with documents in several collections, the last ones far into the file. */
  async function filledStore (): Promise<Store> {
    const store = await freshStore('source')
    const pages = store.db.collection('pages')
    await pages.createIndex({ slug: 1 }, { unique: true, name: 'slug_unique' })
    await pages.insertMany(Array.from({ length: 300 }, (_, n) => ({ slug: `seite-${n}`, body: `Text ${n} `.repeat(20) })))
    await store.db.collection('revisions').insertMany(Array.from({ length: 300 }, (_, n) => ({ n, at: new Date(n * 1000) })))
    return store
  }

  it('keeps ObjectIds, Dates, Binary, number types, unicode, $-named fields, indexes and empty collections exactly, read while the data dir is open', async () => {
    const source = await freshStore('source')
    const things = source.db.collection('things')
    await things.createIndex({ slug: 1 }, { unique: true, name: 'slug_unique' })
    await things.createIndex({ at: -1, 'meta.kind': 1 }, { name: 'recent_kind', partialFilterExpression: { at: { $gt: new Date('2020-01-01T00:00:00Z') } } })
    await things.insertMany([
      {
        _id: new ObjectId('65f0c0ffee0000000000abcd'),
        slug: 'grüße',
        title: 'Grüße aus Köln 👋 — 日本語, עברית',
        at: new Date('2024-02-29T23:59:59.999Z'),
        key: new Binary(Buffer.from([0, 1, 2, 250, 255])),
        numbers: { int: new Int32(7), double: new Double(7), long: Long.fromString('9007199254740993'), decimal: Decimal128.fromString('0.1'), negativeZero: -0 },
        nested: [{ ref: new ObjectId('65f0c0ffee0000000000abce') }, null, [true, 'x']],
        object: { $date: 'not a date', $oid: 'not an id' },
        meta: { kind: 'a' }
      },
      { _id: 'a string id' as any, slug: 'zweite', at: new Date(0) }
    ])
    await source.db.createCollection('empty')
    const file = path.join(scratch, 'backup.gz')

    // The source stays open, holding the lock, as a running server would.
    const snapshot = await openStoreSnapshot({ dataDir: path.join(scratch, 'source') })
    const summary = await writeBackup(snapshot.db, file, { engine: 'embedded', baseUrl: 'https://wiki.example' })
    await snapshot.close()
    assert.deepEqual({ collections: summary.collections, documents: summary.documents }, { collections: 2, documents: 2 })

    const target = await freshStore('target')
    const restored = await restoreBackup(target.db, file)
    assert.equal(restored.header.baseUrl, 'https://wiki.example')
    assert.deepEqual(await contentsOf(target.db), await contentsOf(source.db))
    const back = await target.db.collection('things').findOne({ slug: 'grüße' })
    assert.ok(back?.key instanceof Binary)
    assert.deepEqual(back?.object, { $date: 'not a date', $oid: 'not an id' })
    await assert.rejects(target.db.collection('things').insertOne({ slug: 'grüße' }), (error: any) => error.code === 11000)
  })

  it('reads numbers back with the BSON types they were written with, for MongoDB, which keeps them apart', async () => {
    const file = path.join(scratch, 'numbers.gz')
    const numbers = { _id: 1, int: new Int32(7), double: new Double(7), long: Long.fromNumber(5) }
    const lines = headerLine({ format: 'praxiswiki-backup', version: 1, createdAt: new Date().toISOString(), engine: 'mongodb', database: 'praxiswiki' }) +
      collectionLine('numbers', []) + documentLine(numbers) + endLine({ numbers: 1 })
    await writeFile(file, gzipSync(lines))
    const documents = []
    for await (const record of readBackup(file)) if (record.kind === 'document') documents.push(record.document)
    assert.equal(documents.length, 1)
    assert.ok(documents[0]?.int instanceof Int32)
    assert.ok(documents[0]?.double instanceof Double)
    assert.ok(documents[0]?.long instanceof Long)
  })

  it('refuses a target that holds documents, naming the collections, and writes nothing into it', async () => {
    const source = await filledStore()
    const file = path.join(scratch, 'backup.gz')
    await writeBackup(source.db, file, { engine: 'embedded' })
    const target = await freshStore('target')
    await target.db.collection('settings').insertOne({ _id: 'secret' as any, value: 'kept' })

    await assert.rejects(restoreBackup(target.db, file), (error: Error) => error instanceof RestoreTargetNotEmptyError && /settings/.test(error.message))
    assert.deepEqual(await collectionNames(target.db), ['settings'])
    assert.equal(await target.db.collection('settings').countDocuments(), 1)
  })

  describe('refuses a foreign or damaged file and restores nothing from it', () => {
    const damages: Array<[string, (gzipped: Buffer) => Buffer, RegExp]> = [
      ['cut off in the middle of the gzip stream', gzipped => gzipped.subarray(0, Math.floor(gzipped.length * 0.9)), /damaged or cut off/],
      ['with a byte changed near its end', gzipped => { const copy = Buffer.from(gzipped); copy[copy.length - 40] = (copy[copy.length - 40] as number) ^ 0xff; return copy }, /damaged/],
      ['cut off at a line, gzipped whole again', gzipped => { const text = gunzipSync(gzipped).toString('utf8'); return gzipSync(text.slice(0, text.lastIndexOf('{"bson"'))) }, /cut off/],
      ['with a document missing though the end line counts it', gzipped => { const lines = gunzipSync(gzipped).toString('utf8').split('\n'); lines.splice(lines.length - 5, 1); return gzipSync(lines.join('\n')) }, /end line counts/],
      ['not gzip at all', () => Buffer.from('slug,title\nbesuchsdienst,Besuchsdienst\n'), /not a Praxiswiki backup/],
      ['gzip of something else', () => gzipSync('{"hello":"world"}\n'), /not a Praxiswiki backup/],
      ['written by a newer version', gzipped => gzipSync(gunzipSync(gzipped).toString('utf8').replace('"version":1', '"version":2')), /format version 2/],
      ['empty', () => Buffer.alloc(0), /damaged or cut off|empty/]
    ]
    for (const [what, damage, message] of damages) {
      it(what, async () => {
        const source = await filledStore()
        const good = path.join(scratch, 'good.gz')
        await writeBackup(source.db, good, { engine: 'embedded' })
        const bad = path.join(scratch, 'bad.gz')
        await writeFile(bad, damage(await readFile(good)))
        const target = await freshStore('target')

        await assert.rejects(restoreBackup(target.db, bad), (error: Error) => error instanceof BackupFileError && message.test(error.message) && /nothing was restored/.test(error.message))
        assert.deepEqual(await collectionNames(target.db), [])
      })
    }
  })

  it('takes a consistent point of the journal while writes and compactions go on: every acknowledged write, no torn batch', async () => {
    const dataDir = path.join(scratch, 'busy')
    // A tiny compaction threshold makes the journal be renamed over again and again meanwhile.
    const client = await openEmbeddedClient({ dataDir, compactAfterBytes: 16 * 1024 })
    const events = client.db().collection('events')
    const progress = client.db().collection<{ _id: string, batch: number, padding: string }>('progress')
    const journals = new Set<number>()
    let acknowledged = 0
    let writing = true
    const writer = (async () => {
      // Each batch of five is one journal entry: a backup holds all of it or none.
      for (let batch = 0; batch < 400 && writing; batch++) {
        await events.insertMany(Array.from({ length: 5 }, (_, n) => ({ sequence: batch * 5 + n, batch, padding: 'x'.repeat(200) })))
        acknowledged = (batch + 1) * 5
        // Overwritten again and again, it makes the journal outgrow the live data, which starts compactions.
        await progress.updateOne({ _id: 'progress' }, { $set: { batch, padding: 'y'.repeat(4000) } }, { upsert: true })
      }
    })()
    try {
      for (let round = 0; round < 6; round++) {
        const before = acknowledged
        journals.add((await stat(path.join(dataDir, 'praxiswiki.journal'))).ino)
        const snapshot = await openStoreSnapshot({ dataDir })
        const file = path.join(scratch, `busy-${round}.gz`)
        await writeBackup(snapshot.db, file, { engine: 'embedded' })
        await snapshot.close()

        const target = await freshStore(`restored-${round}`)
        await restoreBackup(target.db, file)
        const sequences = (await target.db.collection('events').find({}).toArray()).map(document => document.sequence as number).sort((a, b) => a - b)
        assert.ok(sequences.length >= before, `round ${round}: ${sequences.length} documents, but ${before} were acknowledged before the backup began`)
        assert.equal(sequences.length % 5, 0, `round ${round}: a batch was taken in part`)
        assert.deepEqual(sequences, sequences.map((_, n) => n), `round ${round}: not a prefix of the writes`)
      }
    } finally {
      writing = false
      await writer
      await client.close()
    }
    assert.ok(journals.size > 1, 'the journal was never compacted while the backups ran')
  })

  it('refuses to write through a snapshot of the journal', async () => {
    const source = await filledStore()
    const snapshot = await openStoreSnapshot({ dataDir: path.join(scratch, 'source') })
    await assert.rejects(snapshot.db.collection('pages').insertOne({ slug: 'neu' }), /read-only/)
    await snapshot.close()
    assert.equal(await source.db.collection('pages').countDocuments({ slug: 'neu' }), 0)
  })
})
