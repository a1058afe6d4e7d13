// Rendered-page throughput next to a bare Fastify "hello world", in one run on one machine.
// Usage: npm run bench:render   (BENCH_SECONDS, BENCH_CONNECTIONS to change the load)
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type autocannon from 'autocannon'
import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import Fastify from 'fastify'
import { buildApp } from '../src/app.ts'
import { loadConfig } from '../src/config/index.ts'

const seconds = Number(process.env.BENCH_SECONDS ?? 10)
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50)
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
async function load (url: string): Promise<autocannon.Result> {
  const cli = createRequire(import.meta.url).resolve('autocannon/autocannon.js')
  return await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, '--json', '-c', String(connections), '-d', String(seconds), '-p', '1', url], { stdio: ['ignore', 'pipe', 'ignore'] })
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

function describeResult (name: string, result: autocannon.Result): string {
  const latency = result.latency
  return `${name.padEnd(14)} ${result.requests.average.toFixed(0).padStart(8)} req/s   p50 ${latency.p50} ms   p90 ${latency.p90} ms   p99 ${latency.p99} ms   errors ${result.errors + result.non2xx}`
}

const dataDir = await mkdtemp(path.join(os.tmpdir(), 'praxiswiki-bench-'))
const app = await buildApp(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' }), { logger: false })
const hello = Fastify({ logger: false })
hello.get('/', async () => ({ hello: 'world' }))
try {
  for (let index = 0; index < LINKS; index += 2) {
    await app.wiki.createPage({ title: `Ziel ${index}`, source: `---\ntitle: Ziel ${index}\nvisibility: public\n---\nZiel\n` })
  }
  const page = await app.wiki.createPage({ title: 'Messseite', source: benchPageSource() })
  const appUrl = await app.listen({ port: 0, host: '127.0.0.1' })
  const helloUrl = await hello.listen({ port: 0, host: '127.0.0.1' })

  const check = await fetch(`${appUrl}/wiki/${page.slug}`)
  const html = await check.text()
  if (check.status !== 200) throw new Error(`the page answered ${check.status}`)
  const wikiLinks = (html.match(/class="wiki-link/g) ?? []).length
  process.stdout.write(`page: ${WORDS} words, ${wikiLinks} wiki links, ${html.length} bytes of HTML; ${connections} connections, ${seconds} s each\n`)

  // A second baseline: bare Fastify sending the same bytes, the most any renderer could reach.
  const same = Fastify({ logger: false })
  same.get('/', async (_request, reply) => await reply.type('text/html; charset=utf-8').send(html))
  const sameUrl = await same.listen({ port: 0, host: '127.0.0.1' })
  const helloResult = await load(helloUrl)
  const sameResult = await load(sameUrl)
  const pageResult = await load(`${appUrl}/wiki/${page.slug}`)
  await same.close()
  process.stdout.write(`${describeResult('hello world', helloResult)}\n`)
  process.stdout.write(`${describeResult('same bytes', sameResult)}\n`)
  process.stdout.write(`${describeResult('rendered page', pageResult)}\n`)
  const ratio = pageResult.requests.average / helloResult.requests.average
  const ceiling = sameResult.requests.average / helloResult.requests.average
  process.stdout.write(`ratio: ${ratio.toFixed(2)} of hello-world throughput (target ≥ 0.5; bare Fastify sending the same ${html.length} bytes reaches ${ceiling.toFixed(2)}); ${(pageResult.requests.average / sameResult.requests.average).toFixed(2)} of the same-bytes baseline; p99 ${pageResult.latency.p99} ms (target ≤ 20 ms)\n`)
} finally {
  await hello.close()
  await app.close()
  await rm(dataDir, { recursive: true, force: true })
}
