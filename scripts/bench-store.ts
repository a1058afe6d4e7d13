// The embedded store at 10,000 and 100,000 small documents shaped like activitypub-express's
// `objects` and `streams`, next to a plain array scan of the same documents, in one run.
// Usage: npm run bench:store   (BENCH_STORE_SIZES=10000,100000 to change the sizes;
// BENCH_STREAM_SIZES=500,5000,50000 for one stream's pages, see bench-stream-pages.ts)
import { spawn } from 'node:child_process'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import type { Db, Document } from 'mongodb'
import { openStore, type Store } from '../src/store/index.ts'
import { seededRandom } from '../test/seeded-random.ts'
import { ApexStore, streamPageScaling, streamPageTable } from './bench-stream-pages.ts'

const BASE = 'https://bench.example'
const PUBLIC = 'https://www.w3.org/ns/activitystreams#Public'
const BATCH = 1000
const LOOKUPS = 20_000
const SCAN_LOOKUPS = 2_000
const PAGES = 200
const LARGE_PAGES = 20
// Slow operations stop after this long (at least three runs), so the whole benchmark stays within minutes.
const BUDGET_MILLIS = 15_000
const WRITER_SECONDS = 1
const TARGETS = { lookupMedianMicros: 50, openMillis: 3000, rssMegabytes: 400 }

const WORDS = ['Nachbarschaft', 'Beratung', 'evening', 'walking', 'group', 'Ehrenamt', 'what', 'worked', 'failed', 'Quartier', 'mentoring', 'Familie']
function sentence (next: () => number, words: number): string {
  return Array.from({ length: words }, () => WORDS[Math.floor(next() * WORDS.length)]).join(' ')
}

const actorId = (i: number): string => `${BASE}/u/u${i}`

interface Corpus { objects: Document[], streams: Document[], actors: number, collections: string[], large: string, largeItems: number }

/**
 * `size` documents: half in `objects` (actors and notes), half in `streams`
 * (Create activities, each in its actor's outbox and three inboxes; every
 * tenth one also in the inbox of u0, which so holds a tenth of them all).
 */
function corpus (size: number): Corpus {
  const next = seededRandom(size)
  const actors = Math.max(10, size / 500)
  const objects: Document[] = []
  for (let i = 0; i < actors; i++) {
    objects.push({
      id: actorId(i),
      type: 'Person',
      name: `User ${i}`,
      preferredUsername: `u${i}`,
      inbox: `${actorId(i)}/inbox`,
      outbox: `${actorId(i)}/outbox`,
      followers: `${actorId(i)}/followers`,
      _meta: { collection: [] }
    })
  }
  const notes: Document[] = []
  while (objects.length < size / 2) {
    const n = objects.length
    const author = actorId(Math.floor(next() * actors))
    const note = {
      id: `${BASE}/o/${n}`,
      type: 'Note',
      attributedTo: author,
      content: `<p>${sentence(next, 12)}</p>`,
      published: new Date(1_700_000_000_000 + n * 1000).toISOString(),
      to: [PUBLIC],
      cc: [`${author}/followers`],
      _meta: { collection: [] }
    }
    objects.push(note)
    notes.push(note)
  }
  const streams: Document[] = []
  for (let n = 0; streams.length < size / 2; n++) {
    const note = notes[n % notes.length] as Document
    const author = note.attributedTo as string
    const inboxes = new Set(n % 10 === 0 ? [`${actorId(0)}/inbox`] : [])
    while (inboxes.size < 4) inboxes.add(`${actorId(1 + Math.floor(next() * (actors - 1)))}/inbox`)
    streams.push({
      id: `${BASE}/s/${n}`,
      type: 'Create',
      actor: [author],
      object: [{ id: note.id, type: 'Note', attributedTo: author, content: note.content }],
      to: [PUBLIC],
      cc: [`${author}/followers`],
      published: note.published,
      _meta: { collection: [`${author}/outbox`, ...inboxes] }
    })
  }
  const collections: string[] = []
  for (let i = 1; i < actors; i++) collections.push(`${actorId(i)}/outbox`, `${actorId(i)}/inbox`)
  const large = `${actorId(0)}/inbox`
  const largeItems = streams.filter(activity => (activity._meta.collection as string[]).includes(large)).length
  return { objects, streams, actors, collections, large, largeItems }
}

interface Timing { median: number, p99: number, perSecond: number, count: number }

/** Runs `operation` up to `count` times one after another (fewer past `budgetMillis`); latencies in microseconds. */
async function measure (count: number, operation: (i: number) => unknown, budgetMillis = Infinity): Promise<Timing> {
  const all = new Float64Array(count)
  const started = performance.now()
  let done = 0
  while (done < count && (done < 3 || performance.now() - started < budgetMillis)) {
    const before = performance.now()
    await operation(done)
    all[done++] = (performance.now() - before) * 1000
  }
  const elapsed = performance.now() - started
  const latencies = all.subarray(0, done).sort()
  return {
    median: latencies[Math.floor(done / 2)] as number,
    p99: latencies[Math.min(done - 1, Math.floor(done * 0.99))] as number,
    perSecond: done / (elapsed / 1000),
    count: done
  }
}

/** `writers` concurrent loops of sequential insertOne for `seconds`: each waits for its fsync, so they share them. */
async function concurrentInsertOne (db: Db, writers: number, seconds: number): Promise<number> {
  const collection = db.collection(`single_${writers}`)
  await collection.createIndex({ id: 1 }, { unique: true })
  const next = seededRandom(writers)
  let inserted = 0
  const started = performance.now()
  const deadline = started + seconds * 1000
  await Promise.all(Array.from({ length: writers }, async (_, w) => {
    for (let n = 0; performance.now() < deadline && n < 100_000; n++) {
      await collection.insertOne({ id: `${BASE}/single/${w}/${n}`, type: 'Note', content: sentence(next, 12), _meta: { collection: [`${actorId(w)}/outbox`] } })
      inserted++
    }
  }))
  return inserted / ((performance.now() - started) / 1000)
}

/** Opens the data dir in a fresh process: the cold start a server has, and the memory it then holds. */
function openInFreshProcess (dataDir: string): Promise<{ openMillis: number, rssMegabytes: number, objects: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--open', dataDir], { stdio: ['ignore', 'pipe', 'inherit'] })
    let output = ''
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (chunk: string) => { output += chunk })
    child.on('error', reject)
    child.on('close', code => {
      if (code !== 0) reject(new Error(`the fresh process exited with ${code}`))
      else resolve(JSON.parse(output))
    })
  })
}

async function openOnly (dataDir: string): Promise<void> {
  const started = performance.now()
  const store = await openStore({ dataDir })
  const openMillis = performance.now() - started
  const objects = await store.db.collection('objects').countDocuments()
  const rssMegabytes = process.resourceUsage().maxRSS / 1024
  await store.close()
  process.stdout.write(JSON.stringify({ openMillis, rssMegabytes, objects }) + '\n')
}

interface Result {
  size: number
  insertMany: number
  insertOne: Map<number, number>
  lookup: Timing
  scanLookup: Timing
  page: Timing
  pageItems: number
  scanPage: Timing
  largePage: Timing
  largeItems: number
  scanLargePage: Timing
  reopenMillis: number
  fresh: { openMillis: number, rssMegabytes: number }
  journalBytes: number
  peakRssMegabytes: number
}

function compareIds (left: Document, right: Document): number {
  return Buffer.compare(right._id.id, left._id.id) // newest first, as `$sort: { _id: -1 }`
}

async function run (size: number): Promise<Result> {
  const log = (message: string): void => { process.stdout.write(`  ${size.toLocaleString('en')}: ${message}\n`) }
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'praxiswiki-bench-store-'))
  const singlesDir = await mkdtemp(path.join(os.tmpdir(), 'praxiswiki-bench-store-'))
  let store: Store | null = null
  try {
    const { objects, streams, collections, large, largeItems } = corpus(size)
    store = await openStore({ dataDir })
    const apex = new ApexStore()
    apex.db = store.db
    await apex.setup() // activitypub-express's own indexes: every insert below maintains them

    log('insertMany')
    const insertStarted = performance.now()
    for (const [name, documents] of [['objects', objects], ['streams', streams]] as const) {
      const collection = store.db.collection(name)
      for (let i = 0; i < documents.length; i += BATCH) await collection.insertMany(documents.slice(i, i + BATCH))
    }
    const insertMany = size / ((performance.now() - insertStarted) / 1000)

    log('insertOne with 1, 4 and 16 writers')
    const insertOne = new Map<number, number>()
    const singles = await openStore({ dataDir: singlesDir })
    try {
      for (const writers of [1, 4, 16]) insertOne.set(writers, await concurrentInsertOne(singles.db, writers, WRITER_SECONDS))
    } finally {
      await singles.close()
    }

    log('point lookups')
    const next = seededRandom(size + 1)
    const ids = Array.from({ length: LOOKUPS }, () => (objects[Math.floor(next() * objects.length)] as Document).id as string)
    const objectsCollection = store.db.collection('objects')
    const check = (found: Document | null | undefined, id: string): void => {
      if (!found || found.id !== id) throw new Error(`lookup of ${id} found ${found?.id}`)
    }
    await measure(2000, async i => check(await objectsCollection.findOne({ id: ids[i] }), ids[i] as string)) // warm-up
    const lookup = await measure(LOOKUPS, async i => check(await objectsCollection.findOne({ id: ids[i] }), ids[i] as string))
    await measure(200, i => check(objects.find(document => document.id === ids[i]), ids[i] as string)) // warm-up
    const scanLookup = await measure(SCAN_LOOKUPS, i => check(objects.find(document => document.id === ids[i]), ids[i] as string))

    log('getStream pages')
    const pageOf = (collectionId: string) => async () => {
      const page = await apex.getStream(collectionId, 20)
      if (page.length !== 20 || !Array.isArray(page[0]?.actor) || page[0]?.actor.length !== 1) throw new Error(`getStream(${collectionId}) gave a bad page`)
      return page
    }
    // The scan does what the pipeline does: match, newest first, 20, the actor looked up, _meta left out.
    const scanPageOf = (collectionId: string) => () => {
      const page = streams.filter(document => (document._meta.collection as string[]).includes(collectionId))
        .sort(compareIds).slice(0, 20)
        .map(({ _meta: ignored, ...activity }) => ({ ...activity, actor: objects.filter(object => (activity.actor as string[]).includes(object.id)) }))
      if (page.length !== 20 || page[0]?.actor.length !== 1) throw new Error(`scan of ${collectionId} gave a bad page`)
      return page
    }
    const pick = (i: number): string => collections[(i * 7919) % collections.length] as string
    const pageItems = Math.round(collections.reduce((sum, id) => sum + streams.filter(document => (document._meta.collection as string[]).includes(id)).length, 0) / collections.length)
    await measure(20, i => pageOf(pick(i))(), BUDGET_MILLIS / 5)
    const page = await measure(PAGES, i => pageOf(pick(i))(), BUDGET_MILLIS)
    const scanPage = await measure(PAGES, i => scanPageOf(pick(i))(), BUDGET_MILLIS)
    const largePage = await measure(LARGE_PAGES, pageOf(large), BUDGET_MILLIS)
    const scanLargePage = await measure(LARGE_PAGES, scanPageOf(large), BUDGET_MILLIS)

    log('close and reopen')
    await store.close()
    store = null
    apex.db = null as unknown as Db
    const journalBytes = (await stat(path.join(dataDir, 'praxiswiki.journal'))).size
    const reopenStarted = performance.now()
    store = await openStore({ dataDir })
    const reopenMillis = performance.now() - reopenStarted
    const count = await store.db.collection('objects').countDocuments()
    if (count !== objects.length) throw new Error(`reopened with ${count} objects, expected ${objects.length}`)
    await store.close()
    store = null

    log('open in a fresh process')
    const fresh = await openInFreshProcess(dataDir)
    if (fresh.objects !== objects.length) throw new Error(`the fresh process found ${fresh.objects} objects`)

    return {
      size,
      insertMany,
      insertOne,
      lookup,
      scanLookup,
      page,
      pageItems,
      scanPage,
      largePage,
      largeItems,
      scanLargePage,
      reopenMillis,
      fresh,
      journalBytes,
      peakRssMegabytes: process.resourceUsage().maxRSS / 1024
    }
  } finally {
    await store?.close()
    await rm(dataDir, { recursive: true, force: true })
    await rm(singlesDir, { recursive: true, force: true })
  }
}

const integer = (value: number): string => Math.round(value).toLocaleString('en')
const micros = (value: number): string => value < 1000 ? `${value.toFixed(1)} µs` : `${(value / 1000).toFixed(2)} ms`
const latency = (timing: Timing): string => `${micros(timing.median)} / ${micros(timing.p99)}`
const sampled = (timing: Timing): string => `${latency(timing)} (${timing.count}×)`
const gain = (scan: Timing, index: Timing): string => `${(scan.median / index.median).toFixed(1)}×`

function table (results: Result[]): string {
  const rows: Array<[string, (result: Result) => string]> = [
    ['documents (objects + streams)', r => `${integer(r.size / 2)} + ${integer(r.size / 2)}`],
    ['insertMany, batches of 1000', r => `${integer(r.insertMany)} docs/s`],
    ['insertOne, 1 writer', r => `${integer(r.insertOne.get(1) ?? 0)} docs/s`],
    ['insertOne, 4 writers (group commit)', r => `${integer(r.insertOne.get(4) ?? 0)} docs/s`],
    ['insertOne, 16 writers (group commit)', r => `${integer(r.insertOne.get(16) ?? 0)} docs/s`],
    ['findOne({ id }) by unique index', r => `${integer(r.lookup.perSecond)} ops/s`],
    ['  median / p99', r => latency(r.lookup)],
    ['array.find scan', r => `${integer(r.scanLookup.perSecond)} ops/s`],
    ['  median / p99', r => latency(r.scanLookup)],
    ['  index gain (scan / index median)', r => gain(r.scanLookup, r.lookup)],
    ['getStream page of 20 (index)', r => `${integer(r.page.perSecond)} pages/s`],
    ['  collection size (mean items)', r => integer(r.pageItems)],
    ['  median / p99', r => sampled(r.page)],
    ['filter+sort+slice scan page', r => `${integer(r.scanPage.perSecond)} pages/s`],
    ['  median / p99', r => sampled(r.scanPage)],
    ['  index gain (scan / index median)', r => gain(r.scanPage, r.page)],
    ['getStream page of 20, large collection', r => `${integer(r.largeItems)} items`],
    ['  median / p99', r => sampled(r.largePage)],
    ['  scan median / p99', r => sampled(r.scanLargePage)],
    ['  index gain (scan / index median)', r => gain(r.scanLargePage, r.largePage)],
    ['journal size', r => `${(r.journalBytes / 1024 / 1024).toFixed(1)} MiB`],
    ['open + replay, same process', r => `${integer(r.reopenMillis)} ms`],
    ['open + replay, fresh process', r => `${integer(r.fresh.openMillis)} ms`],
    ['peak RSS, fresh process after open', r => `${integer(r.fresh.rssMegabytes)} MB`],
    ['peak RSS, this process so far', r => `${integer(r.peakRssMegabytes)} MB`]
  ]
  const label = Math.max(...rows.map(row => row[0].length))
  const cells = rows.map(([name, cell]) => [name, ...results.map(cell)])
  const widths = results.map((_, column) => Math.max(...cells.map(row => (row[column + 1] as string).length), 12))
  const header = ['size'.padEnd(label), ...results.map((result, column) => integer(result.size).padStart(widths[column] as number))].join('  ')
  return [header, ...cells.map(([name, ...values]) => [(name as string).padEnd(label), ...values.map((value, column) => (value as string).padStart(widths[column] as number))].join('  '))].join('\n')
}

function verdicts (result: Result): string {
  const line = (name: string, value: string, pass: boolean): string => `  ${pass ? 'PASS' : 'MISS'}  ${name}: ${value}`
  return [
    `Targets at ${integer(result.size)} small documents:`,
    line(`point lookup median ≤ ${TARGETS.lookupMedianMicros} µs`, micros(result.lookup.median), result.lookup.median <= TARGETS.lookupMedianMicros),
    line(`open + replay ≤ ${TARGETS.openMillis} ms (fresh process)`, `${integer(result.fresh.openMillis)} ms`, result.fresh.openMillis <= TARGETS.openMillis),
    line(`RSS ≤ ${TARGETS.rssMegabytes} MB (fresh process holding the store)`, `${integer(result.fresh.rssMegabytes)} MB`, result.fresh.rssMegabytes <= TARGETS.rssMegabytes)
  ].join('\n')
}

async function main (): Promise<void> {
  const sizes = (process.env.BENCH_STORE_SIZES ?? '10000,100000').split(',').map(Number)
  process.stdout.write(`Embedded store, Node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, data dir in ${os.tmpdir()}\n`)
  const results: Result[] = []
  for (const size of sizes) results.push(await run(size))
  process.stdout.write(`\n${table(results)}\n\nLatencies are per operation, median / p99, measured one after another; (n×) is how many ran within the time budget.\n`)
  const target = results.find(result => result.size === 100_000)
  if (target) process.stdout.write(`\n${verdicts(target)}\n`)
  const streamSizes = (process.env.BENCH_STREAM_SIZES ?? '500,5000,50000').split(',').map(Number)
  process.stdout.write(`\n${streamPageTable(await streamPageScaling(streamSizes))}\n`)
}

if (process.argv[2] === '--open') {
  await openOnly(process.argv[3] as string)
} else {
  await main()
}
