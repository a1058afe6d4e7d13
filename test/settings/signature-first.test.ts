import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { csrfTokenOf, startTestApp, type TestApp } from '../helpers.ts'

describe('the HTTP signature spec tried first', () => {
  let test: TestApp
  before(async () => { test = await startTestApp({ FEDERATION_SIGNATURE_FIRST: 'rfc9421' }) })
  after(async () => { await test.close() })

  it('starts from the environment, is changed on the settings page, and refuses other values', async () => {
    assert.equal((await test.app.inject({ url: '/api/settings' })).json().settings.signatureFirst, 'rfc9421')
    const page = await test.app.inject({ url: '/admin/settings', headers: { 'accept-language': 'de' } })
    assert.match(page.body, /<option value="rfc9421" selected>RFC 9421 \(draft-cavage, wenn abgelehnt\)<\/option>/)
    // The form as the page sends it: the current values, an unchecked box left out.
    const { reviewRequired: _unchecked, indexable, ...settings } = (await test.app.inject({ url: '/api/settings' })).json().settings
    const fields = { ...settings, ...(indexable === true ? { indexable: 'on' } : {}), organisationIcon: '', mapTileUrl: '', blockedDomains: '', signatureFirst: 'draft-cavage', _csrf: csrfTokenOf(page.body) }
    const saved = await test.app.inject({ method: 'POST', url: '/admin/settings', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(fields).toString() })
    assert.equal(saved.statusCode, 303, saved.body)
    assert.equal((await test.app.inject({ url: '/api/settings' })).json().settings.signatureFirst, 'draft-cavage')
    const wrong = await test.app.inject({ method: 'PUT', url: '/api/settings', payload: { signatureFirst: 'hs2019' } })
    assert.equal(wrong.statusCode, 400)
    assert.equal((await test.app.inject({ url: '/api/settings' })).json().settings.signatureFirst, 'draft-cavage')
    assert.match((await test.app.inject({ url: '/admin/settings', headers: { 'accept-language': 'en' } })).body, /<option value="draft-cavage" selected>draft-cavage \(as Mastodon does; RFC 9421 if refused\)<\/option>/)
  })
})
