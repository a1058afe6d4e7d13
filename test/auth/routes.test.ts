import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { LightMyRequestResponse } from 'fastify'
import { ROUTE_ACCESS, accessFor } from '../../src/auth/access.ts'
import { ROLES, type Role } from '../../src/auth/roles.ts'
import { cookieOf, csrfTokenOf, signIn, startTestApp, type Inject, type TestApp } from '../helpers.ts'

type Who = Role | 'anonymous'
/** Everyone, then each role, each allowed what the ones before it are (src/auth/roles.ts). */
const WHO: Who[] = ['anonymous', 'reader', 'editor', 'reviewer', 'moderator', 'admin']

/**
 * Who may use each route: the first in WHO allowed, and everyone after. Written out here
 * rather than read from ROUTE_ACCESS, so a wrong rule in that table fails this test.
 */
const EXPECTED: Record<string, Who> = {
  'GET /': 'anonymous',
  'GET /recent-changes': 'anonymous',
  'GET /feed.atom': 'anonymous',
  'GET /sitemap.xml': 'anonymous',
  'GET /locale': 'anonymous',
  'GET /help/lessons': 'anonymous',
  'GET /help/evidence': 'anonymous',
  'GET /evidence': 'anonymous',
  'GET /api/evidence': 'anonymous',
  'GET /lessons/map/basemap.geojson': 'anonymous',
  'GET /static/*': 'anonymous',
  'GET /static/leaflet/*': 'anonymous',
  'GET /wiki': 'anonymous',
  'GET /wiki/:slug': 'anonymous',
  'GET /wiki/:slug/history': 'anonymous',
  'GET /wiki/:slug/revisions/:revisionId': 'anonymous',
  'GET /wiki/:slug/diff': 'anonymous',
  'GET /search': 'anonymous',
  'GET /api/search': 'anonymous',
  'GET /lessons': 'anonymous',
  'GET /api/lessons': 'anonymous',
  'GET /lessons.csv': 'anonymous',
  'GET /lessons.jsonld': 'anonymous',
  'GET /api/lessons.geojson': 'anonymous',
  'GET /lessons/overview': 'anonymous',
  'GET /lessons/map': 'anonymous',
  'GET /api/pages': 'anonymous',
  'GET /api/pages/:slug': 'anonymous',
  'GET /api/pages/:slug/revisions': 'anonymous',
  'GET /api/page-titles': 'anonymous',
  'GET /api/pages/:slug/backlinks': 'anonymous',
  'GET /remote': 'anonymous',
  'GET /remote/:id': 'anonymous',
  'GET /media/:name': 'anonymous',
  'GET /ns/lesson/v1': 'anonymous',
  'GET /ns/lesson': 'anonymous',

  'GET /wiki/new': 'editor',
  'POST /wiki': 'editor',
  'GET /wiki/:slug/edit': 'editor',
  'POST /wiki/:slug': 'editor',
  'POST /wiki/:slug/revert': 'editor',
  'GET /wiki/:slug/rename': 'editor',
  'POST /wiki/:slug/rename': 'editor',
  'GET /wiki/:slug/delete': 'editor',
  'POST /wiki/:slug/delete': 'editor',
  'POST /wiki/:slug/restore': 'editor',
  'POST /wiki/:slug/resolve': 'editor',
  'GET /lessons/new': 'editor',
  'POST /lessons/new': 'editor',
  'GET /lessons/:slug/edit': 'editor',
  'POST /lessons/:slug/edit': 'editor',
  'POST /lessons/new/upload': 'editor',
  'POST /lessons/:slug/upload': 'editor',
  'POST /lessons/:slug/resolve': 'editor',
  'POST /remote/:id/fork': 'editor',
  'POST /api/pages': 'editor',
  'POST /api/media': 'editor',
  'GET /admin/media': 'admin',
  'POST /admin/media/clean': 'admin',
  'GET /api/media/unreferenced': 'admin',
  'POST /api/media/clean': 'admin',
  'POST /media/editor': 'editor',
  'PUT /api/pages/:slug': 'editor',
  'DELETE /api/pages/:slug': 'editor',

  'GET /review': 'reviewer',
  'POST /review/:slug/approve': 'reviewer',

  'GET /comments/:id': 'anonymous',
  'GET /api/pages/:slug/comments': 'anonymous',
  'GET /conversations/:pageId': 'anonymous',
  'GET /conversations/:pageId/replies': 'anonymous',
  'POST /wiki/:slug/experiences': 'anonymous',
  'POST /wiki/:slug/comments': 'reader',
  'POST /api/pages/:slug/comments': 'reader',
  'POST /comments/:id/edit': 'reader',
  'POST /comments/:id/delete': 'reader',
  'GET /moderation': 'moderator',
  'POST /moderation/:id/approve': 'moderator',
  'POST /moderation/:id/reject': 'moderator',
  'POST /moderation/:id/block': 'moderator',
  'POST /moderation/:id/block-domain': 'moderator',
  'POST /api/comments/:id/approve': 'moderator',
  'POST /api/comments/:id/reject': 'moderator',

  'GET /login': 'anonymous',
  'POST /login': 'anonymous',
  'POST /logout': 'anonymous',
  'GET /setup': 'anonymous',
  'POST /setup': 'anonymous',
  'GET /invitations/:token': 'anonymous',
  'POST /invitations/:token': 'anonymous',
  'GET /account': 'reader',
  'POST /account/password': 'reader',
  'POST /account/tokens': 'reader',
  'POST /account/tokens/:id/revoke': 'reader',
  'POST /account/email': 'reader',
  'GET /notifications': 'reader',
  'POST /notifications/:id/read': 'reader',
  'POST /notifications/read-all': 'reader',
  'POST /notifications/watch': 'reader',
  'GET /notifications/watching': 'reader',
  'POST /notifications/preferences': 'reader',
  'POST /notifications/feed': 'reader',
  'POST /notifications/feed/revoke': 'reader',
  'GET /notifications/feed/:secret': 'anonymous',

  'GET /admin/accounts': 'admin',
  'POST /admin/accounts/:username/role': 'admin',
  'POST /admin/accounts/:username/disable': 'admin',
  'POST /admin/accounts/:username/enable': 'admin',
  'POST /admin/invitations': 'admin',
  'POST /admin/invitations/:id/revoke': 'admin',
  'GET /admin/federation': 'admin',
  'POST /admin/federation/follow': 'admin',
  'POST /admin/federation/unfollow': 'admin',
  'POST /admin/federation/requests/approve': 'admin',
  'POST /admin/federation/requests/reject': 'admin',
  'POST /admin/federation/blocks': 'admin',
  'POST /admin/federation/blocks/remove': 'admin',
  'POST /admin/federation/scope': 'admin',
  'GET /api/federation/following': 'admin',
  'POST /api/federation/following': 'admin',
  'PATCH /api/federation/following/:id': 'admin',
  'DELETE /api/federation/following/:id': 'admin',
  'GET /admin/audit': 'admin',
  'GET /admin/settings': 'admin',
  'POST /admin/settings': 'admin',
  'GET /api/settings': 'admin',
  'PUT /api/settings': 'admin',

  'GET /ap/*': 'anonymous',
  'POST /ap/*': 'anonymous',
  'PUT /ap/*': 'anonymous',
  'DELETE /ap/*': 'anonymous',
  'PATCH /ap/*': 'anonymous',
  'OPTIONS /ap/*': 'anonymous',
  'TRACE /ap/*': 'anonymous',
  'QUERY /ap/*': 'anonymous',
  'GET /.well-known/webfinger': 'anonymous',
  'GET /.well-known/nodeinfo': 'anonymous',
  'GET /nodeinfo/:version': 'anonymous'
}

/**
 * Routes in EXPECTED that are not asked here, and why: signing in answers a wrong password
 * with its own 401 and signing out ends the session the next requests need (both are used
 * by the sign-in helpers and test/auth/security.test.ts, test/http/reader-cache.test.ts);
 * other servers sign what they send to ActivityPub, and an unsigned request is refused by
 * the signature check, not by role (test/federation).
 */
const NOT_ASKED = new Set(['POST /login', 'POST /logout'])
const isSignedFederation = (key: string): boolean => key.includes(' /ap/') && !key.startsWith('GET ')

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
      .replace('/static/leaflet/*', '/static/leaflet/leaflet.js')
      .replace('/static/*', '/static/style.css')
      .replace('/ap/*', '/ap/u/wiki')
    const bodies: Record<string, Sample['payload']> = {
      'POST /wiki': { title: `Neu ${fixture}`, source: `---\ntitle: Neu ${fixture}\n---\nText.\n` },
      'POST /wiki/:slug': { source: `---\ntitle: Fixture ${fixture}\nvisibility: public\n---\nGeändert.\n`, baseRevision: page.revision },
      'POST /wiki/:slug/revert': { revision: page.revision, baseRevision: page.revision },
      'POST /wiki/:slug/rename': { title: `Umbenannt ${fixture}`, baseRevision: page.revision },
      'POST /wiki/:slug/delete': { message: 'weg' },
      'POST /lessons/new': { title: 'Lektion', action: 'preview' },
      'POST /lessons/:slug/edit': { title: 'Lektion', action: 'preview' },
      'POST /wiki/:slug/resolve': { mergeBase: page.revision, baseRevision: page.revision, yours: `---\ntitle: Fixture ${fixture}\nvisibility: public\n---\nEntschieden.\n` },
      'POST /lessons/:slug/resolve': { title: 'Lektion', baseRevision: page.revision, conflictFields: '', action: 'preview' },
      'POST /account/password': { current: 'not the password', password: 'another long password' },
      'POST /account/tokens': { name: 'matrix' },
      'POST /account/email': { email: 'matrix@example.org' },
      'POST /notifications/watch': { kind: 'tag', key: 'matrix', watch: 'yes' },
      'POST /admin/accounts/:username/role': { role: 'editor' },
      'POST /admin/invitations': { role: 'editor' },
      'POST /admin/federation/follow': { target: 'wiki@127.0.0.1' },
      'POST /admin/federation/unfollow': { target: 'wiki@127.0.0.1' },
      'POST /admin/federation/requests/approve': { id: 'http://127.0.0.1/nothing' },
      'POST /admin/federation/requests/reject': { id: 'http://127.0.0.1/nothing' },
      'POST /admin/federation/blocks': { host: 'spam.example', reason: 'test' },
      'POST /admin/federation/blocks/remove': { host: 'spam.example' },
      'POST /admin/federation/scope': { target: 'http://127.0.0.1/nothing', scope: 'pages' }
    }
    const jsonBodies: Record<string, Record<string, unknown>> = {
      'POST /api/pages': { source: `---\ntitle: API ${fixture}\n---\nText.\n` },
      'POST /api/federation/following': { actor: 'neither a handle nor a URL' },
      'PATCH /api/federation/following/:id': { scope: 'pages' },
      'PUT /api/pages/:slug': { source: `---\ntitle: Fixture ${fixture}\nvisibility: public\n---\nÜber die API.\n`, baseRevision: page.revision, confirmPublication: true }
    }
    const key = `${method} ${url}`
    if (jsonBodies[key] !== undefined) return { url: path, payload: jsonBodies[key], json: true }
    if (method === 'GET' || method === 'DELETE') return { url: path }
    return { url: path, payload: bodies[key] ?? {} }
  }

  const send = async (who: Who, method: string, sample: Sample): Promise<LightMyRequestResponse> => {
    const inject = as.get(who)!
    // JSON, so that a refusal says whether the access hook gave it (people get the same
    // refusal as the login page or an error page; the last test here checks that).
    const headers: Record<string, string> = { accept: 'application/json' }
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
    for (const role of ['reader', 'editor', 'reviewer', 'moderator'] as const) as.set(role, (await signIn(test.app, test.anonymous, `matrix-${role}`, role)).inject)
    as.set('admin', test.admin!.inject)
  })
  after(async () => { await test.close() })

  // The routes the HTTP layer adds before auth is registered are missing from auth.routes(); Fastify knows them all.
  const isRoute = (key: string): boolean => {
    const [method, url] = key.split(' ') as [string, string]
    return test.app.hasRoute({ method: method as 'GET', url })
  }

  it('has an expectation for every route the app registers, and for nothing else', () => {
    assert.deepEqual(WHO.slice(1), [...ROLES], 'every role, in order, is asked')
    const registered = test.app.auth.routes().filter(route => !route.startsWith('HEAD '))
    assert.deepEqual(registered.filter(route => !(route in EXPECTED)), [], 'routes without an expectation here')
    assert.deepEqual(Object.keys(EXPECTED).filter(route => !isRoute(route)), [], 'expectations for routes the app does not have')
  })

  it('lists every registered route in the access table, and nothing that is not a route', () => {
    const registered = test.app.auth.routes().filter(route => !route.startsWith('HEAD '))
    assert.deepEqual(registered.filter(route => !(route in ROUTE_ACCESS)), [], 'routes without an access entry')
    assert.deepEqual(Object.keys(ROUTE_ACCESS).filter(route => !isRoute(route)), [], 'access entries for routes the app does not have')
    // Unknown routes are closed to all but admins when they change something.
    assert.equal(accessFor('POST', '/not/listed').access, 'admin')
  })

  const asked = Object.entries(EXPECTED).filter(([key]) => !NOT_ASKED.has(key) && !isSignedFederation(key))

  for (const who of WHO) {
    it(`lets ${who} use exactly the routes written out above`, async () => {
      const problems: string[] = []
      for (const [key, least] of asked) {
        const [method, url] = key.split(' ') as [string, string]
        const response = await send(who, method, await sampleFor(method, url))
        const problem = judge(WHO.indexOf(who) >= WHO.indexOf(least), who, response)
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

/** The access hook's refusal, if the answer is one: a 401 or the login page for nobody signed in, a 403 for a role too low. */
function refusalOf (response: LightMyRequestResponse): 'not-signed-in' | 'forbidden' | null {
  if (response.statusCode === 303 && String(response.headers.location).startsWith('/login')) return 'not-signed-in'
  if (response.statusCode !== 401 && response.statusCode !== 403) return null
  const code = (JSON.parse(response.body) as { error?: string }).error
  return code === 'not-signed-in' || code === 'forbidden' ? code : null
}

/**
 * Allowed: any answer but 401, 403 or the login page (the samples carry a session and its
 * CSRF token, so no other check answers so). Refused: exactly the access hook's answer.
 */
function judge (allowed: boolean, who: Who, response: LightMyRequestResponse): string | null {
  const { statusCode } = response
  if (statusCode >= 500) return `server error ${statusCode}: ${response.body.slice(0, 200)}`
  if (allowed) {
    const refused = statusCode === 401 || statusCode === 403 || refusalOf(response) !== null
    return refused ? `refused with ${statusCode} (${response.body.slice(0, 120)}) but should be allowed` : null
  }
  const expected = who === 'anonymous' ? 'not-signed-in' : 'forbidden'
  return refusalOf(response) === expected ? null : `expected the refusal ${expected}, got ${statusCode} (${response.body.slice(0, 120)})`
}
