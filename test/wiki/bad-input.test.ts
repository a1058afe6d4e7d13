import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createPage, form, pageSource, startTestApp, type TestApp } from '../helpers.ts'
import { sameHeadingsSource, wideTableSource } from '../../scripts/adversarial-inputs.ts'
import { MAX_RENDERED_HTML_LENGTH } from '../../src/markdown/render.ts'

describe('bad input', () => {
  let test: TestApp
  before(async () => { test = await startTestApp({ BODY_LIMIT: '65536' }) })
  after(async () => { await test.close() })

  it('answers invalid front matter with 400 naming the line, and stores nothing', async () => {
    const source = '---\ntitle: Kaputt\ntags: [a, b\n---\nText'
    const response = await test.app.inject({ method: 'POST', url: '/wiki', ...form({ title: 'Kaputt', source }) })
    assert.equal(response.statusCode, 400)
    assert.match(response.body, /Zeile 3/)
    assert.match(response.body, /tags: \[a, b/, 'the text is kept in the editor')
    assert.equal((await test.app.inject({ url: '/wiki/kaputt' })).statusCode, 404)
  })

  it('answers invalid front matter in an edit with 400 and keeps the page as it was', async () => {
    const { slug, revision } = await createPage(test.app, 'Heil', 'gut')
    const response = await test.app.inject({ method: 'POST', url: `/wiki/${slug}`, ...form({ source: '---\nvisibility: geheim\n---\nx', baseRevision: revision }) })
    assert.equal(response.statusCode, 400)
    assert.match(response.body, /visibility/)
    assert.match((await test.app.inject({ url: `/wiki/${slug}` })).body, /gut/)
  })

  it('answers a body over the limit with 413', async () => {
    const response = await test.app.inject({ method: 'POST', url: '/wiki', ...form({ title: 'Groß', source: 'x'.repeat(70_000) }) })
    assert.equal(response.statusCode, 413)
    assert.doesNotMatch(response.body, /at .*\.ts:\d+/)
  })

  it('answers missing or mistyped form fields with 400', async () => {
    assert.equal((await test.app.inject({ method: 'POST', url: '/wiki', ...form({ title: 'x' }) })).statusCode, 400)
    assert.equal((await test.app.inject({ method: 'POST', url: '/wiki/irgendwas', ...form({ source: 'x' }) })).statusCode, 400)
    assert.equal((await test.app.inject({ method: 'GET', url: '/wiki?page=abc' })).statusCode, 400)
    assert.equal((await test.app.inject({ method: 'GET', url: '/api/pages?page=-1' })).statusCode, 400)
  })

  it('answers unsupported content types and broken JSON with 4xx', async () => {
    const xml = await test.app.inject({ method: 'POST', url: '/wiki', payload: '<a/>', headers: { 'content-type': 'application/xml' } })
    assert.equal(xml.statusCode, 415)
    const json = await test.app.inject({ method: 'POST', url: '/wiki', payload: '{"title":', headers: { 'content-type': 'application/json' } })
    assert.equal(json.statusCode, 400)
  })

  it('refuses to create pages under reserved or invalid slugs', async () => {
    for (const slug of ['api', 'new', 'static', 'Gross', 'a..b']) {
      const response = await test.app.inject({ method: 'POST', url: `/wiki/${slug}`, ...form({ source: pageSource('x', 'y'), baseRevision: '' }) })
      assert.equal(response.statusCode, 400, slug)
    }
  })

  it('never lets a slug reach outside the wiki, whatever its encoding', async () => {
    const attempts = [
      '/wiki/..%2F..%2Fetc%2Fpasswd',
      '/wiki/%2e%2e%2fpackage.json',
      '/wiki/..%5c..%5cwindows',
      '/wiki/%00',
      '/wiki/%E0%A4%A',
      '/wiki/..%2F..%2Fetc%2Fpasswd/edit',
      '/wiki/..%2F..%2Fetc%2Fpasswd/history',
      '/api/pages/..%2F..%2Fpackage.json',
      '/static/..%2Fpackage.json',
      '/static/../package.json',
      `/wiki/${'a'.repeat(400)}`
    ]
    for (const url of attempts) {
      const response = await test.app.inject({ url })
      assert.ok([301, 400, 403, 404, 414].includes(response.statusCode), `${url} answered ${response.statusCode}`)
      assert.doesNotMatch(response.body, /"name": "praxiswiki"|root:x:0/)
      if (response.statusCode === 301) {
        assert.match(String(response.headers.location), /^\/wiki\/[a-z0-9-]+(\/edit|\/history)?$/)
      }
    }
    // The router resolves dot segments like a browser does: these reach the home page.
    for (const url of ['/wiki/..', '/wiki/%2e%2e', '/wiki/../..']) {
      const response = await test.app.inject({ url })
      assert.equal(response.statusCode, 200, url)
      assert.match(response.body, /<a href="\/" aria-current="page">/)
    }
    const post = await test.app.inject({ method: 'POST', url: '/wiki/..%2F..%2Fetc', ...form({ source: 'x', baseRevision: '' }) })
    assert.equal(post.statusCode, 400)
  })

  it('redirects a hand-typed slug with capitals or umlauts to its canonical form', async () => {
    await createPage(test.app, 'Straße', 'x')
    const response = await test.app.inject({ url: `/wiki/${encodeURIComponent('Straße')}` })
    assert.equal(response.statusCode, 301)
    assert.equal(response.headers.location, '/wiki/strasse')
  })

  it('answers unknown addresses with a 404 page in HTML and in JSON', async () => {
    const html = await test.app.inject({ url: '/gibt/es/nicht' })
    assert.equal(html.statusCode, 404)
    assert.match(String(html.headers['content-type']), /text\/html/)
    const json = await test.app.inject({ url: '/api/nichts' })
    assert.equal(json.statusCode, 404)
    assert.equal(json.json<{ error: string }>().error, 'not-found')
  })

  it('answers a rename with an outdated base with a conflict', async () => {
    const { slug } = await createPage(test.app, 'Namenskonflikt', 'x')
    const response = await test.app.inject({ method: 'POST', url: `/wiki/${slug}/rename`, ...form({ title: 'Neu', baseRevision: '0123456789abcdef01234567' }) })
    assert.equal(response.statusCode, 409)
  })
})

describe('large input within the limits', () => {
  let test: TestApp
  before(async () => { test = await startTestApp() })
  after(async () => { await test.close() })

  it('saves 165 kB of tables with 1,000-column headers and shows them as text of about their size', async () => {
    const source = wideTableSource(1000, 165_000)
    const { slug } = await createPage(test.app, 'Breit', source)
    const response = await test.app.inject({ url: `/wiki/${slug}` })
    assert.equal(response.statusCode, 200)
    assert.doesNotMatch(response.body, /<td>/)
    assert.match(response.body, /<p>\|a\|a\|a\|/, 'as paragraphs, not as the source of a page too large to render')
    assert.ok(response.body.length < 1.5 * source.length, `${response.body.length} characters`)
  })

  it('shows a page whose HTML would pass the limit as its escaped source', async () => {
    const body = '[[Noch eine Seite]] '.repeat(24_000)
    const { slug } = await createPage(test.app, 'Verweise', body)
    const response = await test.app.inject({ url: `/wiki/${slug}` })
    assert.equal(response.statusCode, 200)
    assert.match(response.body, /<pre class="source-too-large">\[\[Noch eine Seite\]\]/)
    assert.ok(response.body.length < MAX_RENDERED_HTML_LENGTH, `${response.body.length} characters`)
  })

  it('renders a 490 kB page of equal headings in the render thread, never in the event loop\'s', async () => {
    const saved = await test.app.inject({ method: 'POST', url: '/api/pages', payload: { source: pageSource('Überschriften', sameHeadingsSource(490_000)) } })
    assert.equal(saved.statusCode, 201, saved.body)
    const { slug } = saved.json<{ slug: string }>()
    const before = test.app.pageRenderer.counts()
    const response = await test.app.inject({ url: `/wiki/${slug}` })
    assert.equal(response.statusCode, 200)
    // Within its deadline the thread renders the headings; past it the page shows as text.
    assert.match(response.body, /<h2 id="a-1">a<\/h2>|<pre class="source-too-large">## a/)
    const after = test.app.pageRenderer.counts()
    assert.equal(after.inProcess, before.inProcess)
    assert.equal(after.inWorker + after.asText, before.inWorker + before.asText + 1)
  })

  it('answers front matter of 2,200 fields with 400 naming the line, and stores nothing', async () => {
    const fields = Array.from({ length: 2200 }, (_, index) => `k${index}: v`).join('\n')
    const response = await test.app.inject({ method: 'POST', url: '/wiki', ...form({ title: 'Felder', source: `---\ntitle: Felder\n${fields}\n---\nText\n` }) })
    assert.equal(response.statusCode, 400)
    assert.match(response.body, /Zeile 2/)
    assert.match(response.body, /more than 200 fields/)
    assert.equal((await test.app.inject({ url: '/wiki/felder' })).statusCode, 404)
  })
})
