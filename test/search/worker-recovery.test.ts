import { afterEach, beforeEach, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { FastifyInstance } from 'fastify'
import { SearchNotReadyError } from '../../src/search/errors.ts'
import { createSearchIndex, shardFileName, type DocumentSource, type SearchIndex, type SearchLog } from '../../src/search/search-index.ts'
import type { SearchDocument } from '../../src/search/types.ts'
import { addPage, assertSearchLoading, makeDataDir, removeDataDir, searchApi, startSearchApp, titlesFor } from './helpers.ts'

/** Kills the thread of a worker for real, as running out of memory would, and returns once the pool has seen it exit. */
async function killWorker (search: SearchIndex, worker = 0): Promise<void> {
  await search.workerThreadForTests(worker).terminate()
}

/** Pages kept in memory: the wiki's store is not what these tests are about. */
function memorySource (documents: Map<string, SearchDocument>): DocumentSource {
  return {
    name: 'memory',
    covers: origin => origin === 'local',
    async * versions () {
      for (const document of documents.values()) yield { id: document.id, version: document.version }
    },
    async * documents (ids: string[]) {
      for (const id of ids) {
        const document = documents.get(id)
        if (document !== undefined) yield document
      }
    }
  }
}

function page (number: number, body: string): SearchDocument {
  return {
    id: `page-${number}`,
    url: `/wiki/page-${number}`,
    title: `Seite ${number}`,
    tags: [],
    summary: '',
    body,
    language: 'de',
    origin: 'local',
    visibility: 'public',
    updatedAt: '2024-01-01T00:00:00.000Z',
    version: '1'
  }
}

interface Logged { level: 'info' | 'warn' | 'error', details: object, message: string }

function recordingLog (): SearchLog & { entries: Logged[] } {
  const entries: Logged[] = []
  return {
    entries,
    info: (details, message) => { entries.push({ level: 'info', details, message }) },
    warn: (details, message) => { entries.push({ level: 'warn', details, message }) },
    error: (details, message) => { entries.push({ level: 'error', details, message }) }
  }
}

describe('a search worker that dies', () => {
  let dataDir: string
  let apps: FastifyInstance[]
  let indexes: SearchIndex[]
  const startApp = async (): Promise<FastifyInstance> => {
    const app = await startSearchApp(dataDir)
    apps.push(app)
    await app.searchIndex.ready
    return app
  }
  const startIndex = (documents: Map<string, SearchDocument>, log: SearchLog): SearchIndex => {
    const search = createSearchIndex({ dir: path.join(dataDir, 'search'), sources: [memorySource(documents)], workers: 1, shardSize: 3, debounceMs: 5, log })
    indexes.push(search)
    return search
  }
  beforeEach(async () => {
    dataDir = await makeDataDir()
    apps = []
    indexes = []
  })
  afterEach(async () => {
    for (const app of apps) await app.close()
    for (const search of indexes) await search.close()
    await removeDataDir(dataDir)
  })

  it('answers searches again after a search worker dies', async () => {
    const app = await startApp()
    for (let number = 1; number <= 4; number++) await addPage(app, `Bericht ${number}`, `Über Schuldnerberatung, Teil ${number}.`)
    await app.searchIndex.settled()
    assert.equal((await searchApi(app, 'Schuldnerberatung')).total, 4)
    const built = app.searchIndex.status().builtShards

    const recovered = app.searchIndex.events.once('worker.recovered')
    await killWorker(app.searchIndex)
    assert.deepEqual(app.searchIndex.status().recoveringWorkers, [0])
    await assertSearchLoading(app, 'Teil')

    assert.deepEqual(await recovered, { worker: 0 })
    // A query not asked before, so the answer comes from the new worker, not the cache.
    assert.equal((await searchApi(app, 'Teil')).total, 4)
    const status = app.searchIndex.status()
    assert.deepEqual(status.recoveringWorkers, [])
    assert.equal(status.builtShards, built, 'the shards are loaded from their files, not rebuilt')
    assert.equal(status.discardedShards, 0)
  })

  it('keeps the pages saved while a worker was dying or recovering', async () => {
    const app = await startApp()
    for (let number = 1; number <= 3; number++) await addPage(app, `Alt ${number}`, 'Ein Bericht über Quartiersarbeit.')
    await app.searchIndex.settled()

    // The first page may be on its way to the worker when it dies, the second arrives while its replacement loads.
    await addPage(app, 'Während des Absturzes', 'Ein Bericht über Quartiersarbeit am Abend.')
    await killWorker(app.searchIndex)
    await addPage(app, 'Während der Erholung', 'Ein Bericht über Quartiersarbeit am Morgen.')
    await app.searchIndex.settled()

    assert.equal((await searchApi(app, 'Quartiersarbeit')).total, 5)
    assert.deepEqual((await titlesFor(app, 'Abend Morgen')).sort(), ['Während der Erholung', 'Während des Absturzes'])
  })

  it('holds the changes to a recovering worker\'s shards until it has loaded them again', async () => {
    const documents = new Map([1, 2, 3, 4].map(number => [`page-${number}`, page(number, 'Stadtteilarbeit.')]))
    const search = startIndex(documents, recordingLog())
    await search.ready
    const built = search.status().builtShards
    await killWorker(search)
    // A whole shard's worth of changes is built at once, not after a pause; the replacement
    // does not hold that shard yet, so building it now would start from nothing.
    for (const number of [1, 2, 3]) search.upsert({ ...page(number, 'Stadtteilarbeit mit Jugendlichen.'), version: '2' })
    assert.equal(search.status().pending, 3)
    assert.equal(search.status().builtShards, built)

    await search.settled()
    assert.equal(search.status().builtShards, built + 1)
    assert.equal((await search.query({ q: 'Jugendlichen', filters: {}, offset: 0, limit: 10 })).total, 3)
    assert.equal((await search.query({ q: 'Stadtteilarbeit', filters: {}, offset: 0, limit: 10 })).total, 4)
  })

  it('rebuilds a shard whose file was damaged when its worker comes back', async () => {
    const app = await startApp()
    for (let number = 1; number <= 5; number++) await addPage(app, `Notiz ${number}`, 'Über Stadtteilmütter.')
    await app.searchIndex.settled()
    const file = path.join(dataDir, 'search', shardFileName(0))
    const bytes = await readFile(file)
    await writeFile(file, bytes.fill(0x78, bytes.length - 40))

    await killWorker(app.searchIndex)
    await app.searchIndex.settled()
    assert.equal(app.searchIndex.status().discardedShards, 1)
    assert.equal((await searchApi(app, 'Stadtteilmütter')).total, 5)
  })

  it('stops restarting a worker that keeps dying, says which one, and keeps answering 503', async () => {
    const documents = new Map([1, 2, 3, 4].map(number => [`page-${number}`, page(number, 'Gemeinwesenarbeit im Viertel.')]))
    const log = recordingLog()
    const search = startIndex(documents, log)
    await search.ready
    const stopped = search.events.once('worker.stopped')
    // Three restarts within a minute are allowed; the fourth crash is one too many.
    for (let crash = 1; crash <= 4; crash++) await killWorker(search)
    assert.deepEqual(await stopped, { worker: 0, crashes: 4 })

    const status = search.status()
    assert.deepEqual(status.stoppedWorkers, [0])
    assert.deepEqual(status.recoveringWorkers, [])
    assert.equal(search.workerThreadForTests(0).threadId, -1, 'no thread runs in the stopped slot')
    await assert.rejects(search.query({ q: 'Gemeinwesenarbeit', filters: {}, offset: 0, limit: 10 }), SearchNotReadyError)
    const errors = log.entries.filter(entry => entry.level === 'error')
    assert.equal(errors.length, 4, 'each crash is logged once')
    assert.match(errors.at(-1)?.message ?? '', /search worker 0 crashed 4 times .* not restarted/)

    // Changes for a stopped worker's shards cannot be built; waiting for them must not hang.
    search.upsert(page(5, 'Noch eine Seite.'))
    await search.settled()
    assert.deepEqual(search.status().stoppedWorkers, [0])
  })

  it('closes promptly while a worker recovers, without starting another', async () => {
    const documents = new Map([1, 2, 3, 4].map(number => [`page-${number}`, page(number, 'Sozialraum.')]))
    const search = startIndex(documents, recordingLog())
    await search.ready
    let recovered = false
    search.events.on('worker.recovered', () => { recovered = true })
    await killWorker(search)
    const replacement = search.workerThreadForTests(0)
    await search.close()
    assert.equal(search.workerThreadForTests(0), replacement)
    assert.equal(replacement.threadId, -1)
    assert.equal(recovered, false)
  })

  it('finds every page when a worker dies while the index loads at start', async () => {
    const documents = new Map([1, 2, 3, 4, 5].map(number => [`page-${number}`, page(number, 'Nachbarschaftshilfe.')]))
    const first = startIndex(documents, recordingLog())
    await first.ready
    await first.close()

    const second = startIndex(documents, recordingLog())
    // Killed while it reads the shard files, or just before: either way nothing is lost or doubled.
    await killWorker(second)
    await second.ready
    await second.settled()
    const answer = await second.query({ q: 'Nachbarschaftshilfe', filters: {}, offset: 0, limit: 10 })
    assert.deepEqual(answer.hits.map(hit => hit.title).sort(), ['Seite 1', 'Seite 2', 'Seite 3', 'Seite 4', 'Seite 5'])
    assert.equal(second.status().builtShards, 0, 'the shard files are loaded, not rebuilt')
  })
})
