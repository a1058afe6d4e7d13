// npm run bench:network — followed organisations deliver lessons to one wiki through its real
// inbox (signed Creates from fake peers on loopback, signatures verified), then: the ingest
// rate, the time from a peer's send to the lesson showing in /lessons and in search, the p95
// of a filtered /lessons and of /evidence, and the peak RSS with what holds it.
// Usage: npm run bench:network                       (20 × 500, then 100 × 1,000)
//        npm run bench:network -- --sizes 2x50       (organisations x lessons each, comma-separated)
// Nothing here waits unbounded: every wait has a deadline, and what did not arrive is counted as such.
import { mkdtemp, rm } from 'node:fs/promises'
import http from 'node:http'
import type net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { BSON } from 'mongodb'
import { buildApp } from '../src/app.ts'
import { loadConfig } from '../src/config/index.ts'
import { PRAXISWIKI_CONTEXT } from '../src/federation/contexts.ts'
import { DEFAULT_LESSON_FIELDS } from '../src/lessons/index.ts'
import { lessonNode } from '../src/lessons/linked-data.ts'
import { followPeer, type FollowedPeer } from './followed-peer.ts'
import { milliseconds, percentile } from './latency.ts'

const CONCURRENCY = 16
const PROBES = 10
const PROBE_TIMEOUT_MS = 30_000
const READS = 40
const OUTCOMES = ['works', 'fails', 'mixed', 'open']

function sizesFromArguments (): Array<{ organisations: number, lessons: number }> {
  const index = process.argv.indexOf('--sizes')
  const text = index >= 0 ? process.argv[index + 1] ?? '' : '20x500,100x1000'
  return text.split(',').map(size => {
    const [organisations, lessons] = size.split('x').map(Number)
    if (!Number.isInteger(organisations) || !Number.isInteger(lessons) || organisations! < 1 || lessons! < 1) throw new Error(`--sizes wants e.g. 20x500, not ${size}`)
    return { organisations: organisations!, lessons: lessons! }
  })
}

async function freePort (): Promise<number> {
  return await new Promise(resolve => {
    const server = http.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })
}

/** A Create of a lesson Article as a Praxiswiki peer sends it today: the lesson vocabulary inlined, the lesson as its own node. */
function lessonCreate (peer: FollowedPeer, organisation: number, n: number, probe: string | null): Record<string, unknown> {
  const field = DEFAULT_LESSON_FIELDS[n % DEFAULT_LESSON_FIELDS.length] as string
  const word = probe ?? `lektion${organisation}x${n}`
  const create = peer.createArticle(`Lektion ${n} der Organisation ${organisation} ${word}`, `<p>Was wir gelernt haben: ${word}.</p>`)
  // Its own terms inlined, as a Praxiswiki peer's publisher sends them: without them JSON-LD drops the lesson on the way in.
  create['@context'] = ['https://www.w3.org/ns/activitystreams', PRAXISWIKI_CONTEXT]
  const article = create.object as Record<string, unknown>
  article.tag = [{ type: 'Hashtag', name: `#${probe ?? 'netz'}` }]
  article.lesson = lessonNode({
    programme: `Programm ${n}`,
    organisation: `Organisation ${organisation}`,
    place: { name: 'Leipzig', lat: 51.34, lon: 12.37 },
    field,
    period: { from: '2024-01' },
    outcome: OUTCOMES[n % OUTCOMES.length],
    impactStep: 1 + (n % 7),
    evidenceDesign: 'before-after',
    participants: 40 + n,
    sites: 1 + (n % 3),
    costBand: 1 + (n % 5)
  })
  return create
}

async function get (url: string): Promise<{ status: number, ms: number, body: string }> {
  const started = performance.now()
  const response = await fetch(url)
  const body = await response.text()
  return { status: response.status, ms: performance.now() - started, body }
}

/** Milliseconds until `found` holds, polled every 50 ms; null past the deadline. */
async function timeUntil (since: number, found: () => Promise<boolean>): Promise<number | null> {
  while (performance.now() - since < PROBE_TIMEOUT_MS) {
    if (await found()) return performance.now() - since
    await new Promise(resolve => setTimeout(resolve, 50))
  }
  return null
}

async function p95Of (url: string): Promise<{ p95: number, median: number, statuses: Set<number> }> {
  const times: number[] = []
  const statuses = new Set<number>()
  for (let i = 0; i < READS; i++) {
    const answer = await get(url)
    times.push(answer.ms)
    statuses.add(answer.status)
  }
  return { p95: percentile(times, 0.95), median: percentile(times, 0.5), statuses }
}

const MB = 2 ** 20

/**
 * What holds the memory: the embedded store keeps every document in memory as its BSON bytes
 * (sized here; they are array buffers, outside the main-thread heap), the search
 * workers hold their loaded shards in their own heaps, and apex keeps its own copies of
 * every activity and object (`streams`, `objects`) beside ours (`remotePages`).
 */
async function reportMemory (app: Awaited<ReturnType<typeof buildApp>>): Promise<void> {
  const db = app.store.db
  const collections: Array<{ name: string, count: number, bytes: number }> = []
  for (const { name } of await db.listCollections({}, { nameOnly: true }).toArray()) {
    let count = 0
    let bytes = 0
    for await (const document of db.collection(name).find({})) {
      count++
      bytes += BSON.calculateObjectSize(document)
    }
    collections.push({ name, count, bytes })
  }
  collections.sort((a, b) => b.bytes - a.bytes)
  const storeBytes = collections.reduce((sum, collection) => sum + collection.bytes, 0)
  const workers = await app.searchIndex.memory()
  const workerHeap = workers.reduce((sum, worker) => sum + (worker?.usedHeap ?? 0), 0)
  const memory = process.memoryUsage()
  process.stdout.write(`  peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB; now RSS ${Math.round(memory.rss / MB)} MB, of which main-thread heap ${Math.round(memory.heapUsed / MB)} MB, search workers' heaps ${Math.round(workerHeap / MB)} MB (${workers.map(worker => worker === null ? '?' : `${worker.shards} shards`).join(', ')}), array buffers ${Math.round(memory.arrayBuffers / MB)} MB\n`)
  process.stdout.write(`  the store's documents, as BSON: ${Math.round(storeBytes / MB)} MB in all; ${collections.slice(0, 6).map(collection => `${collection.name} ${collection.count.toLocaleString('en')} docs ${Math.round(collection.bytes / MB)} MB`).join(', ')}\n`)
}

async function run (organisations: number, lessons: number): Promise<void> {
  const total = organisations * lessons
  process.stdout.write(`\n${organisations} organisations × ${lessons.toLocaleString('en')} lessons = ${total.toLocaleString('en')}\n`)
  const port = await freePort()
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'praxiswiki-bench-network-'))
  const baseUrl = `http://127.0.0.1:${port}`
  const config = loadConfig({ PORT: String(port), HOST: '127.0.0.1', BASE_URL: baseUrl, DATA_DIR: dataDir, LOG_LEVEL: 'silent', FEDERATION_ALLOW_PRIVATE: 'true', FEDERATION_KEY_BITS: '2048' })
  const app = await buildApp(config, { logger: false })
  await app.listen({ port, host: '127.0.0.1' })
  const peers: FollowedPeer[] = []
  try {
    for (let i = 0; i < organisations; i++) peers.push(await followPeer(app, baseUrl))
    const baseline = await p95Of(`${baseUrl}/lessons?field=Altenhilfe&outcome=fails`)

    // Ingest: every peer's lessons, CONCURRENCY signed POSTs in flight.
    const jobs = peers.flatMap((peer, organisation) => Array.from({ length: lessons }, (_, n) => ({ peer, organisation, n })))
    let handled = 0
    let refused = 0
    let next = 0
    const started = performance.now()
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next < jobs.length) {
        const job = jobs[next++]!
        const answer = await job.peer.post(lessonCreate(job.peer, job.organisation, job.n, null))
        if (answer.status >= 300) refused++
        else if (await answer.handled) handled++
      }
    }))
    const ingestSeconds = (performance.now() - started) / 1000
    process.stdout.write(`  ingest through the inbox: ${handled.toLocaleString('en')} handled, ${refused} refused, in ${ingestSeconds.toFixed(1)} s = ${Math.round(handled / ingestSeconds)} lessons/s\n`)

    // From a peer's send to the lesson in /lessons (by its own tag) and in search (by its own word).
    // When none of the delivered lessons is in /lessons, waiting for the probes there would only wait out each deadline.
    const arrived = (JSON.parse((await get(`${baseUrl}/api/lessons?tag=netz&perPage=1`)).body) as { total: number }).total
    const inLessons: number[] = []
    const inSearch: number[] = []
    for (let probe = 0; probe < PROBES; probe++) {
      const word = `probe${probe}z${Date.now()}`
      const peer = peers[probe % peers.length]!
      const since = performance.now()
      await peer.post(lessonCreate(peer, probe % peers.length, lessons + probe, word))
      const listed = arrived === 0 ? Promise.resolve(null) : timeUntil(since, async () => (JSON.parse((await get(`${baseUrl}/api/lessons?tag=${word}`)).body) as { total: number }).total > 0)
      const searched = timeUntil(since, async () => ((JSON.parse((await get(`${baseUrl}/api/search?q=${word}`)).body) as { results?: unknown[] }).results?.length ?? 0) > 0)
      const [listedMs, searchedMs] = await Promise.all([listed, searched])
      if (listedMs !== null) inLessons.push(listedMs)
      if (searchedMs !== null) inSearch.push(searchedMs)
    }
    process.stdout.write(`  ${arrived.toLocaleString('en')} of ${total.toLocaleString('en')} delivered lessons arrived in /lessons\n`)
    process.stdout.write(arrived === 0
      ? '  send → /lessons: not measured, since no delivered lesson is listed in /lessons\n'
      : `  send → /lessons: ${inLessons.length} of ${PROBES} probes arrived within ${PROBE_TIMEOUT_MS / 1000} s${inLessons.length > 0 ? `, median ${milliseconds(percentile(inLessons, 0.5))} ms` : ''}\n`)
    process.stdout.write(`  send → search:   ${inSearch.length} of ${PROBES} probes arrived within ${PROBE_TIMEOUT_MS / 1000} s${inSearch.length > 0 ? `, median ${milliseconds(percentile(inSearch, 0.5))} ms` : ''}\n`)

    const lessonsRead = await p95Of(`${baseUrl}/lessons?field=Altenhilfe&outcome=fails`)
    const evidenceRead = await p95Of(`${baseUrl}/evidence?field=Altenhilfe`)
    const evidenceAll = await p95Of(`${baseUrl}/api/evidence`)
    const line = (name: string, read: { p95: number, median: number, statuses: Set<number> }): string =>
      `  ${name.padEnd(34)} p95 ${milliseconds(read.p95)} ms, median ${milliseconds(read.median)} ms (status ${[...read.statuses].join('/')}; ${READS} sequential reads)\n`
    process.stdout.write(line('/lessons?field&outcome, empty wiki', baseline))
    process.stdout.write(line('/lessons?field&outcome', lessonsRead))
    process.stdout.write(`  ratio to the empty wiki: ${(lessonsRead.median / Math.max(0.001, baseline.median)).toFixed(1)}× (medians)\n`)
    process.stdout.write(line('/evidence?field', evidenceRead))
    process.stdout.write(line('/api/evidence (every lesson)', evidenceAll))

    await reportMemory(app)
  } finally {
    for (const peer of peers) await peer.close()
    await app.close()
    await rm(dataDir, { recursive: true, force: true })
  }
}

process.stdout.write(`bench:network on Node ${process.version}, ${os.cpus().length} CPUs, load average ${os.loadavg()[0]?.toFixed(1)} (a shared machine: read medians and ratios)\n`)
for (const { organisations, lessons } of sizesFromArguments()) await run(organisations, lessons)
