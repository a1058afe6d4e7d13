import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { eventually } from '../federation/instances.ts'
import { createPage, currentRevision, form, startTestApp, type TestApp } from '../helpers.ts'

interface BacklinksAnswer { slug: string, backlinks: Array<{ kind: string, title: string, href: string, url: string }>, more: boolean }

describe('backlinks', () => {
  let test: TestApp
  before(async () => { test = await startTestApp() })
  after(async () => { await test.close() })

  const titlesLinkingTo = async (slug: string, asAnonymous = false): Promise<string[]> => {
    const inject = asAnonymous ? test.anonymous : test.app.inject.bind(test.app)
    const response = await inject({ url: `/api/pages/${slug}/backlinks` })
    assert.equal(response.statusCode, 200, response.body)
    return response.json<BacklinksAnswer>().backlinks.map(link => link.title)
  }

  it('lists the pages whose wiki links lead to a page, across renames of either side, and drops deleted ones', async () => {
    const target = await createPage(test.app, 'Fahrdienst Ost', 'Wir fahren.', 'visibility: public\n')
    await createPage(test.app, 'Nachbarschaftshilfe', 'Siehe [[Fahrdienst Ost]] und [[Fahrdienst Ost|den Dienst]].', 'visibility: public\n')
    const other = await createPage(test.app, 'Ehrenamt', 'Mehr unter [[fahrdienst-ost#Ablauf]].', 'visibility: public\n')
    await createPage(test.app, 'Unverlinkt', 'Nichts.', 'visibility: public\n')
    await eventually(async () => (await titlesLinkingTo(target.slug)).length === 2, 5000, 'two backlinks')
    assert.deepEqual(await titlesLinkingTo(target.slug), ['Ehrenamt', 'Nachbarschaftshilfe'])

    // The target is renamed: links written with its old name still lead to it.
    const renamed = await test.app.inject({ method: 'POST', url: `/wiki/${target.slug}/rename`, ...form({ title: 'Fahrdienst Ostviertel', baseRevision: target.revision }) })
    assert.equal(renamed.statusCode, 303, renamed.body)
    assert.equal(renamed.headers.location, '/wiki/fahrdienst-ostviertel')
    assert.deepEqual(await titlesLinkingTo('fahrdienst-ostviertel'), ['Ehrenamt', 'Nachbarschaftshilfe'])
    const old = await test.app.inject({ url: `/api/pages/${target.slug}/backlinks` })
    assert.equal(old.statusCode, 301)
    assert.equal(old.headers.location, '/api/pages/fahrdienst-ostviertel/backlinks')

    // A linking page is renamed: it is listed under its new title and address.
    const moved = await test.app.inject({ method: 'POST', url: `/wiki/${other.slug}/rename`, ...form({ title: 'Freiwillige', baseRevision: other.revision }) })
    assert.equal(moved.statusCode, 303, moved.body)
    await eventually(async () => (await titlesLinkingTo('fahrdienst-ostviertel')).includes('Freiwillige'), 5000, 'renamed linking page')
    const answer = (await test.app.inject({ url: '/api/pages/fahrdienst-ostviertel/backlinks' })).json<BacklinksAnswer>()
    assert.deepEqual(answer.backlinks.map(link => [link.title, link.href, link.url]), [
      ['Freiwillige', '/wiki/freiwillige', 'http://wiki.test/wiki/freiwillige'],
      ['Nachbarschaftshilfe', '/wiki/nachbarschaftshilfe', 'http://wiki.test/wiki/nachbarschaftshilfe']
    ])

    // A linking page is deleted: it no longer links here.
    const deleted = await test.app.inject({ method: 'POST', url: '/wiki/nachbarschaftshilfe/delete', ...form({ message: '' }) })
    assert.equal(deleted.statusCode, 303, deleted.body)
    await eventually(async () => (await titlesLinkingTo('fahrdienst-ostviertel')).length === 1, 5000, 'deleted page gone')
    assert.deepEqual(await titlesLinkingTo('fahrdienst-ostviertel'), ['Freiwillige'])

    // An edit that takes the link out removes it; the page view lists what is left.
    const revision = await currentRevision(test.app, 'freiwillige')
    const edited = await test.app.inject({ method: 'POST', url: '/wiki/freiwillige', ...form({ source: '---\ntitle: Freiwillige\nvisibility: public\n---\nKein Link mehr.\n', baseRevision: revision }) })
    assert.equal(edited.statusCode, 303, edited.body)
    await eventually(async () => (await titlesLinkingTo('fahrdienst-ostviertel')).length === 0, 5000, 'link edited out')
    const view = await test.app.inject({ url: '/wiki/fahrdienst-ostviertel' })
    assert.match(view.body, /<h2 id="backlinks-heading">Was hierher verlinkt<\/h2>\s*<p>Keine andere Seite verlinkt hierher\.<\/p>/)
  })

  it('shows local linking pages only to signed-in people, on the page and in JSON', async () => {
    const target = await createPage(test.app, 'Tafel', 'Essen.', 'visibility: public\n')
    await createPage(test.app, 'Fallnotiz Frau K', 'Kam über die [[Tafel]].')
    await createPage(test.app, 'Tafel-Bericht', 'Zur [[Tafel]].', 'visibility: public\n')
    await eventually(async () => (await titlesLinkingTo(target.slug)).length === 2, 5000, 'two backlinks')
    assert.deepEqual(await titlesLinkingTo(target.slug), ['Fallnotiz Frau K', 'Tafel-Bericht'])
    assert.deepEqual(await titlesLinkingTo(target.slug, true), ['Tafel-Bericht'])
    const anonymousView = await test.anonymous({ url: `/wiki/${target.slug}` })
    assert.equal(anonymousView.statusCode, 200)
    assert.match(anonymousView.body, /href="\/wiki\/tafel-bericht">Tafel-Bericht</)
    assert.doesNotMatch(anonymousView.body, /Fallnotiz/)
    const signedInView = await test.app.inject({ url: `/wiki/${target.slug}` })
    assert.match(signedInView.body, /href="\/wiki\/fallnotiz-frau-k">Fallnotiz Frau K</)

    // The backlinks of a local page are as hidden as the page.
    const hidden = await test.anonymous({ url: '/api/pages/fallnotiz-frau-k/backlinks' })
    assert.equal(hidden.statusCode, 401)
  })

  it('answers 404 for a missing page and 410 for a deleted one', async () => {
    assert.equal((await test.anonymous({ url: '/api/pages/gibt-es-nicht/backlinks' })).statusCode, 404)
    const gone = await createPage(test.app, 'Weg damit', 'Bald fort.', 'visibility: public\n')
    await test.app.inject({ method: 'POST', url: `/wiki/${gone.slug}/delete`, ...form({ message: '' }) })
    assert.equal((await test.anonymous({ url: `/api/pages/${gone.slug}/backlinks` })).statusCode, 410)
  })
})

describe('the link index at start', () => {
  it('indexes pages saved while it was not kept (an existing data dir) and drops vanished ones', async () => {
    const test = await startTestApp()
    try {
      await createPage(test.app, 'Ziel', 'Hier.', 'visibility: public\n')
      await createPage(test.app, 'Quelle', 'Nach [[Ziel]].', 'visibility: public\n')
      await eventually(async () => (await test.anonymous({ url: '/api/pages/ziel/backlinks' })).json<BacklinksAnswer>().backlinks.length === 1, 5000, 'indexed')
      // As if the pages had been saved before backlinks existed: the index is empty, and holds a page that is gone.
      const links = test.app.store.db.collection('pageLinks')
      await links.deleteMany({})
      await links.insertOne({ _id: 'local:000000000000000000000000' as never, kind: 'local', title: 'Verschwunden', href: '/wiki/verschwunden', visibility: 'public', origin: null, version: 'x', targets: ['ziel'] })
      const app = await (await import('../../src/app.ts')).buildApp((await import('../../src/config/index.ts')).loadConfig({ DATA_DIR: test.dataDir, LOG_LEVEL: 'silent', BASE_URL: 'http://wiki.test', FEDERATION_KEY_BITS: '2048' }), { logger: false, store: test.app.store })
      try {
        await app.ready()
        await eventually(async () => {
          const answer = (await app.inject({ url: '/api/pages/ziel/backlinks' })).json<BacklinksAnswer>()
          return answer.backlinks.map(link => link.title).join() === 'Quelle'
        }, 5000, 'reindexed at start')
      } finally {
        await app.close()
      }
    } finally {
      await test.close()
    }
  })
})
