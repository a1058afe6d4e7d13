import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { AuditKind } from '../../src/auth/audit.ts'
import { cookieOf, csrfTokenOf, form, signIn, startTestApp, TEST_PASSWORD, type SignedIn, type TestApp } from '../helpers.ts'

/** A form post with these headers too (the helper's `form` brings only its content type). */
const formWith = (headers: Record<string, string>, fields: Record<string, string>) => ({ payload: form(fields).payload, headers: { ...form(fields).headers, ...headers } })

const entries = async (test: TestApp, kind: AuditKind) => await test.app.auth.audit.recent({ limit: 100, kinds: [kind] })

describe('invitations with a label, revocable', () => {
  let test: TestApp
  let admin: SignedIn
  before(async () => {
    test = await startTestApp()
    admin = test.admin!
  })
  after(async () => { await test.close() })

  const invite = async (fields: Record<string, string>): Promise<{ link: string, id: string, body: string }> => {
    const response = await admin.inject({ method: 'POST', url: '/admin/invitations', ...form(fields) })
    assert.equal(response.statusCode, 200)
    const link = /<code class="secret">http:\/\/wiki\.test(\/invitations\/[^<]+)<\/code>/.exec(response.body)?.[1] ?? ''
    assert.notEqual(link, '')
    // The newest invitation is listed first.
    const id = /action="\/admin\/invitations\/([0-9a-f]{24})\/revoke"/.exec(response.body)?.[1] ?? ''
    return { link, id, body: response.body }
  }

  it('lists an open invitation with its label, role, creator and expiry, the label escaped', async () => {
    const { body } = await invite({ role: 'reviewer', label: 'Frau Özdemir <Kita>' })
    const item = /<li>\s*<strong>([^<]*)<\/strong>: ([^<]*)\s*<form[^>]*\/revoke"/.exec(body)
    assert.ok(item !== null, 'the list item with its label and revoke form')
    assert.equal(item[1], 'Frau Özdemir &lt;Kita&gt;')
    assert.match(item[2] ?? '', /^Freigeben, von admin, gültig bis \d/)
    assert.equal((await test.app.auth.accounts.listInvitations())[0]?.label, 'Frau Özdemir <Kita>')
  })

  it('refuses a label over 100 characters with a 400 and stores no invitation', async () => {
    const before = (await test.app.auth.accounts.listInvitations()).length
    const response = await admin.inject({ method: 'POST', url: '/admin/invitations', ...form({ role: 'editor', label: 'x'.repeat(101) }) })
    assert.equal(response.statusCode, 400)
    assert.equal((await test.app.auth.accounts.listInvitations()).length, before)
    const longest = await admin.inject({ method: 'POST', url: '/admin/invitations', ...form({ role: 'editor', label: 'x'.repeat(100) }) })
    assert.equal(longest.statusCode, 200)
  })

  it('makes a revoked link invalid at once, even for a form opened before, and records the revocation once', async () => {
    const { link, id } = await invite({ role: 'editor', label: 'Herr Berg' })
    const opened = await test.anonymous({ url: link })
    assert.equal(opened.statusCode, 200)

    const withoutToken = await test.anonymous({ method: 'POST', url: `/admin/invitations/${id}/revoke`, headers: { cookie: admin.cookie } })
    assert.equal(withoutToken.statusCode, 403)
    assert.equal((await test.anonymous({ url: link })).statusCode, 200, 'a refused revocation leaves the link working')

    const revoked = await admin.inject({ method: 'POST', url: `/admin/invitations/${id}/revoke` })
    assert.equal(revoked.statusCode, 303)
    assert.equal(revoked.headers.location, '/admin/accounts')
    const refused = await test.anonymous({ url: link, headers: { accept: 'text/html' } })
    assert.equal(refused.statusCode, 404)
    assert.match(refused.body, /Dieser Link gilt nicht \(mehr\)\./)
    const accepted = await test.anonymous({ method: 'POST', url: link, ...formWith({ cookie: cookieOf(opened), accept: 'text/html' }, { _csrf: csrfTokenOf(opened.body), username: 'berg', password: TEST_PASSWORD }) })
    assert.equal(accepted.statusCode, 404)
    assert.equal(await test.app.auth.accounts.byUsername('berg'), null)
    assert.doesNotMatch((await admin.inject({ url: '/admin/accounts' })).body, /Herr Berg/)

    const again = await admin.inject({ method: 'POST', url: `/admin/invitations/${id}/revoke` })
    assert.equal(again.statusCode, 303)
    const recorded = await entries(test, 'invitation-revoked')
    assert.equal(recorded.length, 1)
    assert.deepEqual([recorded[0]?.actor, recorded[0]?.target, recorded[0]?.detail], ['admin', 'editor', 'Herr Berg'])
    assert.match((await admin.inject({ url: '/admin/audit' })).body, /Einladung zurückgezogen/)
  })

  it('revokes nothing for an unknown or malformed id, and does not let an accepted invitation be revoked', async () => {
    const { link, id } = await invite({ role: 'editor' })
    const opened = await test.anonymous({ url: link })
    const accepted = await test.anonymous({ method: 'POST', url: link, ...formWith({ cookie: cookieOf(opened) }, { _csrf: csrfTokenOf(opened.body), username: 'angenommen', password: TEST_PASSWORD }) })
    assert.equal(accepted.statusCode, 303)
    const before = (await entries(test, 'invitation-revoked')).length
    for (const target of [id, '0123456789abcdef01234567', 'nicht-hex']) {
      assert.equal((await admin.inject({ method: 'POST', url: `/admin/invitations/${target}/revoke` })).statusCode, 303, target)
    }
    assert.equal((await admin.inject({ method: 'POST', url: `/admin/invitations/${'a'.repeat(25)}/revoke` })).statusCode, 400)
    assert.equal((await entries(test, 'invitation-revoked')).length, before)
  })
})

describe('role changes and the audit log', () => {
  let test: TestApp
  let admin: SignedIn
  before(async () => {
    test = await startTestApp()
    admin = test.admin!
    await test.app.auth.accounts.create({ username: 'rolle', password: TEST_PASSWORD, role: 'editor' })
  })
  after(async () => { await test.close() })

  it('asks first, naming both roles and what the new one may do, and changes nothing without confirm', async () => {
    const asked = await admin.inject({ method: 'POST', url: '/admin/accounts/rolle/role', ...form({ role: 'admin' }) })
    assert.equal(asked.statusCode, 200)
    assert.match(asked.body, /Die Rolle von rolle von „Schreiben“ zu „Verwalten“ ändern\?/)
    assert.match(asked.body, /Konten und Einladungen verwalten/)
    assert.match(asked.body, /<input type="hidden" name="role" value="admin">/)
    assert.match(asked.body, /<input type="hidden" name="confirm" value="yes">/)
    assert.equal((await test.app.auth.accounts.byUsername('rolle'))?.role, 'editor')
    assert.equal((await entries(test, 'role-changed')).length, 0)

    const english = await admin.inject({ method: 'POST', url: '/admin/accounts/rolle/role', ...formWith({ 'accept-language': 'en' }, { role: 'reader' }) })
    assert.match(english.body, /Change the role of rolle from “editor” to “reader”\?/)
    assert.match(english.body, /read local pages, but change nothing/)

    const wrongConfirm = await admin.inject({ method: 'POST', url: '/admin/accounts/rolle/role', ...form({ role: 'admin', confirm: 'ja' }) })
    assert.equal(wrongConfirm.statusCode, 400)
    assert.equal((await test.app.auth.accounts.byUsername('rolle'))?.role, 'editor')
  })

  it('changes the role with confirm, says what changed and records it once', async () => {
    const changed = await admin.inject({ method: 'POST', url: '/admin/accounts/rolle/role', ...form({ role: 'reviewer', confirm: 'yes' }) })
    assert.equal(changed.statusCode, 200)
    assert.match(changed.body, /Die Rolle von rolle ist jetzt „Freigeben“ \(vorher „Schreiben“\)\./)
    assert.equal((await test.app.auth.accounts.byUsername('rolle'))?.role, 'reviewer')
    const recorded = await entries(test, 'role-changed')
    assert.equal(recorded.length, 1)
    assert.deepEqual([recorded[0]?.actor, recorded[0]?.target, recorded[0]?.detail], ['admin', 'rolle', 'editor → reviewer'])
  })

  it('records no entry for a role the account has already, asked or confirmed', async () => {
    const before = (await entries(test, 'role-changed')).length
    for (const fields of [{ role: 'reviewer' }, { role: 'reviewer', confirm: 'yes' }] as Array<Record<string, string>>) {
      const response = await admin.inject({ method: 'POST', url: '/admin/accounts/rolle/role', ...form(fields) })
      assert.equal(response.statusCode, 303)
    }
    assert.equal((await entries(test, 'role-changed')).length, before)
    // Two admins confirming the same change: the second finds nothing to change.
    assert.equal((await test.app.auth.accounts.setRole('rolle', 'reviewer')).changed, false)
  })

  it('records disabling and enabling only when the state changes', async () => {
    for (const action of ['disable', 'disable', 'enable', 'enable']) {
      assert.equal((await admin.inject({ method: 'POST', url: `/admin/accounts/rolle/${action}` })).statusCode, 303)
    }
    assert.equal((await entries(test, 'account-disabled')).length, 1)
    assert.equal((await entries(test, 'account-enabled')).length, 1)
  })

  it('keeps the last admin, and answers an unknown account with 404', async () => {
    const last = await admin.inject({ method: 'POST', url: '/admin/accounts/admin/role', ...form({ role: 'editor', confirm: 'yes' }) })
    assert.equal(last.statusCode, 409)
    assert.equal((await test.app.auth.accounts.byUsername('admin'))?.role, 'admin')
    const unknown = await admin.inject({ method: 'POST', url: '/admin/accounts/niemand/role', ...form({ role: 'editor' }) })
    assert.equal(unknown.statusCode, 404)
  })

  it('records adding and lifting a server block only when it changes', async () => {
    for (const url of ['/admin/federation/blocks', '/admin/federation/blocks', '/admin/federation/blocks/remove', '/admin/federation/blocks/remove']) {
      assert.equal((await admin.inject({ method: 'POST', url, ...form({ host: 'spam.example' }) })).statusCode, 303, url)
    }
    assert.equal((await entries(test, 'block-added')).length, 1)
    assert.equal((await entries(test, 'block-removed')).length, 1)
  })
})

describe('the review count in the header', () => {
  let test: TestApp
  before(async () => { test = await startTestApp({ REVIEW_REQUIRED: 'true' }) })
  after(async () => { await test.close() })

  const page = (title: string) => `---\ntitle: ${title}\nvisibility: public\n---\nWas wir gelernt haben.\n`
  const reviewLink = (html: string): string | null => /<a href="\/review"[^>]*>([^<]*)<\/a>/.exec(html)?.[1] ?? null

  it('shows reviewers and admins how many pages wait, and editors no review link', async () => {
    const editor = await signIn(test.app, test.anonymous, 'schreibt', 'editor')
    const reviewer = await signIn(test.app, test.anonymous, 'prueft', 'reviewer')
    assert.equal(reviewLink((await reviewer.inject({ url: '/' })).body), 'Freigaben (0)')
    for (const title of ['Erste Freigabe', 'Zweite Freigabe', 'Dritte Freigabe']) {
      const created = await editor.inject({ method: 'POST', url: '/wiki', ...form({ title, source: page(title), confirmPublication: 'yes' }) })
      assert.equal(created.statusCode, 303)
    }
    assert.equal(reviewLink((await reviewer.inject({ url: '/' })).body), 'Freigaben (3)')
    assert.equal(reviewLink((await reviewer.inject({ url: '/wiki', headers: { 'accept-language': 'en' } })).body), 'Review (3)')
    assert.equal(reviewLink((await test.admin!.inject({ url: '/recent-changes' })).body), 'Freigaben (3)')
    assert.equal(reviewLink((await editor.inject({ url: '/' })).body), null)
    assert.equal(reviewLink((await test.anonymous({ url: '/' })).body), null)

    const revision = (await test.app.wiki.requirePage('erste-freigabe')).revisionId.toHexString()
    assert.equal((await reviewer.inject({ method: 'POST', url: '/review/erste-freigabe/approve', ...form({ revision }) })).statusCode, 303)
    assert.equal(reviewLink((await reviewer.inject({ url: '/review' })).body), 'Freigaben (2)')
    // Deleted pages wait no more.
    assert.equal((await editor.inject({ method: 'POST', url: '/wiki/zweite-freigabe/delete', ...form({ message: 'weg' }) })).statusCode, 303)
    assert.equal(reviewLink((await reviewer.inject({ url: '/' })).body), 'Freigaben (1)')
  })
})
