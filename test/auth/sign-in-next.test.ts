import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { sameSitePath } from '../../src/http/return-path.ts'
import { cookieOf, csrfTokenOf, form, startTestApp, TEST_PASSWORD, type TestApp } from '../helpers.ts'

/** Forms of `next` that a browser, after normalising the URL, would take off the site. */
const LEAVING = [
  'https://evil.example/', 'http:evil.example', '//evil.example', '///evil.example', '/\\evil.example', '\\\\evil.example',
  '/\t/evil.example', '/\n/evil.example', '/\r/evil.example', '\t//evil.example', '/ /evil.example'.replace(' ', '\u0000'),
  '/%2F/evil.example', '/%2f%2fevil.example', '/%5Cevil.example', '/%5c%5cevil.example', '/%09/evil.example',
  '/..//evil.example', '/./\\/evil.example', '/%2e%2e//evil.example', 'javascript:alert(1)', 'evil.example', '',
  '/%', '/\u007f/evil.example', ' /evil.example'
]

/** Paths on the site, kept as they are. */
const STAYING = ['/', '/wiki', '/wiki/new', '/wiki/eine-seite/edit?from=history#abschnitt', '/search?q=Quartier%20Nord', '/lessons?outcome=fails']

describe('where sign-in leads next', () => {
  it('keeps paths on the site and turns every form that leaves it into the home page', () => {
    for (const next of STAYING) assert.equal(sameSitePath(next), next, JSON.stringify(next))
    for (const next of LEAVING) assert.equal(sameSitePath(next), '/', JSON.stringify(next))
    assert.equal(sameSitePath(undefined), '/')
  })

  it('gives the path as a browser would read it, never one it would read as another host', () => {
    assert.equal(sameSitePath('/wiki/../lessons'), '/lessons')
    assert.equal(sameSitePath('/wiki/a b'), '/wiki/a%20b')
  })
})

describe('the sign-in form\'s redirect', () => {
  let test: TestApp
  before(async () => {
    test = await startTestApp({ LOGIN_MAX_FAILURES: '1000', LOGIN_MAX_FAILURES_PER_IP: '1000' }, { signedIn: false })
    await test.app.auth.accounts.create({ username: 'reader', password: TEST_PASSWORD, role: 'reader' })
  })
  after(async () => { await test.close() })

  it('sends people back to a path on the site, and home for any form that would leave it', async () => {
    const cases: Array<[string, string]> = [...STAYING.map(path => [path, path] as [string, string]), ...LEAVING.map(path => [path, '/'] as [string, string])]
    for (const [index, [next, expected]] of cases.entries()) {
      // A different address for each, so the sign-in rate limit does not answer first.
      const remoteAddress = `192.0.2.${index + 1}`
      const page = await test.anonymous({ url: '/login', remoteAddress })
      const posted = form({ _csrf: csrfTokenOf(page.body), username: 'reader', password: TEST_PASSWORD, next })
      const response = await test.anonymous({ method: 'POST', url: '/login', remoteAddress, payload: posted.payload, headers: { ...posted.headers, cookie: cookieOf(page) } })
      assert.equal(response.statusCode, 303, `${JSON.stringify(next)}: ${response.body.slice(0, 200)}`)
      assert.equal(response.headers.location, expected, JSON.stringify(next))
    }
  })
})
