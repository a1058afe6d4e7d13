import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { LightMyRequestResponse } from 'fastify'
import { ROUTE_ACCESS, accessFor } from '../../src/auth/access.ts'
import { allows, type Access, type Role } from '../../src/auth/roles.ts'
import { cookieOf, csrfTokenOf, signIn, startTestApp, type Inject, type TestApp } from '../helpers.ts'

type Who = Role | 'anonymous'
const WHO: Who[] = ['anonymous', 'reader', 'editor', 'reviewer', 'admin']

/**
 * Routes left out of the matrix, with the test that covers them: signing in and out
 * changes who is asking, and ActivityPub is for servers (test/federation).
 */
const ELSEWHERE = new Set([
  'POST /login', 'POST /logout', 'POST /setup', 'POST /invitations/:token', 'GET /static/*', 'GET /static/leaflet/*'
])
const isFederation = (key: string): boolean => / \/(ap\/|\.well-known\/|nodeinfo\/)/.test(key)

interface Sample { url: string, payload?: Record<string, unknown> | string, json?: boolean }

describe('every route for every role', () => {
  let test: TestApp
  const as = new Map<Who, Inject>()
  let fixture = 0

  /** A fresh public page per request that changes something, so each role acts on its own. */
  const freshPage = async (): Promise<{ slug: string, revision: string }> => {
    fixture++
    const page = await test.app.wiki.createPage({ source: `---\ntitle: Fixture ${fixture}\nvisibility: public\n---\nText ${fixture}.\n`, confirmPublication: true })
    return { slug: page.slug, revision: page.revisionId.toHexString() }
  }

  const sampleFor = async (method: string, url: string): Promise<Sample> => {
    const page = await freshPage()
    const path = url
      .replace(':slug', page.slug)
      .replace(':revisionId', page.revision)
      .replace(':id', '0123456789abcdef01234567')
      .replace(':token', 'no-such-invitation')
      .replace(':username', 'target')
      .replace(':version', '2.1')
    const bodies: Record<string, Sample['payload']> = {
      'POST /wiki': { title: `Neu ${fixture}`, source: `---\ntitle: Neu ${fixture}\n---\nText.\n` },
      'POST /wiki/:slug': { source: `---\ntitle: Fixture ${fixture}\nvisibility: public\n---\nGeändert.\n`, baseRevision: page.revision },
      'POST /wiki/:slug/revert': { revision: page.revision, baseRevision: page.revision },
      'POST /wiki/:slug/rename': { title: `Umbenannt ${fixture}`, baseRevision: page.revision },
      'POST /wiki/:slug/delete': { message: 'weg' },
      'POST /lessons/new': { title: 'Lektion', action: 'preview' },
      'POST /lessons/:slug/edit': { title: 'Lektion', action: 'preview' },
      'POST /account/password': { current: 'not the password', password: 'another long password' },
      'POST /account/tokens': { name: 'matrix' },
      'POST /admin/accounts/:username/role': { role: 'editor' },
      'POST /admin/invitations': { role: 'editor' },
      'POST /admin/federation/follow': { target: 'wiki@127.0.0.1' },
      'POST /admin/federation/unfollow': { target: 'wiki@127.0.0.1' },
      'POST /admin/federation/requests/approve': { id: 'http://127.0.0.1/nothing' },
      'POST /admin/federation/requests/reject': { id: 'http://127.0.0.1/nothing' },
      'POST /admin/federation/blocks': { host: 'spam.example', reason: 'test' },
      'POST /admin/federation/blocks/remove': { host: 'spam.example' }
    }
    const jsonBodies: Record<string, Record<string, unknown>> = {
      'POST /api/pages': { source: `---\ntitle: API ${fixture}\n---\nText.\n` },
      'PUT /api/pages/:slug': { source: `---\ntitle: Fixture ${fixture}\nvisibility: public\n---\nÜber die API.\n`, baseRevision: page.revision, confirmPublication: true }
    }
    const key = `${method} ${url}`
    if (jsonBodies[key] !== undefined) return { url: path, payload: jsonBodies[key], json: true }
    if (method === 'GET' || method === 'DELETE') return { url: path }
    return { url: path, payload: bodies[key] ?? {} }
  }

  const send = async (who: Who, method: string, sample: Sample): Promise<LightMyRequestResponse> => {
    const inject = as.get(who)!
    const headers: Record<string, string> = { accept: sample.url.startsWith('/api/') ? 'application/json' : 'text/html' }
    if (sample.payload === undefined) return await inject({ method: method as 'GET', url: sample.url, headers })
    if (sample.json === true) return await inject({ method: method as 'POST', url: sample.url, headers: { ...headers, 'content-type': 'application/json' }, payload: JSON.stringify(sample.payload) })
    const fields = new URLSearchParams(sample.payload as Record<string, string>).toString()
    return await inject({ method: method as 'POST', url: sample.url, headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' }, payload: fields })
  }

  before(async () => {
    test = await startTestApp()
    await test.app.auth.accounts.create({ username: 'target', password: 'target password 1', role: 'reader' })
    // Anonymous visitors still get a session (and a CSRF token) from the login form, so only the role decides.
    const login = await test.anonymous({ url: '/login' })
    const cookie = cookieOf(login)
    const token = csrfTokenOf(login.body)
    as.set('anonymous', async options => {
      const given = typeof options === 'string' ? { url: options } : options
      return await test.anonymous({ ...given, headers: { cookie, 'x-csrf-token': token, ...given.headers } })
    })
    for (const role of ['reader', 'editor', 'reviewer'] as const) as.set(role, (await signIn(test.app, test.anonymous, `matrix-${role}`, role)).inject)
    as.set('admin', test.admin!.inject)
  })
  after(async () => { await test.close() })

  it('lists every registered route in the access table, and nothing that is not a route', () => {
    const registered = test.app.auth.routes().filter(route => !route.startsWith('HEAD '))
    const unlisted = registered.filter(route => !(route in ROUTE_ACCESS))
    assert.deepEqual(unlisted, [], 'routes without an access entry')
    for (const key of Object.keys(ROUTE_ACCESS)) {
      const [method, url] = key.split(' ') as [string, string]
      assert.ok(test.app.hasRoute({ method: method as 'GET', url }), `${key} is in the table but not a route`)
    }
    // Unknown routes are closed to all but admins when they change something.
    assert.equal(accessFor('POST', '/not/listed').access, 'admin')
  })

  const matrix = Object.entries(ROUTE_ACCESS).filter(([key]) => !ELSEWHERE.has(key) && !isFederation(key))

  for (const who of WHO) {
    it(`gives ${who} exactly what the table allows`, async () => {
      const problems: string[] = []
      for (const [key, access] of matrix) {
        const [method, url] = key.split(' ') as [string, string]
        const response = await send(who, method, await sampleFor(method, url))
        const problem = judge(access, who, response)
        if (problem !== null) problems.push(`${key} as ${who}: ${problem}`)
      }
      assert.deepEqual(problems, [])
    })
  }

  it('answers programs with 401 and people with the login page', async () => {
    const api = await test.anonymous({ method: 'POST', url: '/api/pages', payload: { source: 'x' } })
    assert.equal(api.statusCode, 401)
    assert.equal(api.headers['www-authenticate'], 'Bearer')
    const page = await test.anonymous({ url: '/wiki/new', headers: { accept: 'text/html' } })
    assert.equal(page.statusCode, 303)
    assert.equal(page.headers.location, '/login?next=%2Fwiki%2Fnew')
  })
})

/** Allowed: any answer but a refusal or a server error (some samples are refused as bad input). */
function judge (access: Access, who: Who, response: LightMyRequestResponse): string | null {
  const role = who === 'anonymous' ? null : who
  const toLogin = response.statusCode === 303 && String(response.headers.location).startsWith('/login')
  if (response.statusCode >= 500) return `server error ${response.statusCode}: ${response.body.slice(0, 200)}`
  if (allows(access, role)) {
    if (response.statusCode === 401 || response.statusCode === 403 || toLogin) return `refused with ${response.statusCode} but ${access} allows it`
    return null
  }
  if (role === null) return response.statusCode === 401 || toLogin ? null : `expected 401 or the login page, got ${response.statusCode}`
  return response.statusCode === 403 ? null : `expected 403, got ${response.statusCode}`
}
