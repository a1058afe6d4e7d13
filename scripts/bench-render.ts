// Rendered-page throughput next to a bare Fastify "hello world", in one run on one machine.
// Usage: npm run bench:render   (BENCH_SECONDS, BENCH_CONNECTIONS, BENCH_ROUNDS to change the load)
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type autocannon from 'autocannon'
import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { brotliDecompressSync } from 'node:zlib'
import Fastify from 'fastify'
import { request } from 'undici'
import { buildApp } from '../src/app.ts'
import { loadConfig } from '../src/config/index.ts'
import { signIn } from '../test/helpers.ts'

const seconds = Number(process.env.BENCH_SECONDS ?? 5)
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50)
const rounds = Number(process.env.BENCH_ROUNDS ?? 3)
/** What a browser sends; autocannon sends no Accept-Encoding unless told. */
const BROWSER_ENCODINGS = 'gzip, deflate, br, zstd'
const WORDS = 2000
const LINKS = 30

function benchPageSource (): string {
  const words = ['Quartier', 'Beratung', 'Ehrenamt', 'Familie', 'Wirkung', 'Teilhabe', 'Projekt', 'Nachbarschaft', 'Jugend', 'Alter']
  const paragraphs: string[] = []
  let written = 0
  let links = 0
  while (written < WORDS) {
    const sentence: string[] = []
    for (let index = 0; index < 20 && written < WORDS; index++, written++) sentence.push(words[(written * 7) % words.length] ?? 'Wort')
    // Every other link points at a page that exists, the rest at missing pages.
    if (links < LINKS) sentence.push(`[[Ziel ${links}${links % 2 === 0 ? '' : ' fehlt'}]]`)
    links++
    paragraphs.push(`${sentence.join(' ')}.`)
    if (paragraphs.length % 8 === 0) paragraphs.push(`## Abschnitt ${paragraphs.length / 8}`)
  }
  return `---\ntitle: Messseite\ntags: [bench]\nvisibility: public\n---\n${paragraphs.join('\n\n')}\n`
}

/**
 * The load generator runs in a process of its own, so the server under test has a
 * core to itself instead of sharing the event loop with the client.
 */
async function load (url: string, headers: Record<string, string> = {}): Promise<autocannon.Result> {
  const cli = createRequire(import.meta.url).resolve('autocannon/autocannon.js')
  const headerArguments = Object.entries(headers).flatMap(([name, value]) => ['-H', `${name}=${value}`])
  return await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, '--json', '-c', String(connections), '-d', String(seconds), '-p', '1', ...headerArguments, url], { stdio: ['ignore', 'pipe', 'ignore'] })
    let output = ''
    child.stdout.on('data', chunk => { output += chunk })
    child.on('error', reject)
    child.on('close', code => {
      try {
        resolve(JSON.parse(output) as autocannon.Result)
      } catch {
        reject(new Error(`autocannon exited with ${code} without a result`))
      }
    })
  })
}

interface Measurement {
  requestsPerSecond: number
  p99: number
  /** CPU time of this process (the servers) per answered request, in µs: what the server spends, whatever limits the client. */
  serverMicroseconds: number
  errors: number
}

async function measure (url: string, headers: Record<string, string> = {}): Promise<Measurement> {
  const before = process.cpuUsage()
  const result = await load(url, headers)
  const cpu = process.cpuUsage(before)
  return {
    requestsPerSecond: result.requests.average,
    p99: result.latency.p99,
    serverMicroseconds: (cpu.user + cpu.system) / Math.max(1, result.requests.total),
    errors: result.errors + result.non2xx + result.timeouts
  }
}

function median (values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

/** The headers a response carried, so a baseline can send the same bytes on the wire. */
function headersOf (response: Response): Record<string, string> {
  const headers: Record<string, string> = {}
  response.headers.forEach((value, name) => {
    if (!['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding'].includes(name)) headers[name] = value
  })
  return headers
}

const dataDir = await mkdtemp(path.join(os.tmpdir(), 'praxiswiki-bench-'))
const app = await buildApp(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', FEDERATION_KEY_BITS: '2048' }), { logger: false })
const servers: Array<{ close: () => Promise<unknown> }> = [app]
try {
  for (let index = 0; index < LINKS; index += 2) {
    await app.wiki.createPage({ title: `Ziel ${index}`, source: `---\ntitle: Ziel ${index}\nvisibility: public\n---\nZiel\n` })
  }
  const page = await app.wiki.createPage({ title: 'Messseite', source: benchPageSource() })
  const editor = await signIn(app, app.inject.bind(app), 'messung', 'editor')
  const appUrl = await app.listen({ port: 0, host: '127.0.0.1' })
  const pageUrl = `${appUrl}/wiki/${page.slug}`

  const plain = await fetch(pageUrl, { headers: { 'accept-encoding': 'identity' } })
  const html = await plain.text()
  if (plain.status !== 200) throw new Error(`the page answered ${plain.status}`)
  const compressed = await fetch(pageUrl, { headers: { 'accept-encoding': BROWSER_ENCODINGS } })
  // fetch would decompress by itself; the raw bytes are what the baseline must send.
  const brotli = Buffer.from(await (await request(pageUrl, { headers: { 'accept-encoding': 'br' } })).body.arrayBuffer())
  if (compressed.headers.get('content-encoding') !== 'br' || brotliDecompressSync(brotli).toString() !== html) throw new Error('the compressed page is not the plain one')
  const signedIn = await fetch(pageUrl, { headers: { cookie: editor.cookie } })
  if (!(await signedIn.text()).includes(editor.username)) throw new Error('the signed-in page does not show who is signed in')
  const wikiLinks = (html.match(/class="wiki-link/g) ?? []).length
  process.stdout.write(`page: ${WORDS} words, ${wikiLinks} wiki links, ${html.length} bytes of HTML (${brotli.length} with br); ${connections} connections, ${rounds} rounds of ${seconds} s, medians\n`)

  const hello = Fastify({ logger: false })
  hello.get('/', async () => ({ hello: 'world' }))
  // Baselines: bare Fastify sending the same bytes and headers, the most any renderer could reach.
  const same = Fastify({ logger: false })
  const plainHeaders = headersOf(plain)
  const brotliHeaders = headersOf(compressed)
  same.get('/plain', async (_request, reply) => await reply.headers(plainHeaders).send(Buffer.from(html)))
  same.get('/br', async (_request, reply) => await reply.headers(brotliHeaders).send(brotli))
  servers.push(hello, same)
  const helloUrl = await hello.listen({ port: 0, host: '127.0.0.1' })
  const sameUrl = await same.listen({ port: 0, host: '127.0.0.1' })

  const runs: Array<{ name: string, url: string, headers?: Record<string, string> }> = [
    { name: 'hello world', url: helloUrl },
    { name: 'same bytes', url: `${sameUrl}/plain` },
    { name: 'page', url: pageUrl },
    { name: 'same bytes br', url: `${sameUrl}/br`, headers: { 'accept-encoding': BROWSER_ENCODINGS } },
    { name: 'page br', url: pageUrl, headers: { 'accept-encoding': BROWSER_ENCODINGS } },
    { name: 'page signed in', url: pageUrl, headers: { 'accept-encoding': BROWSER_ENCODINGS, cookie: editor.cookie } }
  ]
  const results = new Map<string, Measurement[]>()
  // Rounds interleave the runs, so a slow spell on a shared machine hits all of them alike.
  for (let round = 0; round < rounds; round++) {
    for (const run of runs) results.set(run.name, [...results.get(run.name) ?? [], await measure(run.url, run.headers)])
  }
  const summary = new Map([...results].map(([name, measurements]) => [name, {
    requestsPerSecond: median(measurements.map(measurement => measurement.requestsPerSecond)),
    p99: median(measurements.map(measurement => measurement.p99)),
    serverMicroseconds: median(measurements.map(measurement => measurement.serverMicroseconds)),
    errors: measurements.reduce((sum, measurement) => sum + measurement.errors, 0)
  }]))
  for (const run of runs) {
    const result = summary.get(run.name)!
    process.stdout.write(`${run.name.padEnd(15)} ${result.requestsPerSecond.toFixed(0).padStart(7)} req/s   p99 ${String(result.p99).padStart(3)} ms   server ${result.serverMicroseconds.toFixed(0).padStart(4)} µs/request   errors ${result.errors}\n`)
  }
  const helloRate = summary.get('hello world')!.requestsPerSecond
  const ratioOf = (name: string) => summary.get(name)!.requestsPerSecond / helloRate
  const browser = summary.get('page br')!
  const target = ratioOf('page br') >= 0.5 && browser.p99 <= 20
  process.stdout.write(`page as browsers ask for it (br): ${ratioOf('page br').toFixed(2)} of hello world (target ≥ 0.5), p99 ${browser.p99} ms (target ≤ 20 ms): ${target ? 'PASS' : 'MISS'}; the same bytes from bare Fastify reach ${ratioOf('same bytes br').toFixed(2)}\n`)
  process.stdout.write(`page without compression: ${ratioOf('page').toFixed(2)} of hello world, p99 ${summary.get('page')!.p99} ms; the same ${html.length} bytes from bare Fastify reach ${ratioOf('same bytes').toFixed(2)}\n`)
  process.stdout.write(`signed in (rendered for each request): ${ratioOf('page signed in').toFixed(2)} of hello world, p99 ${summary.get('page signed in')!.p99} ms\n`)
} finally {
  for (const server of servers) await server.close()
  await rm(dataDir, { recursive: true, force: true })
}
