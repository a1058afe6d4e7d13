import { afterEach, beforeEach, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../src/app.ts'
import { loadConfig } from '../../src/config/index.ts'
import { remotePagesCollection, remoteSnapshot } from '../../src/federation/remote-pages.ts'
import { remotePageFixture } from '../federation/fixtures.ts'
import { addPage, assertSearchLoading, makeDataDir, removeDataDir, searchApi, startSearchApp, TEST_TUNING, titlesFor } from './helpers.ts'

/** A page from another organisation, stored and announced as federation does. */
async function addRemotePage (app: FastifyInstance, objectId: string, title: string): Promise<void> {
  const page = remotePageFixture({
    objectId,
    actorName: 'Andere Organisation',
    url: `https://other.example/wiki/${encodeURIComponent(title)}`,
    title,
    html: '<p>Eine Lektion aus einer anderen Stadt über Nachbarschaftshilfe.</p>',
    tags: ['fern'],
    published: new Date('2024-01-01T00:00:00Z'),
    updated: new Date('2024-01-01T00:00:00Z')
  })
  await remotePagesCollection(app.store.db).insertOne(page)
  app.events.emit('remote.saved', remoteSnapshot(page))
}

describe('search index life cycle', () => {
  let dataDir: string
  let apps: FastifyInstance[]
  const start = async (): Promise<FastifyInstance> => {
    const app = await startSearchApp(dataDir)
    apps.push(app)
    return app
  }
  beforeEach(async () => {
    dataDir = await makeDataDir()
    apps = []
  })
  afterEach(async () => {
    for (const app of apps) await app.close()
    await removeDataDir(dataDir)
  })

  it('answers "index loading" until the index is ready, then searches', async () => {
    const app = await start()
    assert.equal(app.searchIndex.status().state, 'loading')
    await assertSearchLoading(app, 'x')
    await app.searchIndex.ready
    assert.equal((await app.inject({ url: '/api/search?q=x' })).statusCode, 200)
  })

  it('says how much heap each search worker uses and how many shards it holds', async () => {
    const app = await start()
    await app.searchIndex.ready
    await addPage(app, 'Speicherseite', 'Was die Suche im Speicher hält.')
    await app.searchIndex.settled()
    const workers = await app.searchIndex.memory()
    assert.ok(workers.length >= 1)
    assert.equal(workers.reduce((sum, worker) => sum + (worker?.shards ?? 0), 0), app.searchIndex.status().shards)
    for (const worker of workers) assert.ok(worker !== null && worker.usedHeap > 1_000_000 && worker.usedHeap <= worker.totalHeap)
  })

  it('indexes pages saved while the index loads', async () => {
    const app = await start()
    await addPage(app, 'Frühe Seite', 'Gespeichert während des Ladens.')
    await app.searchIndex.ready
    await app.searchIndex.settled()
    assert.deepEqual(await titlesFor(app, 'Laden'), ['Frühe Seite'])
  })

  it('drops deleted pages and follows renamed ones once the index reports the update', async () => {
    const app = await start()
    await app.searchIndex.ready
    const slug = await addPage(app, 'Wandergruppe', 'Wir gingen jede Woche spazieren.')
    await addPage(app, 'Kochkurs', 'Wir kochten zusammen.')
    await app.searchIndex.settled()
    assert.deepEqual(await titlesFor(app, 'spazieren'), ['Wandergruppe'])

    const page = await app.wiki.requirePage(slug)
    const updated = app.searchIndex.events.once('index.updated')
    await app.wiki.renamePage(slug, { title: 'Spaziergruppe am Montag', baseRevisionId: page.revisionId.toHexString() })
    assert.deepEqual((await updated).upserted, [page._id.toHexString()])
    const renamed = await searchApi(app, 'spazieren')
    assert.deepEqual(renamed.results.map(result => [result.title, result.url]), [['Spaziergruppe am Montag', 'http://wiki.test/wiki/spaziergruppe-am-montag']])

    const deleted = app.searchIndex.events.once('index.updated')
    await app.wiki.deletePage('kochkurs')
    assert.equal((await deleted).removed.length, 1)
    assert.deepEqual(await titlesFor(app, 'kochten'), [])
  })

  it('never shows a deleted and restored page twice', async () => {
    const app = await start()
    await app.searchIndex.ready
    const slug = await addPage(app, 'Sprachcafé', 'Gespräche über den Alltag.')
    await app.searchIndex.settled()
    await app.wiki.deletePage(slug)
    await app.wiki.restorePage(slug)
    await app.searchIndex.settled()
    await app.wiki.deletePage(slug)
    await app.searchIndex.settled()
    await app.wiki.restorePage(slug)
    await app.searchIndex.settled()
    assert.deepEqual(await titlesFor(app, 'Alltag'), ['Sprachcafé'])
  })

  it('keeps shards bounded and rebuilds only the shard a change touched', async () => {
    const app = await start()
    await app.searchIndex.ready
    for (let number = 1; number <= 7; number++) await addPage(app, `Seite ${number}`, `Inhalt Nummer ${number}.`)
    await app.searchIndex.settled()
    assert.equal(app.searchIndex.status().shards, 3)
    const built = app.searchIndex.status().builtShards
    const page = await app.wiki.requirePage('seite-5')
    await app.wiki.savePage('seite-5', { source: `${page.source}\nNeu: Gartenarbeit.\n`, baseRevisionId: page.revisionId.toHexString() })
    await app.searchIndex.settled()
    assert.equal(app.searchIndex.status().builtShards, built + 1)
    assert.deepEqual(await titlesFor(app, 'Gartenarbeit'), ['Seite 5'])
    assert.equal((await searchApi(app, 'Inhalt')).total, 7)
  })

  it('survives a restart without rebuilding', async () => {
    const first = await start()
    await first.searchIndex.ready
    for (let number = 1; number <= 4; number++) await addPage(first, `Lektion ${number}`, 'Was wir über Beratung lernten.')
    await addRemotePage(first, 'https://other.example/ap/1', 'Ferne Lektion')
    await first.searchIndex.settled()
    await first.close()

    const second = await start()
    await second.searchIndex.ready
    const status = second.searchIndex.status()
    assert.equal(status.loadedShards, 2)
    assert.equal(status.builtShards, 0)
    assert.equal(status.discardedShards, 0)
    assert.equal((await searchApi(second, 'Beratung')).total, 4)
    // Remote pages come from federation, which the wiki source does not cover: they stay.
    const remote = await searchApi(second, 'Nachbarschaftshilfe')
    assert.deepEqual(remote.results.map(result => [result.title, result.origin, result.local]), [['Ferne Lektion', 'other.example', false]])
    assert.deepEqual(remote.facets.origin, [{ value: 'other.example', count: 1 }])
  })

  it('catches up at start with pages changed while it was not listening', async () => {
    const first = await start()
    await first.searchIndex.ready
    await addPage(first, 'Alte Seite', 'Bleibt.')
    await first.searchIndex.settled()
    // A page the index never heard of, as after an import while the server was stopped.
    first.searchIndex.remove((await first.wiki.requirePage('alte-seite'))._id.toHexString())
    await first.searchIndex.settled()
    await first.close()

    const second = await start()
    await second.searchIndex.ready
    assert.deepEqual(await titlesFor(second, 'Bleibt'), ['Alte Seite'])
  })

  it('rebuilds a corrupt or old-format shard file by itself', async () => {
    const first = await start()
    await first.searchIndex.ready
    for (let number = 1; number <= 5; number++) await addPage(first, `Bericht ${number}`, 'Über Schuldnerberatung im Stadtteil.')
    await first.searchIndex.settled()
    await first.close()

    const dir = path.join(dataDir, 'search')
    const files = (await readdir(dir)).filter(name => name.endsWith('.bin')).sort()
    assert.deepEqual(files, ['shard-0000.bin', 'shard-0001.bin'])
    const corrupt = path.join(dir, 'shard-0000.bin')
    const bytes = await readFile(corrupt)
    await writeFile(corrupt, bytes.fill(0x78, bytes.length - 40))
    const old = path.join(dir, 'shard-0001.bin')
    // Latin-1 keeps every byte as it is, so only the header changes.
    await writeFile(old, Buffer.from((await readFile(old, 'latin1')).replace(/^PRAXISWIKI-SEARCH-SHARD \d+ /, 'PRAXISWIKI-SEARCH-SHARD 0 '), 'latin1'))

    const second = await start()
    await second.searchIndex.ready
    const status = second.searchIndex.status()
    assert.equal(status.discardedShards, 2)
    assert.ok(status.builtShards >= 1)
    assert.equal((await searchApi(second, 'Schuldnerberatung')).total, 5)
  })

  it('replaces the JSON shard files of an earlier version', async () => {
    const first = await start()
    await first.searchIndex.ready
    for (let number = 1; number <= 2; number++) await addPage(first, `Notiz ${number}`, 'Über Stadtteilmütter.')
    await first.searchIndex.settled()
    await first.close()
    const dir = path.join(dataDir, 'search')
    await rename(path.join(dir, 'shard-0000.bin'), path.join(dir, 'shard-0000.json'))

    const second = await start()
    await second.searchIndex.ready
    assert.equal(second.searchIndex.status().discardedShards, 1)
    assert.deepEqual((await readdir(dir)).sort(), ['shard-0000.bin'])
    assert.equal((await searchApi(second, 'Stadtteilmütter')).total, 2)
  })

  it('closes while it is still starting without reading from a closed store', async () => {
    const first = await start()
    for (let n = 1; n <= 20; n++) await addPage(first, `Seite ${n}`, 'Schuldnerberatung im Stadtteil.')
    await first.close()
    apps = []
    // A command-line run (npm run follow refusing its arguments) closes the app at once, while
    // the search index, without shard files, is still reading every page from the store.
    const lines: string[] = []
    const config = loadConfig({ DATA_DIR: dataDir, BASE_URL: 'http://wiki.test', FEDERATION_KEY_BITS: '2048' })
    for (let round = 0; round < 5; round++) {
      await rm(path.join(dataDir, 'search'), { recursive: true, force: true })
      await mkdir(path.join(dataDir, 'search'))
      const closing = await buildApp(config, { logger: { level: 'warn', stream: { write: (line: string) => { lines.push(line) } } }, search: TEST_TUNING })
      assert.equal(closing.searchIndex.status().state, 'loading')
      await closing.close()
    }
    assert.deepEqual(lines.map(line => (JSON.parse(line) as { msg: string }).msg), [])
    const again = await start()
    await again.searchIndex.ready
    assert.equal((await searchApi(again, 'Schuldnerberatung')).total, 20)
  })
})
