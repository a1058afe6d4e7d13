import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { PASSWORD_HASHING, hashPassword, needsRehash, verifyPassword } from '../../src/auth/passwords.ts'
import { cookieOf, csrfTokenOf, form, logIn, signIn, startTestApp, TEST_PASSWORD, type TestApp } from '../helpers.ts'

/** A form post with these headers too (the helper's `form` brings only its content type). */
const formWith = (headers: Record<string, string>, fields: Record<string, string>) => ({ payload: form(fields).payload, headers: { ...form(fields).headers, ...headers } })

const page = (title: string, visibility: string, body = 'Text.') => `---\ntitle: ${title}\nvisibility: ${visibility}\n---\n${body}\n`

describe('passwords', () => {
  it('hashes with argon2id at 19 MiB, 2 passes, 1 lane, and a random salt', async () => {
    assert.deepEqual({ ...PASSWORD_HASHING }, { algorithm: 'argon2id', memoryCostKiB: 19_456, timeCost: 2, parallelism: 1, outputLength: 32, saltLength: 16 })
    const first = await hashPassword('a long enough password')
    const second = await hashPassword('a long enough password')
    assert.match(first, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/)
    assert.notEqual(first, second)
    assert.equal(await verifyPassword(first, 'a long enough password'), true)
    assert.equal(await verifyPassword(first, 'a long enough passwort'), false)
    assert.equal(await verifyPassword('not a hash', 'x'), false)
    assert.equal(needsRehash(first), false)
    assert.equal(needsRehash('$argon2id$v=19$m=4096,t=1,p=1$c2FsdHNhbHQ$aGFzaA'), true)
  })
})

describe('sessions, CSRF and lock-out', () => {
  let test: TestApp
  before(async () => { test = await startTestApp({ LOGIN_MAX_FAILURES: '3', LOGIN_MAX_FAILURES_PER_IP: '6' }) })
  after(async () => { await test.close() })

  it('gives a new session id at sign-in, and the old one signs nobody in', async () => {
    await test.app.auth.accounts.create({ username: 'fixation', password: TEST_PASSWORD, role: 'editor' })
    const form1 = await test.anonymous({ url: '/login' })
    const before = cookieOf(form1)
    const response = await test.anonymous({ method: 'POST', url: '/login', ...formWith({ cookie: before }, { _csrf: csrfTokenOf(form1.body), username: 'fixation', password: TEST_PASSWORD }) })
    assert.equal(response.statusCode, 303)
    const after = cookieOf(response)
    assert.notEqual(after, before)
    assert.equal((await test.anonymous({ url: '/account', headers: { cookie: after } })).statusCode, 200)
    assert.equal((await test.anonymous({ url: '/account', headers: { cookie: before, accept: 'text/html' } })).statusCode, 303)
  })

  it('sets the session cookie HttpOnly and SameSite=Lax, and sends a CSP without inline scripts', async () => {
    const response = await test.anonymous({ url: '/login' })
    const cookie = String(response.headers['set-cookie'])
    assert.match(cookie, /HttpOnly/)
    assert.match(cookie, /SameSite=Lax/)
    assert.doesNotMatch(cookie, /Secure/)
    const csp = String(response.headers['content-security-policy'])
    assert.match(csp, /script-src 'self'/)
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/)
    assert.match(csp, /frame-ancestors 'none'/)
    assert.equal(response.headers['x-content-type-options'], 'nosniff')
    assert.doesNotMatch(response.body, /<script(?![^>]*\bsrc=)/)
  })

  it('refuses a form without its CSRF token, or with a forged one, with 403', async () => {
    const admin = test.admin!
    const fields = { title: 'Ohne Token', source: page('Ohne Token', 'local') }
    const missing = await test.anonymous({ method: 'POST', url: '/wiki', ...formWith({ cookie: admin.cookie }, fields) })
    assert.equal(missing.statusCode, 403)
    const forged = await test.anonymous({ method: 'POST', url: '/wiki', ...formWith({ cookie: admin.cookie, 'x-csrf-token': 'forged-token' }, fields) })
    assert.equal(forged.statusCode, 403)
    const inBody = await test.anonymous({ method: 'POST', url: '/wiki', ...formWith({ cookie: admin.cookie }, { ...fields, _csrf: admin.csrfToken.slice(0, -2) + 'xx' }) })
    assert.equal(inBody.statusCode, 403)
    assert.equal(await test.app.wiki.resolve('ohne-token').then(found => found.kind), 'missing')
    const right = await test.anonymous({ method: 'POST', url: '/wiki', ...formWith({ cookie: admin.cookie }, { ...fields, _csrf: admin.csrfToken }) })
    assert.equal(right.statusCode, 303)
    // Another session's token is worth nothing here.
    const other = await signIn(test.app, test.anonymous, 'csrf-other', 'editor')
    const crossed = await test.anonymous({ method: 'POST', url: '/wiki', ...formWith({ cookie: other.cookie, 'x-csrf-token': admin.csrfToken }, { title: 'Gekreuzt', source: page('Gekreuzt', 'local') }) })
    assert.equal(crossed.statusCode, 403)
  })

  it('locks an account after repeated failures, even for the right password', async () => {
    await test.app.auth.accounts.create({ username: 'locked', password: TEST_PASSWORD, role: 'editor' })
    for (let attempt = 0; attempt < 3; attempt++) {
      await assert.rejects(logIn(test.anonymous, 'locked', 'wrong password!'), /answered 401/)
    }
    await assert.rejects(logIn(test.anonymous, 'locked', TEST_PASSWORD), /answered 429/)
    const audit = await test.app.auth.audit.recent({ limit: 20, kinds: ['sign-in-failed', 'sign-in-locked'] })
    assert.equal(audit.filter(entry => entry.actor === 'locked' && entry.kind === 'sign-in-failed').length, 3)
    assert.ok(audit.some(entry => entry.actor === 'locked' && entry.kind === 'sign-in-locked'))
  })

  it('slows an address down for a moment, not the lock-out window, after repeated failures across accounts', async () => {
    await test.app.auth.accounts.create({ username: 'innocent', password: TEST_PASSWORD, role: 'editor' })
    const fromAttacker = async (options: Parameters<typeof test.anonymous>[0]) => await test.anonymous({ ...(typeof options === 'string' ? { url: options } : options), remoteAddress: '203.0.113.9' })
    for (let attempt = 0; attempt < 6; attempt++) {
      await assert.rejects(logIn(fromAttacker, `nobody${attempt}`, 'wrong password!'), /answered 401/)
    }
    const page = await fromAttacker({ url: '/login' })
    const slowed = await fromAttacker({ method: 'POST', url: '/login', ...formWith({ cookie: cookieOf(page) }, { _csrf: csrfTokenOf(page.body), username: 'innocent', password: TEST_PASSWORD }) })
    assert.equal(slowed.statusCode, 429)
    assert.equal(slowed.headers['retry-after'], '1')
    // Elsewhere the account still works.
    await logIn(test.anonymous, 'innocent', TEST_PASSWORD)
  })

  it('ends the sessions of a disabled account at once', async () => {
    const editor = await signIn(test.app, test.anonymous, 'soon-disabled', 'editor')
    assert.equal((await editor.inject({ url: '/account' })).statusCode, 200)
    const response = await test.app.inject({ method: 'POST', url: '/admin/accounts/soon-disabled/disable' })
    assert.equal(response.statusCode, 303)
    assert.equal((await editor.inject({ url: '/account', headers: { accept: 'application/json' } })).statusCode, 401)
  })
})

describe('API tokens', () => {
  let test: TestApp
  before(async () => { test = await startTestApp() })
  after(async () => { await test.close() })

  it('writes pages with a token, shown once and stored hashed; revoking stops it at once', async () => {
    const editor = await signIn(test.app, test.anonymous, 'script-owner', 'editor')
    const created = await editor.inject({ method: 'POST', url: '/account/tokens', ...form({ name: 'Import' }) })
    assert.equal(created.statusCode, 200)
    const token = /<code class="secret">([^<]+)<\/code>/.exec(created.body)?.[1] ?? ''
    assert.match(token, /^pxw_[A-Za-z0-9_-]{43}$/)
    const stored = await test.app.store.db.collection('api_tokens').findOne({})
    assert.ok(stored !== null)
    assert.doesNotMatch(JSON.stringify(stored), new RegExp(token))
    assert.doesNotMatch((await editor.inject({ url: '/account' })).body, new RegExp(token))

    const bearer = { authorization: `Bearer ${token}` }
    const post = await test.anonymous({ method: 'POST', url: '/api/pages', headers: bearer, payload: { source: page('Per API', 'local') } })
    assert.equal(post.statusCode, 201, post.body)
    const { slug, revision } = post.json<{ slug: string, revision: string }>()
    const put = await test.anonymous({ method: 'PUT', url: `/api/pages/${slug}`, headers: bearer, payload: { source: page('Per API', 'local', 'Zweite Fassung.'), baseRevision: revision } })
    assert.equal(put.statusCode, 200, put.body)
    const stale = await test.anonymous({ method: 'PUT', url: `/api/pages/${slug}`, headers: bearer, payload: { source: page('Per API', 'local', 'Dritte.'), baseRevision: revision } })
    assert.equal(stale.statusCode, 409)
    assert.equal(stale.json<{ error: string }>().error, 'edit-conflict')
    const history = await test.anonymous({ url: `/api/pages/${slug}/revisions`, headers: bearer })
    assert.deepEqual(history.json<{ revisions: Array<{ author: string }> }>().revisions.map(entry => entry.author), ['script-owner', 'script-owner'])
    const unknownField = await test.anonymous({ method: 'POST', url: '/api/pages', headers: bearer, payload: { source: page('X', 'local'), colour: 'blue' } })
    assert.equal(unknownField.statusCode, 400)

    const id = String((await test.app.store.db.collection('api_tokens').findOne({}))?._id)
    const revoke = await editor.inject({ method: 'POST', url: `/account/tokens/${id}/revoke` })
    assert.equal(revoke.statusCode, 303)
    const refused = await test.anonymous({ method: 'DELETE', url: `/api/pages/${slug}`, headers: bearer })
    assert.equal(refused.statusCode, 401)
    assert.equal((await test.app.wiki.resolve(slug)).kind, 'page')
  })

  it('gives readers a 403 with a token, and a wrong token a 401', async () => {
    const { token } = await test.app.auth.accounts.createToken((await test.app.auth.accounts.create({ username: 'token-reader', password: TEST_PASSWORD, role: 'reader' })).username, 'read')
    const denied = await test.anonymous({ method: 'POST', url: '/api/pages', headers: { authorization: `Bearer ${token}` }, payload: { source: page('Nein', 'local') } })
    assert.equal(denied.statusCode, 403)
    const wrong = await test.anonymous({ url: '/api/pages', headers: { authorization: 'Bearer pxw_wrong' } })
    assert.equal(wrong.statusCode, 401)
  })
})

describe('local pages', () => {
  let test: TestApp
  before(async () => {
    test = await startTestApp()
    await test.app.wiki.createPage({ source: page('Fallnotiz Intern', 'local', 'Vertraulich: Familie im Quartier.') })
    await test.app.wiki.createPage({ source: page('Offene Lektion', 'public', 'Alle dürfen das lesen.'), confirmPublication: true })
    await test.app.searchIndex.ready
    await test.app.searchIndex.settled()
  })
  after(async () => { await test.close() })

  it('are hidden from visitors in the page view, history, diff, API, lists, feeds and search', async () => {
    const html = { accept: 'text/html' }
    assert.equal((await test.anonymous({ url: '/wiki/fallnotiz-intern', headers: html })).statusCode, 303)
    assert.equal((await test.anonymous({ url: '/wiki/fallnotiz-intern/history', headers: html })).statusCode, 303)
    assert.equal((await test.anonymous({ url: '/wiki/fallnotiz-intern/diff', headers: html })).statusCode, 303)
    assert.equal((await test.anonymous({ url: '/api/pages/fallnotiz-intern' })).statusCode, 401)
    assert.equal((await test.anonymous({ url: '/api/pages/fallnotiz-intern/revisions' })).statusCode, 401)
    for (const url of ['/wiki', '/api/pages', '/recent-changes', '/feed.atom', '/sitemap.xml', '/', '/api/search?q=Familie', '/search?q=Familie', '/api/lessons']) {
      const response = await test.anonymous({ url })
      assert.ok(response.statusCode < 400, `${url} answered ${response.statusCode}`)
      assert.doesNotMatch(response.body, /Fallnotiz|fallnotiz/, `${url} shows the local page`)
    }
    assert.match((await test.anonymous({ url: '/wiki' })).body, /Offene Lektion/)
  })

  it('are shown to every signed-in account, readers included', async () => {
    const reader = await signIn(test.app, test.anonymous, 'local-reader', 'reader')
    assert.equal((await reader.inject({ url: '/wiki/fallnotiz-intern' })).statusCode, 200)
    assert.match((await reader.inject({ url: '/wiki' })).body, /Fallnotiz Intern/)
    assert.match((await reader.inject({ url: '/api/search?q=Familie' })).body, /Fallnotiz Intern/)
    assert.match((await reader.inject({ url: '/recent-changes' })).body, /Fallnotiz Intern/)
  })
})

describe('four-eyes review', () => {
  let test: TestApp
  before(async () => { test = await startTestApp({ REVIEW_REQUIRED: 'true' }) })
  after(async () => { await test.close() })

  it('keeps a page local until a reviewer other than its author approves it', async () => {
    const author = await signIn(test.app, test.anonymous, 'author-reviewer', 'reviewer')
    const second = await signIn(test.app, test.anonymous, 'second-reviewer', 'reviewer')
    const editor = await signIn(test.app, test.anonymous, 'plain-editor', 'editor')
    const created = await author.inject({ method: 'POST', url: '/wiki', ...form({ title: 'Zur Freigabe', source: page('Zur Freigabe', 'public', 'Was wir gelernt haben.'), confirmPublication: 'yes' }) })
    assert.equal(created.statusCode, 303)
    const stored = await test.app.wiki.requirePage('zur-freigabe')
    assert.equal(stored.fields.visibility, 'local')
    assert.equal(stored.review?.requested, 'public')
    assert.equal(stored.author, 'author-reviewer')
    assert.equal((await test.anonymous({ url: '/api/pages/zur-freigabe' })).statusCode, 401)

    const queue = await second.inject({ url: '/review' })
    assert.match(queue.body, /Zur Freigabe/)
    assert.equal((await editor.inject({ method: 'POST', url: '/review/zur-freigabe/approve' })).statusCode, 403)
    const revision = form({ revision: stored.revisionId.toHexString() })
    const own = await author.inject({ method: 'POST', url: '/review/zur-freigabe/approve', payload: revision.payload, headers: { ...revision.headers, accept: 'application/json' } })
    assert.equal(own.statusCode, 403)
    assert.equal(own.json<{ error: string }>().error, 'own-publication')
    assert.equal((await test.app.wiki.requirePage('zur-freigabe')).fields.visibility, 'local')

    const approved = await second.inject({ method: 'POST', url: '/review/zur-freigabe/approve', ...revision })
    assert.equal(approved.statusCode, 303)
    const published = await test.app.wiki.requirePage('zur-freigabe')
    assert.equal(published.fields.visibility, 'public')
    assert.equal(published.approval?.by, 'second-reviewer')
    assert.equal((await test.anonymous({ url: '/api/pages/zur-freigabe' })).statusCode, 200)
    const audit = await test.app.auth.audit.recent({ limit: 5, kinds: ['publication-approved'] })
    assert.equal(audit[0]?.actor, 'second-reviewer')
  })
})

describe('first start, invitations and passwords', () => {
  let test: TestApp
  before(async () => { test = await startTestApp({}, { signedIn: false }) })
  after(async () => { await test.close() })

  it('offers a one-time set-up link while there is no admin, and nothing is editable before', async () => {
    const link = await test.app.auth.setupLink()
    assert.ok(link !== null)
    const token = new URL(link).searchParams.get('token') ?? ''
    assert.equal((await test.anonymous({ url: '/wiki/new', headers: { accept: 'text/html' } })).statusCode, 303)
    assert.equal((await test.anonymous({ url: '/setup?token=wrong' })).statusCode, 404)
    const formPage = await test.anonymous({ url: `/setup?token=${token}` })
    assert.equal(formPage.statusCode, 200)
    const cookie = cookieOf(formPage)
    const created = await test.anonymous({ method: 'POST', url: '/setup', ...formWith({ cookie }, { _csrf: csrfTokenOf(formPage.body), token, username: 'chefin', password: TEST_PASSWORD }) })
    assert.equal(created.statusCode, 303)
    assert.equal((await test.app.auth.accounts.byUsername('chefin'))?.role, 'admin')
    assert.equal(await test.app.auth.setupLink(), null)
    assert.equal((await test.anonymous({ url: `/setup?token=${token}` })).statusCode, 404)
  })

  it('lets an admin invite an editor once, and the new editor change the password', async () => {
    const admin = await logIn(test.anonymous, 'chefin', TEST_PASSWORD, 'admin')
    const invited = await admin.inject({ method: 'POST', url: '/admin/invitations', ...form({ role: 'editor' }) })
    const link = /<code class="secret">http:\/\/wiki\.test(\/invitations\/[^<]+)<\/code>/.exec(invited.body)?.[1] ?? ''
    assert.ok(link !== '')
    const invitation = await test.anonymous({ url: link })
    const cookie = cookieOf(invitation)
    const accepted = await test.anonymous({ method: 'POST', url: link, ...formWith({ cookie }, { _csrf: csrfTokenOf(invitation.body), username: 'neu', password: TEST_PASSWORD }) })
    assert.equal(accepted.statusCode, 303)
    assert.equal((await test.app.auth.accounts.byUsername('neu'))?.role, 'editor')
    assert.equal((await test.anonymous({ url: link })).statusCode, 404)

    const editor = await logIn(test.anonymous, 'neu', TEST_PASSWORD)
    const wrong = await editor.inject({ method: 'POST', url: '/account/password', ...form({ current: 'falsch falsch', password: 'ein neues langes passwort' }) })
    assert.equal(wrong.statusCode, 400)
    const changed = await editor.inject({ method: 'POST', url: '/account/password', ...form({ current: TEST_PASSWORD, password: 'ein neues langes passwort' }) })
    assert.equal(changed.statusCode, 200)
    await assert.rejects(logIn(test.anonymous, 'neu', TEST_PASSWORD), /answered 401/)
    await logIn(test.anonymous, 'neu', 'ein neues langes passwort')
    const kinds = (await test.app.auth.audit.recent({ limit: 50 })).map(entry => entry.kind)
    for (const kind of ['setup', 'invitation-created', 'invitation-accepted', 'password-changed', 'sign-in', 'sign-in-failed'] as const) assert.ok(kinds.includes(kind), kind)
    assert.match((await admin.inject({ url: '/admin/audit' })).body, /Einladung angenommen/)
  })
})
