// Rendered-page throughput next to a bare Fastify "hello world", in one run on one machine.
// Usage: npm run bench:render   (BENCH_SECONDS, BENCH_CONNECTIONS, BENCH_ROUNDS to change the load)
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { brotliDecompressSync } from 'node:zlib'
import Fastify from 'fastify'
import { request } from 'undici'
import { buildApp } from '../src/app.ts'
import { loadConfig } from '../src/config/index.ts'
import { parseSource } from '../src/markdown/front-matter.ts'
import { readContentDir } from '../src/wiki/content.ts'
import { signIn } from '../test/helpers.ts'
import { measureLoad, median, type LoadMeasurement } from './load-generator.ts'

const seconds = Number(process.env.BENCH_SECONDS ?? 5)
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50)
const rounds = Number(process.env.BENCH_ROUNDS ?? 3)
/** What a browser sends; autocannon sends no Accept-Encoding unless told. */
const BROWSER_ENCODINGS = 'gzip, deflate, br, zstd'
const WORDS = 2000
const LINKS = 30

/**
 * A page of WORDS words with LINKS wiki links, every other one to a page that exists.
 * `words` gives the text: the page repeats ten words, which compresses far
 * better than prose does, so a second page takes its words from the starter lessons.
 */
function benchPageSource (title: string, words: string[]): string {
  const paragraphs: string[] = []
  let written = 0
  let links = 0
  while (written < WORDS) {
    const sentence: string[] = []
    for (let index = 0; index < 20 && written < WORDS; index++, written++) sentence.push(words[(written * 7) % words.length] ?? 'Wort')
    if (links < LINKS) sentence.push(`[[Ziel ${links}${links % 2 === 0 ? '' : ' fehlt'}]]`)
    links++
    paragraphs.push(`${sentence.join(' ')}.`)
    if (paragraphs.length % 8 === 0) paragraphs.push(`## Abschnitt ${paragraphs.length / 8}`)
  }
  return `---\ntitle: ${title}\ntags: [bench]\nvisibility: public\n---\n${paragraphs.join('\n\n')}\n`
}

const TEN_WORDS = ['Quartier', 'Beratung', 'Ehrenamt', 'Familie', 'Wirkung', 'Teilhabe', 'Projekt', 'Nachbarschaft', 'Jugend', 'Alter']

/** Plain words of the German starter pages, in order, without Markdown. */
async function starterWords (): Promise<string[]> {
  const { files } = await readContentDir(path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'content'))
  return files.filter(file => file.language === 'de')
    .flatMap(file => parseSource(file.source).body.split(/\s+/))
    .filter(word => /^[\p{L}\d][\p{L}\d,.;:%–-]*$/u.test(word))
}

type Measurement = LoadMeasurement

async function measure (url: string, headers: Record<string, string> = {}): Promise<Measurement> {
  return await measureLoad(url, { connections, seconds, headers })
}

/** The headers a response carried, so a baseline can send the same bytes on the wire. */
function headersOf (response: Response): Record<string, string> {
  const headers: Record<string, string> = {}
  response.headers.forEach((value, name) => {
    if (!['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding'].includes(name)) headers[name] = value
  })
  return headers
}

/** A page as the server sends it: plain, and the raw bytes and headers of its br form. */
interface Fetched { url: string, html: string, plainHeaders: Record<string, string>, brotli: Buffer, brotliHeaders: Record<string, string> }

async function fetchPage (url: string): Promise<Fetched> {
  const plain = await fetch(url, { headers: { 'accept-encoding': 'identity' } })
  const html = await plain.text()
  if (plain.status !== 200) throw new Error(`${url} answered ${plain.status}`)
  const compressed = await fetch(url, { headers: { 'accept-encoding': BROWSER_ENCODINGS } })
  // fetch decompresses by itself; the raw bytes are what a baseline must send.
  const brotli = Buffer.from(await (await request(url, { headers: { 'accept-encoding': 'br' } })).body.arrayBuffer())
  if (compressed.headers.get('content-encoding') !== 'br' || brotliDecompressSync(brotli).toString() !== html) throw new Error('the compressed page is not the plain one')
  return { url, html, plainHeaders: headersOf(plain), brotli, brotliHeaders: headersOf(compressed) }
}

const dataDir = await mkdtemp(path.join(os.tmpdir(), 'praxiswiki-bench-'))
const app = await buildApp(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', FEDERATION_KEY_BITS: '2048' }), { logger: false })
const servers: Array<{ close: () => Promise<unknown> }> = [app]
try {
  for (let index = 0; index < LINKS; index += 2) {
    await app.wiki.createPage({ title: `Ziel ${index}`, source: `---\ntitle: Ziel ${index}\nvisibility: public\n---\nZiel\n` })
  }
  const page = await app.wiki.createPage({ title: 'Messseite', source: benchPageSource('Messseite', TEN_WORDS) })
  // Shuffled words can look like a person's name to the publishing check; the page is made up.
  const prosePage = await app.wiki.createPage({ title: 'Messseite Prosa', source: benchPageSource('Messseite Prosa', await starterWords()), confirmPublication: true })
  const editor = await signIn(app, app.inject.bind(app), 'messung', 'editor')
  const appUrl = await app.listen({ port: 0, host: '127.0.0.1' })
  const main = await fetchPage(`${appUrl}/wiki/${page.slug}`)
  const prose = await fetchPage(`${appUrl}/wiki/${prosePage.slug}`)
  const signedIn = await fetch(main.url, { headers: { cookie: editor.cookie } })
  if (!(await signedIn.text()).includes(editor.username)) throw new Error('the signed-in page does not show who is signed in')
  for (const [name, fetched] of [['page', main], ['prose page', prose]] as const) {
    const wikiLinks = (fetched.html.match(/class="wiki-link/g) ?? []).length
    process.stdout.write(`${name}: ${WORDS} words, ${wikiLinks} wiki links, ${fetched.html.length} bytes of HTML, ${fetched.brotli.length} with br\n`)
  }
  process.stdout.write(`${connections} connections, ${rounds} rounds of ${seconds} s, medians; server µs/request is this process's CPU time per answer\n`)

  const hello = Fastify({ logger: false })
  hello.get('/', async () => ({ hello: 'world' }))
  // Baselines: bare Fastify sending the same bytes and headers, the most any renderer could reach.
  const same = Fastify({ logger: false })
  same.get('/plain', async (_request, reply) => await reply.headers(main.plainHeaders).send(Buffer.from(main.html)))
  same.get('/br', async (_request, reply) => await reply.headers(main.brotliHeaders).send(main.brotli))
  same.get('/prose-br', async (_request, reply) => await reply.headers(prose.brotliHeaders).send(prose.brotli))
  servers.push(hello, same)
  const helloUrl = await hello.listen({ port: 0, host: '127.0.0.1' })
  const sameUrl = await same.listen({ port: 0, host: '127.0.0.1' })

  const browser = { 'accept-encoding': BROWSER_ENCODINGS }
  const runs: Array<{ name: string, url: string, headers?: Record<string, string> }> = [
    { name: 'hello world', url: helloUrl },
    { name: 'same bytes', url: `${sameUrl}/plain` },
    { name: 'page', url: main.url },
    { name: 'same bytes br', url: `${sameUrl}/br`, headers: browser },
    { name: 'page br', url: main.url, headers: browser },
    { name: 'same prose br', url: `${sameUrl}/prose-br`, headers: browser },
    { name: 'prose br', url: prose.url, headers: browser },
    { name: 'page signed in', url: main.url, headers: { ...browser, cookie: editor.cookie } }
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
  const p99Of = (name: string) => summary.get(name)!.p99
  const target = ratioOf('page br') >= 0.5 && p99Of('page br') <= 20
  process.stdout.write(`page as browsers ask for it (br): ${ratioOf('page br').toFixed(2)} of hello world (target ≥ 0.5), p99 ${p99Of('page br')} ms (target ≤ 20 ms): ${target ? 'PASS' : 'MISS'}; the same bytes from bare Fastify reach ${ratioOf('same bytes br').toFixed(2)}\n`)
  process.stdout.write(`page without compression: ${ratioOf('page').toFixed(2)} of hello world, p99 ${p99Of('page')} ms; the same ${main.html.length} bytes from bare Fastify reach ${ratioOf('same bytes').toFixed(2)}\n`)
  process.stdout.write(`prose page (br): ${ratioOf('prose br').toFixed(2)} of hello world, p99 ${p99Of('prose br')} ms; the same bytes from bare Fastify reach ${ratioOf('same prose br').toFixed(2)} (autocannon decodes every body into a string, which costs it more for compressed bytes than the server spends)\n`)
  process.stdout.write(`signed in (rendered for each request): ${ratioOf('page signed in').toFixed(2)} of hello world, p99 ${p99Of('page signed in')} ms\n`)
} finally {
  for (const server of servers) await server.close()
  await rm(dataDir, { recursive: true, force: true })
}
