import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createPage, currentRevision, form, pageSource, signIn, TEST_PASSWORD, type SignedIn, type TestApp, startTestApp } from '../helpers.ts'

/** Views a page twice, so the second answer is one the caches could give. */
async function viewTwice (person: SignedIn, url: string): Promise<string> {
  await person.inject({ url })
  const response = await person.inject({ url, headers: { 'accept-encoding': 'identity' } })
  assert.equal(response.statusCode, 200, response.body.slice(0, 300))
  return response.body
}

const newPageLink = /<a href="\/wiki\/new"/
const signOutForm = /action="\/logout"/

describe('signed-in page views, kept between requests, change at once', () => {
  let test: TestApp
  let admin: SignedIn
  let slug: string
  let localSlug: string

  before(async () => {
    test = await startTestApp()
    admin = test.admin!
    slug = (await createPage(test.app, 'Gemeinsam kochen', 'Jeden Dienstag.', 'visibility: public\n')).slug
    localSlug = (await createPage(test.app, 'Interne Notiz', 'Nur für uns.')).slug
  })

  after(async () => { await test.close() })

  it('shows each person their own name and editing links on the same page', async () => {
    const editor = await signIn(test.app, test.anonymous, 'redakteurin', 'editor')
    const reader = await signIn(test.app, test.anonymous, 'leserin', 'reader')
    const asEditor = await viewTwice(editor, `/wiki/${slug}`)
    const asReader = await viewTwice(reader, `/wiki/${slug}`)
    assert.match(asEditor, /redakteurin/)
    assert.doesNotMatch(asEditor, /leserin/)
    assert.match(asEditor, newPageLink)
    assert.match(asReader, /leserin/)
    assert.doesNotMatch(asReader, /redakteurin/)
    assert.doesNotMatch(asReader, newPageLink)
    assert.equal(/name="_csrf" value="([^"]+)"/.exec(asEditor)?.[1] === undefined, false, 'the editor\'s page has a sign-out form with a token')
  })

  it('signs out at once: the same cookie then sees the page as anyone does, and no local page', async () => {
    const editor = await signIn(test.app, test.anonymous, 'abmelden', 'editor')
    assert.match(await viewTwice(editor, `/wiki/${slug}`), /abmelden/)
    assert.equal((await editor.inject({ url: `/wiki/${localSlug}` })).statusCode, 200)
    const out = await editor.inject({ method: 'POST', url: '/logout', ...form({ _csrf: editor.csrfToken }) })
    assert.equal(out.statusCode, 303)
    const after = await editor.inject({ url: `/wiki/${slug}`, headers: { 'accept-encoding': 'identity' } })
    assert.equal(after.statusCode, 200)
    assert.doesNotMatch(after.body, /abmelden/)
    assert.doesNotMatch(after.body, signOutForm)
    assert.match(after.body, /href="\/login"/)
    assert.notEqual((await editor.inject({ url: `/wiki/${localSlug}` })).statusCode, 200)
  })

  it('takes a role change into account on the next view', async () => {
    const editor = await signIn(test.app, test.anonymous, 'rollenwechsel', 'editor')
    assert.match(await viewTwice(editor, `/wiki/${slug}`), newPageLink)
    const changed = await admin.inject({ method: 'POST', url: '/admin/accounts/rollenwechsel/role', ...form({ role: 'reader', confirm: 'yes' }) })
    assert.equal(changed.statusCode, 200)
    const after = await editor.inject({ url: `/wiki/${slug}`, headers: { 'accept-encoding': 'identity' } })
    assert.equal(after.statusCode, 200)
    assert.match(after.body, /rollenwechsel/)
    assert.doesNotMatch(after.body, newPageLink)
  })

  it('ends other sessions at once when the password changes', async () => {
    const first = await signIn(test.app, test.anonymous, 'passwort', 'editor')
    assert.match(await viewTwice(first, `/wiki/${slug}`), signOutForm)
    const second = await signIn(test.app, test.anonymous, 'passwort', 'editor')
    const changed = await second.inject({ method: 'POST', url: '/account/password', ...form({ current: TEST_PASSWORD, password: 'ein ganz anderes langes Passwort' }) })
    assert.equal(changed.statusCode, 200)
    const after = await first.inject({ url: `/wiki/${slug}`, headers: { 'accept-encoding': 'identity' } })
    assert.doesNotMatch(after.body, signOutForm)
    assert.match(after.body, /href="\/login"/)
  })

  it('turns a link to a missing page into a plain link at once when that page is created', async () => {
    const editor = await signIn(test.app, test.anonymous, 'verlinkt', 'editor')
    const linking = (await createPage(test.app, 'Mit Verweis', 'Siehe [[Noch nicht da]].', 'visibility: public\n')).slug
    assert.match(await viewTwice(editor, `/wiki/${linking}`), /class="wiki-link new"[^>]*href="\/wiki\/noch-nicht-da\/edit/)
    await createPage(test.app, 'Noch nicht da', 'Jetzt schon.', 'visibility: public\n')
    const after = await editor.inject({ url: `/wiki/${linking}`, headers: { 'accept-encoding': 'identity' } })
    assert.doesNotMatch(after.body, /class="wiki-link new"/)
    assert.match(after.body, /href="\/wiki\/noch-nicht-da"/)
  })

  it('shows an edit at once to someone who viewed the page before', async () => {
    const editor = await signIn(test.app, test.anonymous, 'wiederkehrend', 'editor')
    assert.doesNotMatch(await viewTwice(editor, `/wiki/${slug}`), /Jetzt auch donnerstags/)
    const saved = await admin.inject({ method: 'POST', url: `/wiki/${slug}`, ...form({ source: pageSource('Gemeinsam kochen', 'Jetzt auch donnerstags.', 'visibility: public\n'), baseRevision: await currentRevision(test.app, slug) }) })
    assert.equal(saved.statusCode, 303)
    const after = await editor.inject({ url: `/wiki/${slug}`, headers: { 'accept-encoding': 'identity' } })
    assert.match(after.body, /Jetzt auch donnerstags/)
  })

  it('sends a kept page compressed to browsers that accept it, the same text as uncompressed', async () => {
    const editor = await signIn(test.app, test.anonymous, 'komprimiert', 'editor')
    const plain = await viewTwice(editor, `/wiki/${slug}`)
    const compressed = await editor.inject({ url: `/wiki/${slug}`, headers: { 'accept-encoding': 'br' } })
    assert.equal(compressed.headers['content-encoding'], 'br')
    const { brotliDecompressSync } = await import('node:zlib')
    assert.equal(brotliDecompressSync(compressed.rawPayload).toString(), plain)
    assert.match(String(compressed.headers.vary), /accept-encoding/i)
  })
})
