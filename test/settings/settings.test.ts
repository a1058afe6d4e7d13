import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { buildApp } from '../../src/app.ts'
import { loadConfig } from '../../src/config/index.ts'
import { csrfTokenOf, form, pageSource, signIn, startTestApp, type TestApp } from '../helpers.ts'

/** The whole settings form as the page sends it, with some fields changed. */
function settingsForm (changes: Record<string, string> = {}): Record<string, string> {
  return {
    siteName: 'Praxiswiki',
    organisationName: 'Praxiswiki',
    organisationSummary: '',
    organisationIcon: '',
    followApproval: 'auto',
    mapTileUrl: '',
    mapTileAttribution: '',
    blockedDomains: '',
    defaultVisibility: 'local',
    ...changes
  }
}

describe('settings through the API', () => {
  let test: TestApp
  before(async () => { test = await startTestApp() })
  after(async () => { await test.close() })

  it('changes the site name for the next request and records old and new value of each changed field only', async () => {
    const changed = await test.app.inject({ method: 'PUT', url: '/api/settings', payload: { siteName: 'Quartierswiki', organisationSummary: '' } })
    assert.equal(changed.statusCode, 200)
    assert.deepEqual(changed.json().changed, ['siteName'])
    assert.equal(changed.json().sources.siteName, 'browser')
    assert.equal(changed.json().sources.organisationSummary, 'environment')
    const home = await test.anonymous({ url: '/recent-changes' })
    assert.match(home.body, /Quartierswiki/)
    const entries = await test.app.store.db.collection('audit').find({ kind: 'setting-changed' }).toArray()
    assert.deepEqual(entries.map(entry => [entry.target, entry.detail, entry.actor]), [['siteName', '"Praxiswiki" → "Quartierswiki"', 'admin']])
    const read = await test.app.inject({ url: '/api/settings' })
    assert.equal(read.json().settings.siteName, 'Quartierswiki')
  })

  it('refuses unknown fields and invalid values with a 400 and stores none of the change', async () => {
    const before = (await test.app.inject({ url: '/api/settings' })).json().settings
    for (const payload of [
      { siteName: 'Teilweise', colour: 'red' },
      { siteName: 'Teilweise', mapTileUrl: 'javascript:alert(1)' },
      { siteName: '' },
      { siteName: 'Teilweise', followApproval: 'sometimes' },
      { siteName: 'Teilweise', blockedDomains: ['https://bad.example/path'] },
      { siteName: 'Teilweise', organisationSummary: 'x'.repeat(501) },
      [{ siteName: 'Teilweise' }]
    ]) {
      const response = await test.app.inject({ method: 'PUT', url: '/api/settings', payload: payload as object })
      assert.equal(response.statusCode, 400, JSON.stringify(payload).slice(0, 80))
    }
    assert.deepEqual((await test.app.inject({ url: '/api/settings' })).json().settings, before)
  })

  it('takes an admin API token without a CSRF token, and refuses editors, readers and anonymous visitors', async () => {
    const { token } = await test.app.auth.accounts.createToken('admin', 'settings script')
    const withToken = await test.anonymous({ method: 'PUT', url: '/api/settings', headers: { authorization: `Bearer ${token}` }, payload: { mapTileAttribution: '© Beispiel' } })
    assert.equal(withToken.statusCode, 200)
    const editor = await signIn(test.app, test.anonymous, 'settings-editor', 'editor')
    const { token: editorToken } = await test.app.auth.accounts.createToken('settings-editor', 'try')
    assert.equal((await editor.inject({ method: 'PUT', url: '/api/settings', payload: { siteName: 'Übernommen' } })).statusCode, 403)
    assert.equal((await test.anonymous({ method: 'PUT', url: '/api/settings', headers: { authorization: `Bearer ${editorToken}` }, payload: { siteName: 'Übernommen' } })).statusCode, 403)
    assert.equal((await editor.inject({ method: 'POST', url: '/admin/settings', ...form(settingsForm({ siteName: 'Übernommen' })) })).statusCode, 403)
    assert.equal((await editor.inject({ url: '/api/settings' })).statusCode, 403)
    assert.equal((await editor.inject({ url: '/admin/settings' })).statusCode, 403)
    assert.notEqual((await test.anonymous({ url: '/api/settings' })).statusCode, 200)
    assert.notEqual((await test.app.inject({ url: '/api/settings' })).json().settings.siteName, 'Übernommen')
  })

  it('holds the next public page for review once review is switched on', async () => {
    const editor = await signIn(test.app, test.anonymous, 'review-editor', 'editor')
    const free = await editor.inject({ method: 'POST', url: '/wiki', ...form({ title: 'Vorher frei', source: pageSource('Vorher frei', 'Text', 'visibility: public\n') }) })
    assert.equal(free.statusCode, 303)
    assert.equal((await test.app.wiki.requirePage('vorher-frei')).fields.visibility, 'public')
    assert.equal((await test.app.inject({ method: 'PUT', url: '/api/settings', payload: { reviewRequired: true } })).statusCode, 200)
    const held = await editor.inject({ method: 'POST', url: '/wiki', ...form({ title: 'Danach geprüft', source: pageSource('Danach geprüft', 'Text', 'visibility: public\n') }) })
    assert.equal(held.statusCode, 303)
    const page = await test.app.wiki.requirePage(String(held.headers.location).replace('/wiki/', ''))
    assert.equal(page.fields.visibility, 'local')
    assert.equal(page.review?.requested, 'public')
  })

  it('proposes the default visibility in the new-page form', async () => {
    assert.match((await test.app.inject({ url: '/wiki/new' })).body, /visibility: local/)
    await test.app.inject({ method: 'PUT', url: '/api/settings', payload: { defaultVisibility: 'public' } })
    assert.match((await test.app.inject({ url: '/wiki/new' })).body, /visibility: public/)
  })

  it('blocks a domain and approves followers by hand at once, and sends the changed profile as an Update', async () => {
    assert.equal(test.app.federation.isBlocked('spam.bad.example'), false)
    await test.app.inject({ method: 'PUT', url: '/api/settings', payload: { blockedDomains: ['bad.example'], followApproval: 'manual', organisationName: 'Nachbarschaftshilfe Süd' } })
    assert.equal(test.app.federation.isBlocked('spam.bad.example'), true)
    // The change's listener runs after the answer: let the event loop turn (a bounded number of times) until the Update is stored.
    const streams = test.app.store.db.collection('streams')
    const actorId = test.app.federation.core.actorId
    for (let turn = 0; turn < 2000 && await streams.findOne({ type: 'Update', actor: actorId }) === null; turn++) await new Promise(resolve => setImmediate(resolve))
    assert.ok(await streams.findOne({ type: 'Update', actor: actorId }) !== null, 'an Update of the actor is in the outbox')
    const actor = await test.app.federation.core.actor()
    assert.equal(actor.name?.[0], 'Nachbarschaftshilfe Süd')
    assert.equal(actor.manuallyApprovesFollowers?.[0], true)
  })
})

describe('settings through the page', () => {
  let test: TestApp
  before(async () => { test = await startTestApp() })
  after(async () => { await test.close() })

  it('needs the CSRF token, applies the map tiles to the next map and its CSP, and says where each value comes from', async () => {
    const admin = test.admin!
    const page = await test.app.inject({ url: '/admin/settings' })
    assert.equal(page.statusCode, 200)
    assert.match(page.body, /from the environment|aus der Umgebung/)
    const fields = settingsForm({ mapTileUrl: 'https://tiles.example.org/{z}/{x}/{y}.png', mapTileAttribution: 'Karten: Beispiel' })
    const without = await test.anonymous({ method: 'POST', url: '/admin/settings', headers: { cookie: admin.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(fields).toString() })
    assert.equal(without.statusCode, 403)
    assert.doesNotMatch(String((await test.anonymous({ url: '/lessons/map' })).headers['content-security-policy']), /tiles\.example\.org/)
    const saved = await test.anonymous({ method: 'POST', url: '/admin/settings', headers: { cookie: admin.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ ...fields, _csrf: csrfTokenOf(page.body) }).toString() })
    assert.equal(saved.statusCode, 303)
    const map = await test.anonymous({ url: '/lessons/map' })
    assert.match(String(map.headers['content-security-policy']), /img-src 'self' data: https:\/\/tiles\.example\.org/)
    assert.match(map.body, /tiles\.example\.org/)
    assert.match(map.body, /Karten: Beispiel/)
    assert.match((await test.app.inject({ url: '/admin/settings' })).body, /saved here|hier gespeichert/)
  })

  it('shows the form again with a 400 and stores nothing when a value is wrong', async () => {
    const response = await test.app.inject({ method: 'POST', url: '/admin/settings', ...form(settingsForm({ siteName: 'Ganz neu', organisationIcon: 'not a url' })) })
    assert.equal(response.statusCode, 400)
    assert.match(response.body, /role="alert"/)
    assert.notEqual((await test.app.inject({ url: '/api/settings' })).json().settings.siteName, 'Ganz neu')
  })
})

describe('settings across a restart', () => {
  it('keeps a value saved in the browser over the environment, and the environment for the rest', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'praxiswiki-settings-'))
    const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', BASE_URL: 'http://wiki.test', FEDERATION_KEY_BITS: '2048', SITE_NAME: 'Aus der Umgebung', MAP_TILE_ATTRIBUTION: 'Umgebung' })
    try {
      const first = await buildApp(config, { logger: false })
      await first.settings.change({ siteName: 'Im Browser' }, 'admin')
      await first.close()
      const second = await buildApp(config, { logger: false })
      try {
        assert.equal(second.settings.current().siteName, 'Im Browser')
        assert.equal(second.settings.current().mapTileAttribution, 'Umgebung')
        assert.match((await second.inject({ url: '/recent-changes' })).body, /Im Browser/)
      } finally {
        await second.close()
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true })
    }
  })
})
