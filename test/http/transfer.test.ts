import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import { importContent } from '../../src/wiki/content.ts'
import type { InjectOptions, LightMyRequestResponse } from 'fastify'
import { startTestApp, type TestApp } from '../helpers.ts'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
const LESSON = 'besuchsdienst-in-gruenau-warum-die-ehrenamtlichen-gingen'
const KB = 1024

/**
 * Bytes of HTML + CSS + JS a reader's browser loads for one page, uncompressed,
 * images excluded. The lesson page is the one the issue names (≤ 100 kB); the
 * others are kept near what they are now, so growth is a decision, not an accident.
 */
const BUDGETS: Array<{ name: string, url: string, kilobytes: number, editing?: boolean }> = [
  { name: 'lesson page', url: `/wiki/${LESSON}`, kilobytes: 100 },
  { name: 'page', url: '/wiki/warum-wir-teilen-was-scheitert', kilobytes: 40 },
  { name: 'home', url: '/', kilobytes: 40 },
  { name: 'lessons list', url: '/lessons', kilobytes: 60 },
  { name: 'lessons overview', url: '/lessons/overview', kilobytes: 60 },
  // The map is drawn by default now (issue 18): Leaflet's script and style are about 160 kB of it;
  // its outlines are data the script fetches, and the list of lessons by place needs none of it.
  { name: 'map', url: '/lessons/map', kilobytes: 200 },
  { name: 'evidence view', url: '/evidence', kilobytes: 100 },
  { name: 'search', url: '/search?q=familien', kilobytes: 40 },
  { name: 'history', url: `/wiki/${LESSON}/history`, kilobytes: 30 },
  { name: 'help', url: '/help/lessons', kilobytes: 30 },
  { name: 'not found', url: '/nothing-here', kilobytes: 20 },
  { name: 'editor', url: `/wiki/${LESSON}/edit`, kilobytes: 60, editing: true },
  { name: 'lesson form', url: `/lessons/${LESSON}/edit`, kilobytes: 80, editing: true }
]

describe('slow connections: page weight, compression and revalidation', () => {
  let test: TestApp
  /** Anonymous readers: a signed-in page carries a fresh CSRF token each time, so it never repeats byte for byte. */
  let read: (options: InjectOptions) => Promise<LightMyRequestResponse>

  before(async () => {
    test = await startTestApp()
    const anonymous = (test as unknown as { anonymous?: (options: InjectOptions) => Promise<LightMyRequestResponse> }).anonymous
    read = anonymous ?? (async options => await test.app.inject(options))
    const imported = await importContent(test.app.wiki, path.join(root, 'content'))
    assert.deepEqual(imported.problems, [])
    await test.app.searchIndex.ready
    await test.app.searchIndex.settled()
  })

  after(async () => { await test.close() })

  /** The page and every stylesheet and script it links, as the browser would fetch them. */
  const pageWeight = async (url: string, editing: boolean) => {
    // Editing pages are for signed-in people; `app.inject` is the test's editor.
    const page = await (editing ? test.app.inject({ url, headers: { accept: 'text/html' } }) : read({ url, headers: { accept: 'text/html' } }))
    assert.ok(page.statusCode === 200 || page.statusCode === 404, `${url} answered ${page.statusCode}`)
    const assets = [
      ...[...page.body.matchAll(/<link rel="stylesheet" href="([^"]+)"/g)].map(match => match[1] ?? ''),
      ...[...page.body.matchAll(/<script[^>]* src="([^"]+)"/g)].map(match => match[1] ?? '')
    ].map(href => href.replace(/&amp;/g, '&'))
    let bytes = Buffer.byteLength(page.body)
    let compressed = (await (editing ? test.app.inject({ url, headers: { accept: 'text/html', 'accept-encoding': 'br' } }) : read({ url, headers: { accept: 'text/html', 'accept-encoding': 'br' } }))).rawPayload.length
    for (const asset of assets) {
      const response = await read({ url: asset })
      assert.equal(response.statusCode, 200, asset)
      bytes += response.rawPayload.length
      compressed += (await read({ url: asset, headers: { 'accept-encoding': 'br' } })).rawPayload.length
    }
    return { bytes, compressed, html: Buffer.byteLength(page.body), assets }
  }

  it('keeps every page type within its byte budget (HTML + CSS + JS, uncompressed)', async (context) => {
    const measured: string[] = []
    for (const budget of BUDGETS) {
      const { bytes, compressed, html, assets } = await pageWeight(budget.url, budget.editing === true)
      measured.push(`${budget.name}: ${(bytes / KB).toFixed(1)} kB (HTML ${(html / KB).toFixed(1)} kB, ${assets.length} assets; ${(compressed / KB).toFixed(1)} kB with brotli) of ${budget.kilobytes} kB`)
      assert.ok(bytes <= budget.kilobytes * KB, `${budget.name} weighs ${bytes} bytes, over its ${budget.kilobytes} kB budget`)
    }
    for (const line of measured) context.diagnostic(line)
    await mkdir(path.join(root, 'test-output'), { recursive: true })
    await writeFile(path.join(root, 'test-output', 'page-weights.txt'), `${measured.join('\n')}\n`)
  })

  it('needs no script to read a lesson, search or edit', async () => {
    for (const url of [`/wiki/${LESSON}`, '/search?q=familien', '/lessons', '/help/lessons']) {
      const page = await read({ url })
      assert.doesNotMatch(page.body, /<script/i, url)
    }
  })

  it('compresses pages and assets with brotli or gzip, as the client asks', async () => {
    const plain = await read({ url: `/wiki/${LESSON}` })
    const brotli = await read({ url: `/wiki/${LESSON}`, headers: { 'accept-encoding': 'br, gzip' } })
    assert.equal(brotli.headers['content-encoding'], 'br')
    assert.equal(brotliDecompressSync(brotli.rawPayload).toString(), plain.body)
    assert.ok(brotli.rawPayload.length < plain.rawPayload.length / 2, `brotli ${brotli.rawPayload.length} of ${plain.rawPayload.length} bytes`)
    assert.match(String(brotli.headers.vary), /accept-encoding/i)

    const gzip = await read({ url: `/wiki/${LESSON}`, headers: { 'accept-encoding': 'gzip' } })
    assert.equal(gzip.headers['content-encoding'], 'gzip')
    assert.equal(gunzipSync(gzip.rawPayload).toString(), plain.body)

    const stylesheet = /<link rel="stylesheet" href="([^"]+)"/.exec(plain.body)?.[1] ?? ''
    const css = await read({ url: stylesheet, headers: { 'accept-encoding': 'gzip' } })
    assert.equal(css.headers['content-encoding'], 'gzip')
    assert.equal(plain.headers['content-encoding'], undefined, 'nothing is compressed for a client that does not ask')
  })

  it('leaves the ActivityPub routes that Express serves readable for clients that accept compression', async () => {
    // Express answers on the socket itself, so this one runs on a real port rather than app.inject.
    const base = await test.app.listen({ port: 0, host: '127.0.0.1' })
    const webfinger = await fetch(`${base}/.well-known/webfinger?resource=acct:wiki@wiki.test`, { headers: { 'accept-encoding': 'br, gzip' } })
    assert.equal(webfinger.status, 200)
    const finger = await webfinger.json() as { subject: string, links: Array<{ rel: string, href: string }> }
    assert.equal(finger.subject, 'acct:wiki@wiki.test')
    // Larger answers too (over the compression threshold): the actor and its outbox.
    const local = (url: string) => url.replace('http://wiki.test', base)
    const activityJson = { accept: 'application/activity+json', 'accept-encoding': 'br, gzip' }
    const actorUrl = finger.links.find(link => link.rel === 'self')?.href ?? ''
    const actor = await fetch(local(actorUrl), { headers: activityJson })
    assert.equal(actor.status, 200)
    const { outbox } = await actor.json() as { outbox: string }
    const collection = await fetch(`${local(outbox)}?page=true`, { headers: activityJson })
    assert.equal(collection.status, 200)
    assert.ok(typeof (await collection.json() as { type: string }).type === 'string')
    const nodeinfo = await fetch(`${base}/.well-known/nodeinfo`, { headers: { 'accept-encoding': 'br, gzip' } })
    assert.equal(nodeinfo.status, 200)
    assert.ok(Array.isArray((await nodeinfo.json() as { links: unknown[] }).links))
  })

  it('answers a repeat request for an unchanged page or asset with an empty 304, and a changed page with 200', async () => {
    const first = await read({ url: '/wiki/warum-wir-teilen-was-scheitert' })
    const tag = String(first.headers.etag)
    assert.match(tag, /^W\/"/)
    const again = await read({ url: '/wiki/warum-wir-teilen-was-scheitert', headers: { 'if-none-match': tag } })
    assert.equal(again.statusCode, 304)
    assert.equal(again.rawPayload.length, 0)
    const compressed = await read({ url: '/wiki/warum-wir-teilen-was-scheitert', headers: { 'if-none-match': tag, 'accept-encoding': 'br' } })
    assert.equal(compressed.statusCode, 304, 'the tag holds whatever the encoding')
    const listed = await read({ url: '/wiki/warum-wir-teilen-was-scheitert', headers: { 'if-none-match': `"other", ${tag}` } })
    assert.equal(listed.statusCode, 304)

    const stylesheet = /<link rel="stylesheet" href="([^"]+)"/.exec(first.body)?.[1] ?? ''
    const css = await read({ url: stylesheet })
    const cssAgain = await read({ url: stylesheet, headers: { 'if-none-match': String(css.headers.etag) } })
    assert.equal(cssAgain.statusCode, 304)

    const found = await test.app.wiki.resolve('warum-wir-teilen-was-scheitert')
    assert.equal(found.kind, 'page')
    if (found.kind !== 'page') return
    await test.app.wiki.savePage(found.page.slug, { source: `${found.page.source}\nEin neuer Satz.\n`, baseRevisionId: found.page.revisionId.toHexString(), message: 'ergänzt' })
    const changed = await read({ url: '/wiki/warum-wir-teilen-was-scheitert', headers: { 'if-none-match': tag } })
    assert.equal(changed.statusCode, 200)
    assert.notEqual(changed.headers.etag, tag)
  })

  it('does not answer 304 to writes or failures', async () => {
    // `*` names every tag, so each answer below would be a 304 if method and status were not checked.
    const anyTag = { 'if-none-match': '*', 'accept-encoding': 'br' }
    const slug = 'warum-wir-teilen-was-scheitert'
    const page = await test.app.inject({ url: `/api/pages/${slug}` })
    const { revision, source } = page.json<{ revision: string, source: string }>()

    const saved = await test.app.inject({ method: 'PUT', url: `/api/pages/${slug}`, headers: anyTag, payload: { source: `${source}\nNoch ein Satz.\n`, baseRevision: revision } })
    assert.equal(saved.statusCode, 200, saved.body)
    assert.equal(saved.headers['content-encoding'], undefined, 'a short JSON answer stays under the compression threshold')
    assert.equal(saved.json<{ changed: boolean }>().changed, true)

    const refused = await test.app.inject({ method: 'PUT', url: `/api/pages/${slug}`, headers: anyTag, payload: { source: `${source}\nEin anderer Satz.\n`, baseRevision: revision } })
    assert.equal(refused.statusCode, 409, 'a save on an old revision conflicts')
    assert.ok(refused.rawPayload.length > 0)

    const anonymous = await test.anonymous({ method: 'PUT', url: `/api/pages/${slug}`, headers: anyTag, payload: { source, baseRevision: revision } })
    assert.ok(anonymous.statusCode === 401 || anonymous.statusCode === 403, `an anonymous write answered ${anonymous.statusCode}`)

    const missing = await read({ url: '/nothing-here', headers: { accept: 'text/html', 'if-none-match': '*' } })
    assert.equal(missing.statusCode, 404)
    assert.match(missing.body, /<html/)
  })
})
