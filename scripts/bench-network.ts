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
import { followPeer, type FollowedPeer } from './followed-peer.ts'
import { startPosterProcess } from './poster-process.ts'
import { milliseconds, percentile } from './latency.ts'
import { lessonCreate } from './network-lessons.ts'

const CONCURRENCY = 16
const PROBES = 10
const PROBE_TIMEOUT_MS = 30_000
const READS = 40
const HANDLED_TIMEOUT_MS = 120_000

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

/**
 * Activities the wiki has handled, by id: the answer to a send arrives from the peers' process
 * after the wiki may have handled it already, so each is remembered until asked for.
 */
function handledActivities (app: Awaited<ReturnType<typeof buildApp>>): { handled: (activityId: string, timeoutMs: number) => Promise<boolean>, stop: () => void } {
  const done = new Set<string>()
  const waiting = new Map<string, (handled: boolean) => void>()
  const stop = app.federation.inbox.handled.on('handled', event => {
    const resolve = waiting.get(event.activityId)
    if (resolve === undefined) done.add(event.activityId)
    else resolve(true)
  })
  return {
    handled: async (activityId, timeoutMs) => {
      if (done.delete(activityId)) return true
      return await new Promise<boolean>(resolve => {
        const timer = setTimeout(() => { waiting.delete(activityId); resolve(false) }, timeoutMs)
        waiting.set(activityId, handled => { clearTimeout(timer); waiting.delete(activityId); resolve(handled) })
      })
    },
    stop
  }
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

/** Reads a whole answer without keeping it: the client shares the wiki's process, and 20 MB strings of its own would count in the wiki's memory. */
async function timedRead (url: string): Promise<{ status: number, ms: number }> {
  const started = performance.now()
  const response = await fetch(url)
  for await (const chunk of response.body ?? []) void chunk
  return { status: response.status, ms: performance.now() - started }
}

async function p95Of (url: string): Promise<{ p95: number, median: number, statuses: Set<number> }> {
  const times: number[] = []
  const statuses = new Set<number>()
  for (let i = 0; i < READS; i++) {
    const answer = await timedRead(url)
    times.push(answer.ms)
    statuses.add(answer.status)
  }
  return { p95: percentile(times, 0.95), median: percentile(times, 0.5), statuses }
}

const MIB = 2 ** 20
const gigabytes = (bytes: number): string => `${(bytes / 1e9).toFixed(2)} GB`

/**
 * What holds the memory: the embedded store keeps every document in memory as its BSON bytes
 * (sized here; they are array buffers, outside the main-thread heap), the search
 * workers hold their loaded shards in their own heaps, and apex keeps its own copies of
 * every activity and object (`streams`, `objects`) beside ours (`remotePages`).
 */
async function reportMemory (app: Awaited<ReturnType<typeof buildApp>>): Promise<void> {
  // Read before the counting below, whose reads of every document are the bench's, not the wiki's.
  const peakRss = process.resourceUsage().maxRSS * 1024
  const memory = process.memoryUsage()
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
  process.stdout.write(`  peak RSS ${Math.round(peakRss / MIB)} MiB (${gigabytes(peakRss)}); now RSS ${Math.round(memory.rss / MIB)} MiB, of which main-thread heap ${Math.round(memory.heapUsed / MIB)} MiB in use of ${Math.round(memory.heapTotal / MIB)} MiB held, search workers' heaps ${Math.round(workerHeap / MIB)} MiB (${workers.map(worker => worker === null ? '?' : `${worker.shards} shards`).join(', ')}), array buffers ${Math.round(memory.arrayBuffers / MIB)} MiB\n`)
  process.stdout.write(`  the store's documents, as BSON: ${Math.round(storeBytes / MIB)} MiB in all; ${collections.slice(0, 6).map(collection => `${collection.name} ${collection.count.toLocaleString('en')} docs ${Math.round(collection.bytes / MIB)} MiB`).join(', ')}\n`)
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
  // The peers' lessons are signed and sent from a process of their own: on a real network that is another machine's work, not the wiki's.
  const poster = startPosterProcess()
  try {
    for (let i = 0; i < organisations; i++) peers.push(await followPeer(app, baseUrl))
    const baseline = await p95Of(`${baseUrl}/lessons?field=Altenhilfe&outcome=fails`)

    // Ingest: every peer's lessons, made and signed ahead by the peers' process, then sent with
    // CONCURRENCY in flight; a slot takes the next one once the wiki has handled its last.
    const preparing = performance.now()
    const prepared = await poster.prepare(peers.map(peer => ({ actorId: peer.actorId, ...peer.signing })), lessons)
    process.stdout.write(`  ${prepared.toLocaleString('en')} lessons made and signed by the peers' process in ${((performance.now() - preparing) / 1000).toFixed(1)} s (not timed below)\n`)
    const handledOnes = handledActivities(app)
    let handled = 0
    let refused = 0
    let next = 0
    const started = performance.now()
    const loopBefore = performance.eventLoopUtilization()
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next < prepared) {
        const answer = await poster.send(next++)
        if (answer.status >= 300) refused++
        else if (await handledOnes.handled(answer.activityId, HANDLED_TIMEOUT_MS)) handled++
      }
    }))
    handledOnes.stop()
    const ingestSeconds = (performance.now() - started) / 1000
    const loop = performance.eventLoopUtilization(loopBefore)
    process.stdout.write(`  ingest through the inbox: ${handled.toLocaleString('en')} handled, ${refused} refused, in ${ingestSeconds.toFixed(1)} s = ${Math.round(handled / ingestSeconds)} lessons/s\n`)
    process.stdout.write(`  the wiki's event loop was busy ${Math.round(loop.utilization * 100)}% of the time: ${(loop.active / Math.max(1, handled)).toFixed(2)} ms per lesson\n`)
    const afterIngest = process.memoryUsage()
    process.stdout.write(`  after the ingest: peak RSS so far ${Math.round(process.resourceUsage().maxRSS * 1024 / MIB)} MiB; now RSS ${Math.round(afterIngest.rss / MIB)} MiB, main-thread heap ${Math.round(afterIngest.heapUsed / MIB)} MiB in use of ${Math.round(afterIngest.heapTotal / MIB)} MiB held\n`)

    // From a peer's send to the lesson in /lessons (by its own tag) and in search (by its own word).
    // When none of the delivered lessons is in /lessons, waiting for the probes there would only wait out each deadline.
    const arrived = (JSON.parse((await get(`${baseUrl}/api/lessons?tag=netz&perPage=1`)).body) as { total: number }).total
    const inLessons: number[] = []
    const inSearch: number[] = []
    for (let probe = 0; probe < PROBES; probe++) {
      const word = `probe${probe}z${Date.now()}`
      const peer = peers[probe % peers.length]!
      const since = performance.now()
      await peer.post(lessonCreate(peer.actorId, probe % peers.length, lessons + probe, `probe-${word}`, word))
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
    await poster.close()
    await app.close()
    await rm(dataDir, { recursive: true, force: true })
  }
}

process.stdout.write(`bench:network on Node ${process.version}, ${os.cpus().length} CPUs, load average ${os.loadavg()[0]?.toFixed(1)} (a shared machine: read medians and ratios)\n`)
for (const { organisations, lessons } of sizesFromArguments()) await run(organisations, lessons)
