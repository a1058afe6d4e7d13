// What watching, notifications and backlinks cost: signed-in page views with the unread count,
// the watch button and "what links here" known (warm) and just forgotten (cold), next to an
// anonymous view and to the same page with no backlinks, in one run; the backlinks query from
// the link index next to a scan of every page's text; one edit told to many watchers.
// Usage: npm run bench:notifications   (BENCH_PAGES, BENCH_LINKING, BENCH_WATCHERS, BENCH_VIEWS)
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { buildApp } from '../src/app.ts'
import { loadConfig } from '../src/config/index.ts'
import { signIn } from '../test/helpers.ts'
import { eventLoopMonitor, milliseconds, percentile } from './latency.ts'

const PAGES = Number(process.env.BENCH_PAGES ?? 2000)
const LINKING = Number(process.env.BENCH_LINKING ?? 200)
const WATCHERS = Number(process.env.BENCH_WATCHERS ?? 300)
const VIEWS = Number(process.env.BENCH_VIEWS ?? 300)
const MAX_WAIT_MS = 120_000

const dataDir = await mkdtemp(path.join(os.tmpdir(), 'praxiswiki-bench-notifications-'))
const app = await buildApp(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', BASE_URL: 'http://wiki.test', FEDERATION_KEY_BITS: '2048' }), { logger: false })
try {
  await app.ready()
  const words = 'Quartier Beratung Ehrenamt Familie Wirkung Teilhabe Projekt Nachbarschaft Jugend Alter '.repeat(50)
  await app.wiki.createPage({ source: `---\ntitle: Ziel\nvisibility: public\n---\n${words}\n` })
  await app.wiki.createPage({ source: `---\ntitle: Ohne Links\nvisibility: public\n---\n${words}\n` })
  for (let index = 0; index < PAGES; index++) {
    const link = index < LINKING ? ' Siehe [[Ziel]].' : ''
    await app.wiki.createPage({ source: `---\ntitle: Seite ${index}\nvisibility: ${index % 2 === 0 ? 'public' : 'local'}\n---\n${words}${link}\n` })
  }
  const links = app.store.db.collection<{ _id: string, title: string, targets: string[] }>('pageLinks')
  const indexed = performance.now()
  for (let attempt = 0; attempt < 10_000 && await links.countDocuments({}) < PAGES + 2; attempt++) {
    if (performance.now() - indexed > MAX_WAIT_MS) throw new Error('the link index did not catch up')
    await new Promise(resolve => setTimeout(resolve, 50))
  }

  // The search index builds its shards in worker threads meanwhile: measured after it, not beside it.
  await app.searchIndex.ready
  await app.searchIndex.settled()
  const reader = await signIn(app, app.inject.bind(app) as never, 'leserin', 'editor')
  const time = async (run: () => Promise<unknown>): Promise<number[]> => {
    const samples: number[] = []
    for (let index = 0; index < VIEWS; index++) {
      const started = performance.now()
      await run()
      samples.push(performance.now() - started)
    }
    return samples
  }
  /** The variants in turn, round after round, so a slower moment of the machine falls on all of them alike. */
  const interleaved = async (variants: Array<[string, () => Promise<unknown>, (() => Promise<unknown>)?]>): Promise<Array<[string, number[]]>> => {
    const samples = variants.map(([name]) => [name, [] as number[]] as [string, number[]])
    for (const [, run] of variants) await run()
    for (let round = 0; round < VIEWS; round++) {
      for (const [index, [, run, prepare]] of variants.entries()) {
        await prepare?.()
        const started = performance.now()
        await run()
        samples[index]![1].push(performance.now() - started)
      }
    }
    return samples
  }
  const view = async (slug: string, signedIn: boolean) => {
    const response = signedIn ? await reader.inject({ url: `/wiki/${slug}` }) : await app.inject({ url: `/wiki/${slug}` })
    if (response.statusCode !== 200) throw new Error(`/wiki/${slug} answered ${response.statusCode}`)
  }
  const subject = { type: 'page', id: 'bench', title: 'Bench', href: '/wiki/ziel', visibility: 'public' }
  const loop = eventLoopMonitor()
  const rows = await interleaved([
    ['anonymous view (reader cache)', async () => { await view('ziel', false) }],
    ['signed in, page with no backlinks', async () => { await view('ohne-links', true) }],
    [`signed in, page with ${LINKING} backlinks (warm)`, async () => { await view('ziel', true) }],
    // Before each of these views the reader is told something (not timed): the unread count is read from the store again.
    [`signed in, ${LINKING} backlinks, count just changed`, async () => { await view('ziel', true) }, async () => {
      await app.notifications.notify({ recipient: 'leserin', kind: 'page.edited', subject: { ...subject, id: `bench-${Math.random()}` }, actor: 'bench' })
    }]
  ])
  const baseline = percentile(rows[1]![1], 0.5)
  console.log(`${PAGES + 2} pages, ${LINKING} of them link to one; ${VIEWS} views each, in process (inject)`)
  console.log('what                                             median     p95   × no-backlinks median')
  for (const [name, samples] of rows) {
    const median = percentile(samples, 0.5)
    console.log(`${name.padEnd(48)} ${milliseconds(median).padStart(6)} ms ${milliseconds(percentile(samples, 0.95)).padStart(6)} ms   ${(median / baseline).toFixed(2)}×`)
  }

  console.log(`event loop during the views: p99 ${milliseconds(loop.percentileMs(0.99))} ms, max ${milliseconds(loop.maxMs())} ms`)
  loop.histogram.reset()

  const names = ['ziel']
  const fromIndex = await time(async () => await links.find({ targets: { $in: names }, _id: { $ne: 'none' } }, { sort: { title: 1 }, limit: 201 }).toArray())
  const scan = await time(async () => await app.store.db.collection('pages').find({ deletedAt: null, source: { $regex: '\\[\\[Ziel' } }, { projection: { title: 1 } }).toArray())
  console.log(`backlinks from the link index: median ${milliseconds(percentile(fromIndex, 0.5))} ms; a scan of every page's text: median ${milliseconds(percentile(scan, 0.5))} ms (${(percentile(scan, 0.5) / percentile(fromIndex, 0.5)).toFixed(0)}× the index)`)

  console.log(`event loop during the queries: p99 ${milliseconds(loop.percentileMs(0.99))} ms, max ${milliseconds(loop.maxMs())} ms (the scan holds it)`)
  for (let index = 0; index < WATCHERS; index++) await app.notifications.watch(`watcher-${index}`, 'page', 'fan-out', 'Fan-out')
  // Watchers must be accounts to be told.
  for (let index = 0; index < WATCHERS; index++) await app.auth.accounts.create({ username: `watcher-${index}`, password: 'a long enough password', role: 'reader' })
  const fanOut = await app.wiki.createPage({ source: `---\ntitle: Verteiler\n---\n${words}\n` })
  const watchers = app.store.db.collection('watches')
  await watchers.updateMany({ key: 'fan-out' }, { $set: { key: fanOut._id.toHexString() } })
  const notifications = app.store.db.collection('notifications')
  loop.histogram.reset()
  const started = performance.now()
  await app.wiki.savePage(fanOut.slug, { source: `---\ntitle: Verteiler\n---\n${words} geändert\n`, baseRevisionId: fanOut.revisionId.toHexString(), author: 'bench' })
  for (let attempt = 0; attempt < 100_000 && await notifications.countDocuments({ 'subject.id': fanOut._id.toHexString() }) < WATCHERS; attempt++) {
    if (performance.now() - started > MAX_WAIT_MS) throw new Error('the watchers were not all told')
    await new Promise(resolve => setTimeout(resolve, 20))
  }
  console.log(`one edit told to ${WATCHERS} watchers in ${milliseconds(performance.now() - started)} ms`)
  console.log(`event loop while they were told: p99 ${milliseconds(loop.percentileMs(0.99))} ms, max ${milliseconds(loop.maxMs())} ms`)
} finally {
  await app.close()
  await rm(dataDir, { recursive: true, force: true })
}
