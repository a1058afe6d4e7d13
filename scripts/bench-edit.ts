// Editing at scale (issue 19): saves, merged saves and page views signed in beside anonymous ones,
// on a wiki of many pages, all in one run on one machine.
// Usage: npm run bench:edit   (-- --pages 1000 --saves 20 --seconds 3 --rounds 1 for a quick run)
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { buildApp } from '../src/app.ts'
import { loadConfig } from '../src/config/index.ts'
import { measureUploads, reportUploads } from './bench-upload.ts'
import { EventBus } from '../src/events/index.ts'
import { openStore } from '../src/store/index.ts'
import type { WikiEvents } from '../src/wiki/events.ts'
import { createWikiService } from '../src/wiki/service.ts'
import { signIn } from '../test/helpers.ts'
import { milliseconds, percentile } from './latency.ts'
import { measureLoad, median, type LoadMeasurement } from './load-generator.ts'

const { values: args } = parseArgs({
  options: {
    pages: { type: 'string', default: '10000' },
    saves: { type: 'string', default: '100' },
    indexed: { type: 'string', default: '10' },
    seconds: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' }
  }
})
const pageCount = positive('pages')
const saveCount = positive('saves')
const indexedCount = positive('indexed')
const seconds = positive('seconds')
const rounds = positive('rounds')
const connections = positive('connections')
/** Pages created at once while seeding. */
const SEED_BATCH = 100
const BROWSER_ENCODINGS = 'gzip, deflate, br, zstd'
/** Longest wait for one save to become searchable; beyond it the sample counts as missing. */
const INDEX_TIMEOUT_MS = 60_000

function positive (name: keyof typeof args): number {
  const value = Number(args[name])
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive whole number, not ${String(args[name])}`)
  return value
}

const WORDS = ['Quartier', 'Beratung', 'Ehrenamt', 'Familie', 'Wirkung', 'Teilhabe', 'Projekt', 'Nachbarschaft', 'Jugend', 'Alter',
  'Treffpunkt', 'Stadtteil', 'Pflege', 'Begleitung', 'Sprache', 'Schule', 'Arbeit', 'Wohnung', 'Gesundheit', 'Zugang']

/** A page of about `words` words in paragraphs of 50, each paragraph's words shifted by the page and paragraph number. */
function pageBody (seed: number, words: number): string[] {
  const paragraphs: string[] = []
  for (let start = 0; start < words; start += 50) {
    const sentence: string[] = []
    for (let index = 0; index < 50 && start + index < words; index++) sentence.push(WORDS[(seed * 7 + start + index * 3) % WORDS.length] ?? 'Wort')
    paragraphs.push(`${sentence.join(' ')}.`)
  }
  return paragraphs
}

function sourceOf (title: string, paragraphs: string[]): string {
  return `---\ntitle: ${title}\nvisibility: public\ntags: [messung]\n---\n${paragraphs.join('\n\n')}\n`
}

const dataDir = await mkdtemp(path.join(os.tmpdir(), 'praxiswiki-bench-edit-'))
const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', FEDERATION_KEY_BITS: '2048' })

/**
 * Pages go in through the wiki service on the store alone, many at a time (the embedded engine
 * shares one fsync among the writes that arrive together); the app started afterwards indexes
 * them for search as any start finds pages its index lacks.
 */
async function seed (): Promise<{ slug: string, id: string, revision: string }> {
  const store = await openStore({ dataDir })
  try {
    const wiki = createWikiService({ db: store.db, events: new EventBus<WikiEvents>() })
    await wiki.ensureIndexes()
    const target = await wiki.createPage({ title: 'Messseite', source: sourceOf('Messseite', pageBody(0, 500)) })
    for (let start = 1; start < pageCount; start += SEED_BATCH) {
      const batch: Array<Promise<unknown>> = []
      for (let number = start; number < Math.min(pageCount, start + SEED_BATCH); number++) {
        batch.push(wiki.createPage({ title: `Seite ${number}`, source: sourceOf(`Seite ${number}`, pageBody(number, 100)) }))
      }
      await Promise.all(batch)
    }
    return { slug: target.slug, id: target._id.toHexString(), revision: target.revisionId.toHexString() }
  } finally {
    await store.close()
  }
}

const seedStarted = Date.now()
const target = await seed()
const seeded = (Date.now() - seedStarted) / 1000
const app = await buildApp(config, { logger: false })
try {
  await app.searchIndex.ready
  await app.searchIndex.settled()
  const status = app.searchIndex.status()
  process.stdout.write(`${pageCount} pages (one of 500 words, the rest of 100) seeded through the wiki service in ${seeded.toFixed(1)} s; search index built at start: ${status.documents} documents in ${status.shards} shards, ${((Date.now() - seedStarted) / 1000).toFixed(1)} s after seeding began\n`)
  // The start-up work of a wiki whose pages came in without the app: measured below is editing afterwards.
  await app.ready()
  await app.backlinks.reconciled()
  process.stdout.write(`link index in line with the pages ${((Date.now() - seedStarted) / 1000).toFixed(1)} s after seeding began\n`)

  const editor = await signIn(app, app.inject.bind(app), 'messung', 'editor')
  const { token } = await app.auth.accounts.createToken('messung', 'benchmark')
  const url = await app.listen({ port: 0, host: '127.0.0.1' })
  const api = `${url}/api/pages/${target.slug}`
  const put = async (source: string, baseRevision: string): Promise<{ status: number, ms: number, body: Record<string, unknown> }> => {
    const started = performance.now()
    const response = await fetch(api, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ source, baseRevision, message: 'Messung' }) })
    const body = await response.json() as Record<string, unknown>
    return { status: response.status, ms: performance.now() - started, body }
  }
  let paragraphs = pageBody(0, 500)
  let revision = target.revision
  /** A small edit: one word of one paragraph, a different one each time. */
  const edited = (round: number, paragraph: number): string[] => paragraphs.map((text, index) => index === paragraph ? text.replace(/^\S+/, `Änderung${round}`) : text)

  // 1. Saves: the answer to PUT /api/pages/:slug.
  const saveTimes: number[] = []
  for (let round = 0; round < saveCount; round++) {
    paragraphs = edited(round, round % paragraphs.length)
    const result = await put(sourceOf('Messseite', paragraphs), revision)
    if (result.status !== 200) throw new Error(`a save answered ${result.status}: ${JSON.stringify(result.body)}`)
    revision = String(result.body.revision)
    saveTimes.push(result.ms)
  }

  // 2. Saves until the search index answers with them: the index rebuilds the touched shard in a worker after the answer.
  const indexedTimes: number[] = []
  let missing = 0
  for (let round = 0; round < indexedCount; round++) {
    const word = `suchwort${round}x${Date.now().toString(36)}`
    paragraphs = paragraphs.map((text, index) => index === 0 ? `${word} ${text}` : text)
    const started = performance.now()
    const indexed = new Promise<boolean>(resolve => {
      const timer = setTimeout(() => { off(); resolve(false) }, INDEX_TIMEOUT_MS)
      const off = app.searchIndex.events.on('index.updated', event => {
        if (!event.upserted.includes(target.id)) return
        clearTimeout(timer)
        off()
        resolve(true)
      })
    })
    const result = await put(sourceOf('Messseite', paragraphs), revision)
    if (result.status !== 200) throw new Error(`a save answered ${result.status}: ${JSON.stringify(result.body)}`)
    revision = String(result.body.revision)
    if (!await indexed) { missing++; continue }
    const found = await (await fetch(`${url}/api/search?q=${word}`)).json() as { results?: Array<{ url: string }> }
    if (found.results?.some(hit => hit.url.endsWith(`/wiki/${target.slug}`)) !== true) { missing++; continue }
    indexedTimes.push(performance.now() - started)
  }

  // 3. Merged saves: an outdated base whose change does not overlap the change saved since.
  const mergedTimes: number[] = []
  let mergedRefusal: string | null = null
  for (let round = 0; round < saveCount && mergedRefusal === null; round++) {
    const base = revision
    const theirs = edited(1000 + round, 1)
    const first = await put(sourceOf('Messseite', theirs), base)
    if (first.status !== 200) throw new Error(`a save answered ${first.status}: ${JSON.stringify(first.body)}`)
    const mine = theirs.map((text, index) => index === 7 ? (paragraphs[7] ?? '').replace(/^\S+/, `Zusammen${round}`) : text)
    const oursFromBase = paragraphs.map((text, index) => index === 7 ? mine[7] ?? text : text)
    const merged = await put(sourceOf('Messseite', oursFromBase), base)
    if (merged.status === 200 && merged.body.merged === true) {
      mergedTimes.push(merged.ms)
      paragraphs = mine
      revision = String(merged.body.revision)
    } else {
      mergedRefusal = `the server answered ${merged.status}${merged.status === 409 ? ' (conflict)' : ''}${merged.status === 200 ? ' without "merged": true' : ''} to a save from an outdated base whose change does not overlap`
      revision = String(first.body.revision)
      paragraphs = theirs
    }
  }

  // 4. Uploads: a 3 MB JPEG with its display sizes, beside a PDF of the same size (scripts/bench-upload.ts).
  const uploadLine = reportUploads(await measureUploads({ baseUrl: url, token, rounds: Math.max(5, rounds * 2) })).trimEnd()

  // 5. Page views of the 500-word page, anonymous and signed in, rounds interleaved so a noisy spell hits both.
  const pageUrl = `${url}/wiki/${target.slug}`
  const signedInPage = await (await fetch(pageUrl, { headers: { cookie: editor.cookie } })).text()
  if (!signedInPage.includes(editor.username)) throw new Error('the signed-in page does not show who is signed in')
  const views: Record<'anonymous' | 'signed in', LoadMeasurement[]> = { anonymous: [], 'signed in': [] }
  for (let round = 0; round < rounds; round++) {
    views.anonymous.push(await measureLoad(pageUrl, { connections, seconds, headers: { 'accept-encoding': BROWSER_ENCODINGS } }))
    views['signed in'].push(await measureLoad(pageUrl, { connections, seconds, headers: { 'accept-encoding': BROWSER_ENCODINGS, cookie: editor.cookie } }))
  }

  const row = (name: string, times: number[], targetMs: number): string =>
    `${name.padEnd(14)} median ${milliseconds(median(times)).padStart(6)} ms   p95 ${milliseconds(percentile(times, 0.95)).padStart(6)} ms   (${times.length} samples; target p95 ≤ ${targetMs} ms: ${percentile(times, 0.95) <= targetMs ? 'PASS' : 'MISS'})\n`
  process.stdout.write('\nSave: PUT /api/pages/:slug with a one-word edit of the 500-word page, over loopback with an API token, until its 200 answer.\n')
  process.stdout.write('Included: the request and JSON validation, front matter parsing and the save checks (lesson fields, personal data), the revision and page writes with the journal\'s fsync, the page.saved event to its subscribers (search staging the document, the reader cache and rendered links cleared, federation\'s outbox).\n')
  process.stdout.write('Not included in "save": rebuilding the search shard, which a worker does after the answer; "searchable" is the time until /api/search finds a new word of the save.\n')
  process.stdout.write(row('save', saveTimes, 100))
  process.stdout.write(indexedTimes.length > 0 ? `searchable     median ${milliseconds(median(indexedTimes)).padStart(6)} ms   p95 ${milliseconds(percentile(indexedTimes, 0.95)).padStart(6)} ms   (${indexedTimes.length} samples, ${missing} not found within ${INDEX_TIMEOUT_MS / 1000} s)\n` : `searchable     no sample found within ${INDEX_TIMEOUT_MS / 1000} s (${missing} missing)\n`)
  process.stdout.write(mergedRefusal === null ? row('merged save', mergedTimes, 150) : `merged save    NOT MEASURED: ${mergedRefusal}; three-way merging is not in this build\n`)
  process.stdout.write(`${uploadLine}\n`)
  const anonymous = summary(views.anonymous)
  const signedIn = summary(views['signed in'])
  process.stdout.write(`\nViews of the 500-word page as browsers ask for it (br), ${connections} connections, ${rounds} rounds of ${seconds} s, medians; server µs is this process's CPU time per answer:\n`)
  for (const [name, result] of [['anonymous', anonymous], ['signed in', signedIn]] as const) {
    process.stdout.write(`${name.padEnd(10)} ${result.requestsPerSecond.toFixed(0).padStart(7)} req/s   p99 ${String(result.p99).padStart(3)} ms   server ${result.serverMicroseconds.toFixed(0).padStart(5)} µs/request   errors ${result.errors}\n`)
  }
  const ratio = signedIn.requestsPerSecond / anonymous.requestsPerSecond
  process.stdout.write(`signed in / anonymous: ${ratio.toFixed(2)} (target ≥ 0.4), signed-in p99 ${signedIn.p99} ms (target ≤ 20 ms): ${ratio >= 0.4 && signedIn.p99 <= 20 ? 'PASS' : 'MISS'}\n`)
} finally {
  await app.close()
  await rm(dataDir, { recursive: true, force: true })
}

function summary (measurements: LoadMeasurement[]): LoadMeasurement {
  return {
    requestsPerSecond: median(measurements.map(measurement => measurement.requestsPerSecond)),
    p99: median(measurements.map(measurement => measurement.p99)),
    serverMicroseconds: median(measurements.map(measurement => measurement.serverMicroseconds)),
    errors: measurements.reduce((sum, measurement) => sum + measurement.errors, 0)
  }
}
