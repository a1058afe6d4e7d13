import { after, before, beforeEach, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import Fastify from 'fastify'
import { createReaderCache } from '../../src/http/reader-cache.ts'
import { createPage, form, pageSource, startTestApp, type TestApp } from '../helpers.ts'
import { validLessonSource } from '../lessons/fixtures.ts'

describe('whole pages kept for readers without credentials', () => {
  let test: TestApp
  /** How often the wiki was asked for a page: a kept answer does not ask. */
  let lookups = 0
  let slug: string

  before(async () => {
    test = await startTestApp()
    const resolve = test.app.wiki.resolve.bind(test.app.wiki)
    test.app.wiki.resolve = async (...args: Parameters<typeof resolve>) => {
      lookups++
      return await resolve(...args)
    }
    slug = (await createPage(test.app, 'Kaffeerunde', 'Wir treffen uns dienstags. Siehe [[Protokoll der Kaffeerunde]].', 'visibility: public\n')).slug
  })

  after(async () => { await test.close() })

  beforeEach(() => { lookups = 0 })

  const read = async (url: string, headers: Record<string, string> = {}) => await test.anonymous({ url, headers: { 'accept-language': 'de', ...headers } })

  it('answers a second anonymous read of a page without rendering it again', async () => {
    const first = await read(`/wiki/${slug}`)
    const second = await read(`/wiki/${slug}`)
    assert.equal(second.statusCode, 200)
    assert.equal(second.body, first.body)
    assert.equal(second.headers.etag, first.headers.etag)
    assert.equal(second.headers['content-security-policy'], first.headers['content-security-policy'], 'the security headers go out with a kept answer too')
    assert.ok(lookups <= 1, `the wiki was asked ${lookups} times for two reads`)
    assert.ok(second.headers.date, 'every answer says when it was sent')
  })

  it('shows an edit to anonymous readers at once', async () => {
    await read(`/wiki/${slug}`)
    const current = (await test.app.inject({ url: `/api/pages/${slug}` })).json<{ revision: string }>().revision
    const saved = await test.app.inject({ method: 'POST', url: `/wiki/${slug}`, ...form({ baseRevision: current, source: pageSource('Kaffeerunde', 'Wir treffen uns jetzt donnerstags. Siehe [[Protokoll der Kaffeerunde]].', 'visibility: public\n'), message: 'neuer Tag' }) })
    assert.equal(saved.statusCode, 303)
    const after = await read(`/wiki/${slug}`)
    assert.match(after.body, /donnerstags/)
    assert.doesNotMatch(after.body, /dienstags/)
  })

  it('turns a create link into a plain link once the page it names exists', async () => {
    assert.match((await read(`/wiki/${slug}`)).body, /class="wiki-link new"[^>]*>Protokoll der Kaffeerunde/)
    await createPage(test.app, 'Protokoll der Kaffeerunde', 'Erstes Treffen.', 'visibility: public\n')
    const after = await read(`/wiki/${slug}`)
    assert.match(after.body, /<a class="wiki-link" href="\/wiki\/protokoll-der-kaffeerunde">/)
  })

  it('keeps one answer per language', async () => {
    const german = await read(`/wiki/${slug}`)
    const english = await read(`/wiki/${slug}`, { 'accept-language': 'en' })
    const byCookie = await read(`/wiki/${slug}`, { cookie: 'locale=en' })
    assert.equal(german.headers['content-language'], 'de')
    assert.equal(english.headers['content-language'], 'en')
    assert.equal(byCookie.headers['content-language'], 'en')
    assert.match(german.body, /<html lang="de">/)
    assert.match(english.body, /<html lang="en">/)
    assert.equal(byCookie.body, english.body)
  })

  it('never shares what a signed-in person sees, nor shows them a kept page', async () => {
    const signedIn = await test.app.inject({ url: `/wiki/${slug}`, headers: { 'accept-language': 'de' } })
    assert.match(signedIn.body, /admin/)
    const anonymous = await read(`/wiki/${slug}`)
    assert.doesNotMatch(anonymous.body, /logout-form/)
    lookups = 0
    const again = await test.app.inject({ url: `/wiki/${slug}`, headers: { 'accept-language': 'de' } })
    assert.match(again.body, /logout-form/)
    assert.equal(lookups, 1, 'a signed-in read is rendered for the person')
    assert.equal(again.headers['cache-control'], 'private, no-cache')
  })

  it('answers ActivityPub clients at the same address with JSON, not a kept page', async () => {
    await read(`/wiki/${slug}`)
    const json = await read(`/wiki/${slug}`, { accept: 'application/activity+json' })
    assert.match(String(json.headers['content-type']), /application\/(activity\+)?json/)
    const html = await read(`/wiki/${slug}`)
    assert.match(String(html.headers.vary), /\bAccept\b/, 'shared caches must not mix the two')
  })

  it('compresses a kept page as the reader accepts, and the text is the same', async () => {
    const plain = await read(`/wiki/${slug}`)
    const brotli = await read(`/wiki/${slug}`, { 'accept-encoding': 'gzip, deflate, br' })
    const gzip = await read(`/wiki/${slug}`, { 'accept-encoding': 'gzip' })
    const refused = await read(`/wiki/${slug}`, { 'accept-encoding': 'br;q=0, gzip;q=0' })
    assert.equal(plain.headers['content-encoding'], undefined)
    assert.equal(brotli.headers['content-encoding'], 'br')
    assert.equal(gzip.headers['content-encoding'], 'gzip')
    assert.equal(refused.headers['content-encoding'], undefined)
    assert.equal(brotliDecompressSync(brotli.rawPayload).toString(), plain.body)
    assert.equal(gunzipSync(gzip.rawPayload).toString(), plain.body)
    assert.equal(Number(brotli.headers['content-length']), brotli.rawPayload.length)
    assert.match(String(brotli.headers.vary), /accept-encoding/i)
    assert.equal(brotli.headers.etag, plain.headers.etag)
  })

  it('answers 304 to a repeat read that names the tag of a kept page', async () => {
    const first = await read(`/wiki/${slug}`)
    const again = await read(`/wiki/${slug}`, { 'if-none-match': String(first.headers.etag) })
    assert.equal(again.statusCode, 304)
    assert.equal(again.body, '')
    assert.equal(again.headers.etag, first.headers.etag)
    const other = await read(`/wiki/${slug}`, { 'if-none-match': 'W/"something-else"' })
    assert.equal(other.statusCode, 200)
  })

  it('keeps the home page, and lists a new page on it at once', async () => {
    await read('/')
    await read('/')
    assert.ok(lookups <= 1, `the wiki was asked ${lookups} times for two reads of the home page`)
    await createPage(test.app, 'Sommerfest im Quartier', 'Es war voll.', 'visibility: public\n')
    assert.match((await read('/')).body, /Sommerfest im Quartier/)
    assert.match(String((await read('/', { 'accept-encoding': 'br' })).headers.vary), /accept-encoding/i)
  })

  it('keeps the list of all pages, and lists a new page on it at once', async (t) => {
    const listings = t.mock.method(test.app.wiki, 'listPages')
    await read('/wiki')
    await read('/wiki')
    assert.equal(listings.mock.callCount(), 1)
    await createPage(test.app, 'Herbstmarkt', 'Kommt alle.', 'visibility: public\n')
    assert.match((await read('/wiki')).body, /Herbstmarkt/)
  })

  it('keeps the list of lessons for readers, and answers JSON-LD at the same address fresh', async (t) => {
    // The lesson listing itself keeps what it read; what counts here is whether the route ran.
    const reads = t.mock.method(test.app.lessons, 'all')
    const first = await read('/lessons')
    const second = await read('/lessons')
    assert.equal(second.body, first.body)
    assert.equal(reads.mock.callCount(), 1, 'the second read was answered from what was kept')
    assert.match(String(second.headers.vary), /\bAccept\b/, 'shared caches must keep HTML and JSON-LD apart')
    const jsonLd = await read('/lessons', { accept: 'application/ld+json' })
    assert.match(String(jsonLd.headers['content-type']), /application\/ld\+json/)
    assert.equal(reads.mock.callCount(), 2, 'JSON-LD was made afresh')
    assert.match(String((await read('/lessons')).headers['content-type']), /text\/html/, 'and did not replace the kept page')
    await test.app.wiki.createPage({ source: validLessonSource({ title: 'Lernrunde im Stadtteil', visibility: 'public' }), confirmPublication: true })
    assert.match((await read('/lessons')).body, /Lernrunde im Stadtteil/, 'a new lesson shows at once')
  })

  it('renders an address with a query string each time', async () => {
    await read(`/wiki/${slug}?from=feed`)
    await read(`/wiki/${slug}?from=feed`)
    assert.equal(lookups, 2)
  })

  it('keeps nothing for a page that is missing or not for the public', async () => {
    await read('/wiki/gibt-es-nicht')
    const missing = await read('/wiki/gibt-es-nicht')
    assert.equal(missing.statusCode, 404)
    const local = (await createPage(test.app, 'Interne Notiz', 'Nur für uns.')).slug
    lookups = 0
    const first = await read(`/wiki/${local}`)
    const second = await read(`/wiki/${local}`)
    assert.notEqual(first.statusCode, 200)
    assert.equal(second.statusCode, first.statusCode)
    assert.doesNotMatch(second.body, /Nur für uns/)
    assert.equal(lookups, 2)
  })
})

describe('the reader cache on its own', () => {
  /** A small app with one kept route, whose handler counts how often it runs and can be held. */
  async function keptApp (options: { now?: () => number } = {}) {
    const cache = createReaderCache({ readerOf: request => request.headers.cookie === undefined ? 'de' : null, revalidateAfterMs: 1000, ...options })
    const app = Fastify()
    app.addHook('onRequest', cache.serve)
    const state = { renders: 0, text: 'erste Fassung', hold: null as Promise<void> | null }
    app.get('/page', { onSend: cache.keep }, async (_request, reply) => {
      state.renders++
      const text = state.text
      if (state.hold !== null) await state.hold
      return await reply.type('text/html; charset=utf-8').header('etag', `W/"${text.length}"`).send(`<p>${text}</p>`.repeat(200))
    })
    return { app, cache, state }
  }

  it('renders again after the time limit, and serves what it rendered', async () => {
    let clock = 0
    const { app, state } = await keptApp({ now: () => clock })
    await app.inject('/page')
    await app.inject('/page')
    assert.equal(state.renders, 1)
    clock = 1500
    state.text = 'zweite Fassung'
    assert.match((await app.inject('/page')).body, /zweite Fassung/)
    const kept = await app.inject({ url: '/page', headers: { 'accept-encoding': 'br' } })
    assert.equal(state.renders, 2)
    assert.match(brotliDecompressSync(kept.rawPayload).toString(), /zweite Fassung/)
    await app.close()
  })

  it('does not keep a page rendered from what was read before a change', async () => {
    const { app, cache, state } = await keptApp()
    let release = () => {}
    state.hold = new Promise(resolve => { release = resolve })
    const slow = app.inject('/page')
    // The handler has read the old text; the wiki changes while it renders.
    while (state.renders === 0) await new Promise(resolve => setImmediate(resolve))
    state.text = 'nach der Änderung'
    cache.clear()
    release()
    assert.match((await slow).body, /erste Fassung/)
    state.hold = null
    assert.match((await app.inject('/page')).body, /nach der Änderung/)
    assert.equal(state.renders, 2)
    await app.close()
  })

  it('passes over requests that carry credentials', async () => {
    const { app, state } = await keptApp()
    await app.inject('/page')
    await app.inject({ url: '/page', headers: { cookie: 'session=1' } })
    assert.equal(state.renders, 2)
    await app.close()
  })
})
