import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { FastifyRequest } from 'fastify'
import { formatNumber, translator } from '../../src/i18n/index.ts'
import { chooseLocale } from '../../src/http/locale.ts'
import { sameSitePath } from '../../src/http/return-path.ts'
import { signIn, startTestApp, type TestApp } from '../helpers.ts'

const htmlLang = (body: string) => /<html lang="([^"]+)"/.exec(body)?.[1]

describe('interface language', () => {
  let test: TestApp

  before(async () => {
    test = await startTestApp()
  })

  after(async () => { await test.close() })

  it('follows Accept-Language when nothing else is set', async () => {
    const english = await test.app.inject({ url: '/help/lessons', headers: { 'accept-language': 'en-GB,en;q=0.9' } })
    assert.equal(htmlLang(english.body), 'en')
    assert.equal(english.headers['content-language'], 'en')
    assert.match(english.body, /<h1>Help: writing a lesson<\/h1>/)
    const german = await test.app.inject({ url: '/help/lessons', headers: { 'accept-language': 'fr, de;q=0.5' } })
    assert.equal(htmlLang(german.body), 'de')
    assert.match(german.body, /<h1>Hilfe: eine Lektion schreiben<\/h1>/)
    assert.match(String(german.headers.vary), /Accept-Language/)
    assert.match(String(german.headers.vary), /Cookie/)
  })

  it('prefers the locale cookie over Accept-Language, and the account over both', async () => {
    const cookie = await test.app.inject({ url: '/', headers: { 'accept-language': 'de', cookie: 'other=1; locale=en' } })
    assert.equal(htmlLang(cookie.body), 'en')
    const unknown = await test.app.inject({ url: '/', headers: { 'accept-language': 'en', cookie: 'locale=fr' } })
    assert.equal(htmlLang(unknown.body), 'en')
    // A signed-in person's setting arrives on `request.account.locale` and wins.
    const request = (headers: Record<string, string>, account?: { locale?: string }) => ({ headers, account }) as unknown as FastifyRequest
    assert.equal(chooseLocale(request({ 'accept-language': 'en', cookie: 'locale=en' }, { locale: 'de' })), 'de')
    assert.equal(chooseLocale(request({ 'accept-language': 'de', cookie: 'locale=en' }, { locale: 'xx' })), 'en')
    assert.equal(chooseLocale(request({ 'accept-language': 'en' }, {})), 'en')
    assert.equal(chooseLocale(request({})), 'de')
  })

  it('keeps a signed-in person\'s choice with the account, over cookie and browser', async () => {
    const reader = await signIn(test.app, test.anonymous, 'leserin', 'reader')
    const switched = await reader.inject({ url: '/locale?set=en&return=%2F' })
    assert.equal(switched.statusCode, 303)
    assert.equal((await test.app.auth.accounts.byUsername('leserin'))?.locale, 'en')
    const later = await reader.inject({ url: '/', headers: { 'accept-language': 'de', cookie: `${reader.cookie}; locale=de` } })
    assert.equal(htmlLang(later.body), 'en')
    await reader.inject({ url: '/locale?set=de&return=%2F' })
    assert.equal(htmlLang((await reader.inject({ url: '/', headers: { 'accept-language': 'en' } })).body), 'de')
  })

  it('sets the cookie from the footer link and returns to the same address', async () => {
    const response = await test.anonymous({ url: '/locale?set=en&return=%2Fwiki%3Fpage%3D2' })
    assert.equal(response.statusCode, 303)
    assert.equal(response.headers.location, '/wiki?page=2')
    assert.match(String(response.headers['set-cookie']), /^locale=en; Path=\/; Max-Age=\d+; SameSite=Lax; HttpOnly/)
    const page = await test.anonymous({ url: '/help/lessons', headers: { 'accept-language': 'en' } })
    assert.match(page.body, /href="\/locale\?set=de&amp;return=%2Fhelp%2Flessons" lang="de" hreflang="de">Deutsch<\/a>/)
    assert.match(page.body, /hreflang="en" aria-current="true">English<\/a>/)
  })

  it('never sends the reader to another site from the language switch', async () => {
    for (const target of ['//evil.example/x', '/\\evil.example', 'https://evil.example/', 'javascript:alert(1)', '/%0d%0aSet-Cookie:x=1', '', 'wiki']) {
      const response = await test.anonymous({ url: `/locale?set=de&return=${encodeURIComponent(target)}` })
      assert.equal(response.statusCode, 303, target)
      const location = String(response.headers.location)
      assert.ok(location.startsWith('/') && !location.startsWith('//') && !location.includes('\\') && !/[\r\n]/.test(location), `${target} → ${location}`)
    }
    assert.equal(sameSitePath('/wiki/a?b=c#d'), '/wiki/a?b=c#d')
    assert.equal(sameSitePath('/\t/evil.example'), '/')
    assert.equal(sameSitePath('//evil.example'), '/')
  })

  it('refuses a language it does not have with a 400, setting nothing', async () => {
    const response = await test.anonymous({ url: '/locale?set=fr&return=/' })
    assert.equal(response.statusCode, 400)
    assert.equal(response.headers['set-cookie'], undefined)
  })

  it('writes numbers and dates as the locale does, and marks content in its own language', async () => {
    assert.equal(formatNumber(12345.5, 'de'), '12.345,5')
    assert.equal(formatNumber(12345.5, 'en'), '12,345.5')
    assert.equal(formatNumber(2024, 'de'), '2024')
    assert.equal(translator('de')('lessons.count', { count: 12000 }).includes('12.000'), true)
    const { slug } = await test.app.wiki.createPage({ source: '---\ntitle: Lunch club\nlanguage: en\nvisibility: public\n---\nText in English.\n' })
    const german = await test.app.inject({ url: `/wiki/${slug}`, headers: { 'accept-language': 'de' } })
    assert.equal(htmlLang(german.body), 'de')
    assert.match(german.body, /<article class="page" lang="en">/)
    const date = /Zuletzt bearbeitet[^<]*/.exec(german.body)?.[0] ?? ''
    assert.match(date, /\d{2}\.\d{2}\.\d{4}|\d{1,2}\. \w+\.? \d{4}/)
    const english = await test.app.inject({ url: `/wiki/${slug}`, headers: { 'accept-language': 'en' } })
    assert.match(english.body, /\d{1,2} \w{3,} \d{4}/)
  })
})
