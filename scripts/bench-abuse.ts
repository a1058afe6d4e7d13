// npm run bench:abuse — sends each adversarial class of issue 14 at the largest allowed size,
// one at a time, while a benign reader keeps opening an ordinary page, and prints per class
// the request's time, the worst delay of the server's event loop and the reader's p99, next
// to the reader's p99 with no attack, measured in the same run. A measurement: exits 0 even
// when targets are missed, and says which. BENCH_SCALE (default 1) shrinks the inputs and
// BENCH_CLASSES (names, comma-separated) picks classes, for trying it out.
import { abuseClasses } from './abuse-classes.ts'
import { startBenchWiki } from './bench-wiki.ts'
import { startBenignReader } from './benign-reader.ts'
import { eventLoopMonitor, milliseconds, percentile } from './latency.ts'

const scale = Number(process.env.BENCH_SCALE ?? 1)
const BASELINE_SECONDS = 5
/** After the attack's answer, how long the reader keeps reading into the class's window, to see the server recover. */
const SETTLE_MS = 1000
const TARGET = { requestMs: 2000, loopMs: 100, benignP99Ms: 200 }

const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }
const write = (line: string): void => { process.stdout.write(`${line}\n`) }

const wiki = await startBenchWiki('abuse')
const loop = eventLoopMonitor()
const reader = startBenignReader(`${wiki.url}${wiki.readerPath}`, { connections: 2, intervalMs: 25, maxSeconds: 3600 })
try {
  const chosen = process.env.BENCH_CLASSES?.split(',')
  const classes = abuseClasses({ app: wiki.instance.app, url: wiki.url, token: wiki.token, session: wiki.session, peer: wiki.peer, scale })
    .filter(abuse => chosen === undefined || chosen.includes(abuse.name))
  write(`scale ${scale}; the server runs in this process; a reader reads ${wiki.readerPath} on 2 connections, each due every 25 ms`)
  for (const abuse of classes) write(`  ${abuse.name.padEnd(16)} ${abuse.description}`)

  await sleep(1000)
  loop.histogram.reset()
  const baselineStart = performance.now()
  await sleep(BASELINE_SECONDS * 1000)
  const baselineP99 = percentile(reader.latenciesSince(baselineStart), 0.99)
  const baselineLoop = loop.maxMs()
  write(`\nno attack (${BASELINE_SECONDS} s): reader p99 ${milliseconds(baselineP99)} ms over ${reader.latenciesSince(baselineStart).length} reads, loop max ${milliseconds(baselineLoop)} ms\n`)

  write(`${'class'.padEnd(16)} ${'status'.padEnd(16)} ${'bytes'.padStart(10)} ${'request ms'.padStart(10)} ${'loop max ms'.padStart(11)} ${'reader p99'.padStart(10)} ${'× no attack'.padStart(11)}  targets met`)
  const misses: string[] = []
  for (const abuse of classes) {
    try {
      await abuse.prepare()
      // What the preparation set off (indexing, federation) is not the attack's.
      await wiki.instance.app.federation.publisher.idle()
      await sleep(SETTLE_MS)
    } catch (error) {
      write(`${abuse.name.padEnd(16)} preparation failed: ${(error as Error).message}`)
      misses.push(`${abuse.name}: not measured`)
      continue
    }
    loop.histogram.reset()
    const started = performance.now()
    let status: string
    let bytes = 0
    try {
      const outcome = await abuse.attack()
      status = outcome.status
      bytes = outcome.bytes
    } catch (error) {
      status = `error: ${(error as Error).message.slice(0, 40)}`
    }
    const requestMs = performance.now() - started
    await sleep(SETTLE_MS)
    const loopMax = loop.maxMs()
    const readerP99 = percentile(reader.latenciesSince(started), 0.99)
    const missed = [
      requestMs > TARGET.requestMs ? `request ${milliseconds(requestMs)} ms > ${TARGET.requestMs}` : '',
      loopMax > TARGET.loopMs ? `loop ${milliseconds(loopMax)} ms > ${TARGET.loopMs}` : '',
      !(readerP99 <= TARGET.benignP99Ms) ? `reader p99 ${milliseconds(readerP99)} ms > ${TARGET.benignP99Ms}` : '',
      /^5|error/.test(status) ? `answered ${status}` : ''
    ].filter(reason => reason !== '')
    if (missed.length > 0) misses.push(`${abuse.name}: ${missed.join(', ')}`)
    write(`${abuse.name.padEnd(16)} ${status.padEnd(16)} ${String(bytes).padStart(10)} ${milliseconds(requestMs).padStart(10)} ${milliseconds(loopMax).padStart(11)} ${milliseconds(readerP99).padStart(10)} ${(readerP99 / baselineP99).toFixed(1).padStart(11)}  ${missed.length === 0 ? 'yes' : 'NO'}`)
  }
  write(`\nTargets: each request ≤ ${TARGET.requestMs} ms, event-loop delay ≤ ${TARGET.loopMs} ms, reader p99 ≤ ${TARGET.benignP99Ms} ms, no 5xx`)
  write(`reader errors (non-200 or failed) during the run: ${reader.errors()}`)
  if (misses.length === 0) write('PASS  every class within the targets')
  for (const miss of misses) write(`MISS  ${miss}`)
} finally {
  await reader.stop()
  loop.histogram.disable()
  await wiki.close()
}
