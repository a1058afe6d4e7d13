import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { cookieOf, createPage, csrfTokenOf, currentRevision, form, pageSource, signIn, TEST_PASSWORD, type SignedIn, type TestApp, startTestApp } from '../helpers.ts'

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

  it('gives two people reading the same page in turns each their own name and a token only their own session accepts', async () => {
    const anna = await signIn(test.app, test.anonymous, 'anna-im-wechsel', 'editor')
    const ben = await signIn(test.app, test.anonymous, 'ben-im-wechsel', 'editor')
    const tokens: Record<'anna' | 'ben', string[]> = { anna: [], ben: [] }
    for (let round = 0; round < 3; round++) {
      for (const [name, person, other] of [['anna', anna, ben], ['ben', ben, anna]] as const) {
        const body = (await person.inject({ url: `/wiki/${slug}`, headers: { 'accept-encoding': 'identity' } })).body
        assert.match(body, new RegExp(person.username), `round ${round}: ${name} sees their own name`)
        assert.doesNotMatch(body, new RegExp(other.username), `round ${round}: ${name} never sees the other's name`)
        tokens[name].push(csrfTokenOf(body))
      }
    }
    // A form sent with only the cookie and the token the kept page gave (no helper's header).
    const post = async (cookie: string, token: string) => await test.anonymous({ method: 'POST', url: '/notifications/read-all', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ _csrf: token }).toString() })
    assert.equal((await post(anna.cookie, tokens.anna.at(-1)!)).statusCode, 303, 'anna\'s kept page carries a token of her session')
    assert.equal((await post(ben.cookie, tokens.ben.at(-1)!)).statusCode, 303, 'ben\'s kept page carries a token of his session')
    assert.equal((await post(ben.cookie, tokens.anna.at(-1)!)).statusCode, 403, 'anna\'s token is no good for ben\'s session')
    assert.equal((await post(anna.cookie, tokens.ben.at(-1)!)).statusCode, 403, 'ben\'s token is no good for anna\'s session')
  })

  it('answers a signed-in person\'s repeated view of an unchanged page without asking the wiki again', async () => {
    const editor = await signIn(test.app, test.anonymous, 'schnell', 'editor')
    const resolve = test.app.wiki.resolve
    let lookups = 0
    test.app.wiki.resolve = async (...args: Parameters<typeof resolve>) => {
      lookups++
      return await resolve(...args)
    }
    try {
      const first = await viewTwice(editor, `/wiki/${slug}`)
      lookups = 0
      const again = await editor.inject({ url: `/wiki/${slug}`, headers: { 'accept-encoding': 'identity' } })
      assert.equal(again.body, first)
      assert.equal(lookups, 0, 'a kept answer does not ask the wiki for the page')
    } finally {
      test.app.wiki.resolve = resolve
    }
  })

  it('keeps nothing for a session that names nobody (a visitor who only opened the sign-in form)', async () => {
    const resolve = test.app.wiki.resolve
    let lookups = 0
    test.app.wiki.resolve = async (...args: Parameters<typeof resolve>) => {
      lookups++
      return await resolve(...args)
    }
    try {
      const visitor = { cookie: cookieOf(await test.anonymous({ url: '/login' })) }
      for (let view = 0; view < 3; view++) assert.equal((await test.anonymous({ url: `/wiki/${slug}`, headers: visitor })).statusCode, 200)
      assert.equal(lookups, 3, 'each view with a session of nobody is rendered')
    } finally {
      test.app.wiki.resolve = resolve
    }
  })

  it('shows a new notification in the header on the next view, and its reading too', async () => {
    const editor = await signIn(test.app, test.anonymous, 'benachrichtigt', 'editor')
    const header = (html: string) => /<a href="\/notifications"[^>]*>([^<]*)<\/a>/.exec(html)?.[1] ?? ''
    assert.equal(header(await viewTwice(editor, `/wiki/${slug}`)), 'Benachrichtigungen')
    await test.app.notifications.notify({ recipient: editor.username, kind: 'page.edited', subject: { type: 'page', id: 'neu-1', title: 'Gemeinsam kochen', href: `/wiki/${slug}`, visibility: 'local' }, actor: 'admin' })
    const told = await editor.inject({ url: `/wiki/${slug}`, headers: { 'accept-encoding': 'identity' } })
    assert.equal(header(told.body), 'Benachrichtigungen (1 ungelesen)')
    assert.equal(header((await editor.inject({ url: `/wiki/${slug}`, headers: { 'accept-encoding': 'identity' } })).body), 'Benachrichtigungen (1 ungelesen)')
    assert.equal((await editor.inject({ method: 'POST', url: '/notifications/read-all', ...form({}) })).statusCode, 303)
    assert.equal(header((await editor.inject({ url: `/wiki/${slug}`, headers: { 'accept-encoding': 'identity' } })).body), 'Benachrichtigungen')
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
