import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { form, startTestApp, type TestApp } from '../helpers.ts'

const PARALLEL = 10

describe('creating pages through the JSON API', () => {
  let test: TestApp
  before(async () => { test = await startTestApp() })
  after(async () => { await test.close() })

  const send = async (method: 'POST' | 'PUT', url: string, body: unknown) =>
    await test.app.inject({ method, url, payload: JSON.stringify(body), headers: { 'content-type': 'application/json', accept: 'application/json' } })

  it('creates a page at its slug with a PUT whose baseRevision is null, and only once', async () => {
    const source = '---\ntitle: Per PUT angelegt\n---\nText.\n'
    const created = await send('PUT', '/api/pages/per-put-angelegt', { source, baseRevision: null })
    assert.equal(created.statusCode, 201, created.body)
    assert.equal(created.headers.location, '/api/pages/per-put-angelegt')
    assert.equal(created.json<{ slug: string }>().slug, 'per-put-angelegt')
    const again = await send('PUT', '/api/pages/per-put-angelegt', { source, baseRevision: null })
    assert.equal(again.statusCode, 409)
    assert.equal(again.json<{ error: string }>().error, 'edit-conflict')
    const edited = await send('PUT', '/api/pages/per-put-angelegt', { source: `${source}Mehr.\n`, baseRevision: created.json<{ revision: string }>().revision })
    assert.equal(edited.statusCode, 200)
  })

  it('answers ten parallel creates with one title with 201 or 409, each 201 at its own slug', async () => {
    const source = '---\ntitle: Gleichzeitig\n---\nText.\n'
    const answers = await Promise.all(Array.from({ length: PARALLEL }, async () => await send('POST', '/api/pages', { source })))
    const statuses = answers.map(answer => answer.statusCode)
    assert.ok(statuses.every(status => status === 201 || status === 409), statuses.join(' '))
    const slugs = answers.filter(answer => answer.statusCode === 201).map(answer => answer.json<{ slug: string }>().slug)
    assert.equal(new Set(slugs).size, slugs.length)
    assert.ok(slugs.includes('gleichzeitig'))
    for (const answer of answers.filter(answer => answer.statusCode === 409)) assert.equal(answer.json<{ error: string }>().error, 'no-free-slug')
    // Nothing partial: exactly the pages answered with 201 exist, each with its one revision.
    const stored = await test.app.store.db.collection('pages').find({ title: 'Gleichzeitig' }).toArray()
    assert.deepEqual(stored.map(page => page.slug).sort(), [...slugs].sort())
    assert.equal(await test.app.store.db.collection('revisions').countDocuments({ title: 'Gleichzeitig' }), slugs.length)
  })

  it('answers ten parallel PUTs creating one slug with one 201 and otherwise 409', async () => {
    const source = '---\ntitle: Ein Platz\n---\nText.\n'
    const answers = await Promise.all(Array.from({ length: PARALLEL }, async () => await send('PUT', '/api/pages/ein-platz', { source, baseRevision: null })))
    const statuses = answers.map(answer => answer.statusCode).sort()
    assert.deepEqual(statuses, [201, ...Array.from({ length: PARALLEL - 1 }, () => 409)])
    assert.equal(await test.app.store.db.collection('revisions').countDocuments({ title: 'Ein Platz' }), 1)
  })

  it('answers a title whose numbered slugs are all taken with 409, not a failure', async () => {
    const taken = ['voll', ...Array.from({ length: 99 }, (_, index) => `voll-${index + 2}`)]
    for (const slug of taken) {
      const response = await send('PUT', `/api/pages/${slug}`, { source: '---\ntitle: Voll\n---\nText.\n', baseRevision: null })
      assert.equal(response.statusCode, 201)
    }
    const refused = await send('POST', '/api/pages', { source: '---\ntitle: Voll\n---\nText.\n' })
    assert.equal(refused.statusCode, 409)
    assert.equal(refused.json<{ error: string }>().error, 'no-free-slug')
  })

  it('stores titles composed and without invisible controls, and gives a Chinese title a slug of its own', async () => {
    const created = await send('POST', '/api/pages', { source: 'Text.\n', title: '\u202eCafe\u0301 am Markt\u200b' })
    assert.equal(created.statusCode, 201, created.body)
    assert.equal(created.json<{ title: string }>().title, 'Café am Markt')
    assert.equal(created.json<{ slug: string }>().slug, 'cafe-am-markt')

    const chinese = await send('POST', '/api/pages', { source: '---\ntitle: 社会工作经验\n---\nText.\n' })
    assert.equal(chinese.statusCode, 201, chinese.body)
    assert.equal(chinese.json<{ slug: string }>().slug, 'page-6a4997e8')
    assert.equal((await test.app.inject({ url: '/api/pages/page-6a4997e8' })).json<{ title: string }>().title, '社会工作经验')

    const renamed = await test.app.inject({ method: 'POST', url: '/wiki/cafe-am-markt/rename', ...form({ title: 'Kaffee\u2066 am\u2069 Markt\ufeff', baseRevision: created.json<{ revision: string }>().revision }) })
    assert.equal(renamed.statusCode, 303)
    assert.equal(renamed.headers.location, '/wiki/kaffee-am-markt')
    assert.equal((await test.app.wiki.requirePage('kaffee-am-markt')).title, 'Kaffee am Markt')
    const revision = (await test.app.wiki.requirePage('kaffee-am-markt')).revisionId.toHexString()
    const invisible = form({ title: '\u200b\u202e', baseRevision: revision })
    const refused = await test.app.inject({ method: 'POST', url: '/wiki/kaffee-am-markt/rename', payload: invisible.payload, headers: { ...invisible.headers, accept: 'application/json' } })
    assert.equal(refused.statusCode, 400)
    assert.equal(refused.json<{ error: string }>().error, 'missing-title')
  })
})
