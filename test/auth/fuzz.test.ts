import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import type { InjectOptions } from 'fastify'
import { ROUTE_ACCESS } from '../../src/auth/access.ts'
import { seededRandom } from '../seeded-random.ts'
import { startTestApp, type TestApp } from '../helpers.ts'

const REQUESTS = 2400
const SEED = 0x5eed8
const TIME_LIMIT_MS = 55_000
/** Collections whose content must not change: pages, their history, accounts and what grants access. */
const GUARDED = ['pages', 'revisions', 'accounts', 'api_tokens', 'invitations', 'remote_pages']

type Random = () => number
const pick = <T>(random: Random, list: readonly T[]): T => list[Math.floor(random() * list.length)] as T

const UNICODE = ['\u0000', '\uFFFF', '\uD800', '\uDFFF', '\u202E', '\u200B', 'e\u0301', '𝔘𝔫𝔦', '😀', '\u2028', 'ß', 'İ', '\r\n', '%00', '%C3%28', '%FF%FE', '..%2F..%2Fetc%2Fpasswd', '../../package.json', '%2e%2e/', '\\..\\', '<script>', '{{7*7}}', "'; --", '$where']

function randomBytes (random: Random, length: number): Buffer {
  const bytes = Buffer.alloc(length)
  for (let index = 0; index < length; index++) bytes[index] = Math.floor(random() * 256)
  return bytes
}

/** Every byte percent-encoded: works for lone surrogates too, where encodeURIComponent throws. */
const percent = (text: string): string => [...Buffer.from(text, 'utf8')].map(byte => `%${byte.toString(16).padStart(2, '0')}`).join('')

function weirdText (random: Random): string {
  const parts: string[] = []
  const count = 1 + Math.floor(random() * 4)
  for (let index = 0; index < count; index++) parts.push(random() < 0.6 ? pick(random, UNICODE) : randomBytes(random, 1 + Math.floor(random() * 12)).toString('latin1'))
  return parts.join('')
}

/** One malformed request for a route: a broken path, body, content type or header. */
function malformed (random: Random, method: string, path: string): InjectOptions {
  const kind = Math.floor(random() * 10)
  const base: InjectOptions = { method: method as 'GET', url: path, headers: { accept: random() < 0.5 ? 'text/html' : 'application/json' } }
  switch (kind) {
    case 0: // random bytes under a random content type
      return { ...base, headers: { ...base.headers, 'content-type': pick(random, ['application/json', 'application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data; boundary=x', 'application/activity+json', 'application/octet-stream', '']) }, payload: randomBytes(random, Math.floor(random() * 2000)) }
    case 1: { // deeply nested JSON
      const depth = 500 + Math.floor(random() * 5000)
      const nested = random() < 0.5 ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth)
      return { ...base, headers: { ...base.headers, 'content-type': 'application/json' }, payload: nested }
    }
    case 2: // traversal and Unicode in the path
      return { ...base, url: path.replace(/[^/]+$/, percent(weirdText(random)).slice(0, 400)) + pick(random, ['', '/..', '/%2e%2e%2f', '?page=-1', '?page=1e99', `?q=${percent(weirdText(random))}`]) }
    case 3: // invalid UTF-8, raw, in a form and in the query string
      return { ...base, url: `${path}?title=%C3%28&q=%FF%FE%FD&from=%E0%80%AF`, headers: { ...base.headers, 'content-type': 'application/x-www-form-urlencoded' }, payload: Buffer.concat([Buffer.from('title='), Buffer.from([0xc3, 0x28, 0xff, 0xfe]), Buffer.from('&source=%E0%80%AF&unknown=1')]) }
    case 4: // huge headers
      return { ...base, headers: { ...base.headers, 'x-filler': 'a'.repeat(8000 + Math.floor(random() * 40_000)), 'accept-language': 'x'.repeat(5000), cookie: `praxiswiki_session=${'z'.repeat(4000)}` } }
    case 5: // wrong types for known fields, plus an unknown one
      return { ...base, headers: { ...base.headers, 'content-type': 'application/json' }, payload: JSON.stringify({ source: random() < 0.5 ? 42 : [weirdText(random)], title: { nested: true }, baseRevision: false, role: 'emperor', 'böse\u0000': weirdText(random) }) }
    case 6: // a form with repeated and over-long fields
      return { ...base, headers: { ...base.headers, 'content-type': 'application/x-www-form-urlencoded' }, payload: `title=a&title=b&source=${'x'.repeat(600_000)}&message=${percent(weirdText(random))}&zzz=1` }
    case 7: // a body larger than the limit
      return { ...base, headers: { ...base.headers, 'content-type': 'application/json' }, payload: `{"source":"${'y'.repeat(1_100_000)}"}` }
    case 8: // a wrong bearer token and odd authorization headers
      return { ...base, headers: { ...base.headers, authorization: pick(random, ['Bearer', 'Bearer \u0000', `Bearer ${'k'.repeat(3000)}`, 'Basic YTpi', `Bearer ${weirdText(random)}`]).replace(/[^\t\x20-\x7e\x80-\xff]/g, '?') } }
    default: { // query strings of the wrong shape; a write also gets a broken body, or a route that reads no query would see a valid request
      const url = `${path}?page=abc&size=${'9'.repeat(40)}&outcome[]=x&from=${percent(weirdText(random))}&set=klingon&next=//evil.example`
      if (method === 'GET') return { ...base, url }
      return { ...base, url, headers: { ...base.headers, 'content-type': 'application/json' }, payload: '{"source": ' }
    }
  }
}

async function fingerprint (test: TestApp): Promise<Record<string, string>> {
  const result: Record<string, string> = {}
  for (const name of GUARDED) {
    const documents = await test.app.store.db.collection(name).find({}, { sort: { _id: 1 } }).toArray()
    result[name] = `${documents.length}:${createHash('sha256').update(JSON.stringify(documents)).digest('hex')}`
  }
  return result
}

describe('malformed requests at every route', () => {
  let test: TestApp
  before(async () => {
    test = await startTestApp()
    await test.app.wiki.createPage({ source: '---\ntitle: Ziel\nvisibility: public\n---\nText.\n', confirmPublication: true })
    await test.app.searchIndex.ready
  })
  after(async () => { await test.close() })

  it(`answers ${REQUESTS} generated bad requests without a 5xx, a crash or a change in the store`, async () => {
    const random = seededRandom(SEED)
    const target = await test.app.wiki.requirePage('ziel')
    const routes = Object.keys(ROUTE_ACCESS).map(key => {
      const [method, url] = key.split(' ') as [string, string]
      const path = url
        .replace(':slug', 'ziel')
        .replace(':revisionId', target.revisionId.toHexString())
        .replace(':id', '0123456789abcdef01234567')
        .replace(':token', 'no-such-invitation')
        .replace(':username', 'nobody-here')
        .replace(':version', '2.1')
        .replace('*', 'x')
      return { method, path }
    })
    const before = await fingerprint(test)
    const began = Date.now()
    const failures: string[] = []
    let sent = 0
    for (let index = 0; index < REQUESTS && Date.now() - began < TIME_LIMIT_MS; index++) {
      const route = routes[index % routes.length]!
      const request = malformed(random, route.method, route.path)
      // Half as the signed-in admin (with a valid CSRF token, so bodies reach the handlers), half anonymous.
      const inject = random() < 0.5 ? test.app.inject.bind(test.app) : test.anonymous
      const response = await inject(request)
      sent++
      if (response.statusCode >= 500) failures.push(`${request.method} ${String(request.url).slice(0, 120)} → ${response.statusCode}: ${response.body.slice(0, 200)}`)
      if (/\bat [\w.<>]+ \(|node:internal|\/src\//.test(response.body)) failures.push(`${request.method} ${String(request.url).slice(0, 120)} shows a stack trace`)
    }
    assert.ok(sent >= 2000, `only ${sent} requests in the time limit`)
    assert.deepEqual(failures.map(failure => failure.slice(0, 160)).slice(0, 30), [])
    assert.deepEqual(await fingerprint(test), before)
    // Still serving, and the store still consistent: every page points at a revision of its own.
    assert.equal((await test.anonymous({ url: '/wiki/ziel' })).statusCode, 200)
    for (const page of await test.app.wiki.allPages()) {
      const revision = await test.app.store.db.collection('revisions').findOne({ _id: page.revisionId })
      assert.ok(revision !== null && revision.pageId.equals(page._id), page.slug)
    }
  })
})
