// npm run smoke [-- --expect-node 24]
// Starts the wiki as `npm start` does (src/server.ts in a child process) with a fresh data
// dir on a free loopback port, and uses it as a first-day admin would: reads the home page,
// the page list and a starter page, creates the first admin through the set-up link the
// server prints, saves a page with the JSON API and finds it with the search. Then it stops
// the server by its PID. Prints each step and the Node version it runs on; exits 1 on the
// first step that fails. CI runs it on a second Node version, so the server itself is tried
// there, not only the tests.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

const { values } = parseArgs({ options: { 'expect-node': { type: 'string' } } })
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const START_TIMEOUT_MS = 60_000
const REQUEST_TIMEOUT_MS = 30_000
const SEARCH_TIMEOUT_MS = 60_000
const STOP_TIMEOUT_MS = 15_000
/** The server's output kept for the report when a step fails. */
const KEPT_OUTPUT_CHARACTERS = 20_000

function step (text: string): void {
  process.stdout.write(`smoke: ${text}\n`)
}

async function freePort (): Promise<number> {
  return await new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      probe.close(() => { typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port')) })
    })
  })
}

/** Asks `check` again every 200 ms until it gives a value, at most `timeoutMs` and 1,000 times. */
async function poll<T> (what: string, timeoutMs: number, check: () => Promise<T | null>): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last = ''
  for (let attempt = 0; attempt < 1000 && Date.now() < deadline; attempt++) {
    try {
      const value = await check()
      if (value !== null) return value
    } catch (error) {
      last = `: ${(error as Error).message}`
    }
    await new Promise(resolve => setTimeout(resolve, 200))
  }
  throw new Error(`${what} did not happen within ${timeoutMs / 1000} s${last}`)
}

interface Reply {
  status: number
  text: string
  headers: Headers
}

async function request (url: string, init: RequestInit = {}): Promise<Reply> {
  // Redirects are read, not followed: the session cookie comes with the 303 after a form.
  const response = await fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) })
  return { status: response.status, text: await response.text(), headers: response.headers }
}

function expectStatus (reply: Reply, status: number, what: string): void {
  if (reply.status !== status) throw new Error(`${what} answered ${reply.status}, not ${status}: ${reply.text.slice(0, 300)}`)
}

function sessionCookie (reply: Reply): string {
  const cookie = reply.headers.getSetCookie().find(line => line.startsWith('praxiswiki_session='))
  if (cookie === undefined) throw new Error('no session cookie was set')
  return cookie.split(';')[0] ?? ''
}

function csrfToken (html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html)
  if (match?.[1] === undefined) throw new Error('no CSRF token in the form')
  return match[1]
}

async function stop (child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return
  const exited = new Promise(resolve => child.once('exit', resolve))
  process.kill(child.pid, 'SIGTERM')
  const timer = setTimeout(() => { if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGKILL') }, STOP_TIMEOUT_MS)
  await exited
  clearTimeout(timer)
}

async function smoke (base: string, output: () => string): Promise<void> {
  const setupLink = await poll('the set-up link on the server\'s output', START_TIMEOUT_MS, async () => {
    const match = /^\s+(http\S+\/setup\?token=\S+)$/m.exec(output())
    return match?.[1] ?? null
  })
  await poll('the server listening', START_TIMEOUT_MS, async () => (await request(`${base}/`)).status === 200 ? true : null)
  step(`listening at ${base}`)

  expectStatus(await request(`${base}/`), 200, 'the home page')
  const list = await request(`${base}/api/pages`)
  expectStatus(list, 200, '/api/pages')
  const pages = (JSON.parse(list.text) as { pages: Array<{ slug: string, title: string }> }).pages
  const starter = pages[0]
  if (starter === undefined) throw new Error('/api/pages lists no starter page')
  const page = await request(`${base}/wiki/${starter.slug}`)
  expectStatus(page, 200, `the starter page ${starter.slug}`)
  step(`read /, /api/pages (${pages.length} pages) and /wiki/${starter.slug}`)

  const setupForm = await request(setupLink)
  expectStatus(setupForm, 200, 'the set-up link')
  const token = new URL(setupLink).searchParams.get('token') ?? ''
  const created = await request(`${base}/setup`, {
    method: 'POST',
    headers: { cookie: sessionCookie(setupForm), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrfToken(setupForm.text), token, username: 'smoke', password: 'a smoke test password' }).toString()
  })
  expectStatus(created, 303, 'creating the first admin')
  const cookie = sessionCookie(created)
  const account = await request(`${base}/account`, { headers: { cookie } })
  expectStatus(account, 200, 'the own account page')
  step('created the first admin through the set-up link and is signed in')

  const word = `rauchmelder${Date.now().toString(36)}`
  const source = `---\ntitle: Smoke ${word}\n---\nThe ${word} visits worked in the second year.\n`
  const saved = await request(`${base}/api/pages`, {
    method: 'POST',
    headers: { cookie, 'x-csrf-token': csrfToken(account.text), 'content-type': 'application/json' },
    body: JSON.stringify({ source, message: 'smoke test' })
  })
  expectStatus(saved, 201, 'saving a page')
  const slug = (JSON.parse(saved.text) as { slug: string }).slug
  expectStatus(await request(`${base}/wiki/${slug}`, { headers: { cookie } }), 200, 'the saved page')
  step(`saved /wiki/${slug}`)

  // The index follows saves by an event, so the page is found a little later; new pages are
  // local (visible to signed-in people only) unless their front matter says otherwise.
  const total = await poll(`/api/search finding "${word}"`, SEARCH_TIMEOUT_MS, async () => {
    const answer = await request(`${base}/api/search?q=${word}`, { headers: { cookie } })
    if (answer.status !== 200) return null
    const { results } = JSON.parse(answer.text) as { results: Array<{ url: string }> }
    return results.some(result => result.url.endsWith(`/wiki/${slug}`)) ? results.length : null
  })
  step(`/api/search found the saved page (${total} result${total === 1 ? '' : 's'})`)
}

step(`Node ${process.version} on ${process.platform}-${process.arch}`)
const expected = values['expect-node']
if (expected !== undefined && process.versions.node.split('.')[0] !== expected) {
  step(`FAILED: expected Node ${expected}`)
  process.exit(1)
}

const dataDir = await mkdtemp(path.join(os.tmpdir(), 'praxiswiki-smoke-'))
const port = await freePort()
const base = `http://127.0.0.1:${port}`
let output = ''
const keep = (chunk: Buffer): void => { output = (output + chunk.toString('utf8')).slice(-KEPT_OUTPUT_CHARACTERS) }
// The same Node binary as this script, so the server runs on the version being tried.
const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
  cwd: root,
  env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', BASE_URL: base, LOG_LEVEL: 'warn' },
  stdio: ['ignore', 'pipe', 'pipe']
})
child.stdout.on('data', keep)
child.stderr.on('data', keep)
step(`started the server, PID ${child.pid}, data in ${dataDir}`)

let failed = false
try {
  const exited = new Promise<never>((resolve, reject) => child.once('exit', code => reject(new Error(`the server exited with ${code}`))))
  await Promise.race([smoke(base, () => output), exited])
} catch (error) {
  failed = true
  step(`FAILED: ${(error as Error).message}`)
  process.stdout.write(`--- the server's last output ---\n${output}\n---\n`)
} finally {
  await stop(child)
  await rm(dataDir, { recursive: true, force: true })
}
step(failed ? 'failed' : `passed on Node ${process.version}`)
process.exit(failed ? 1 : 0)
