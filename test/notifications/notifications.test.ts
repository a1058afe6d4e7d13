import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { withoutSecrets } from '../../src/auth/secret-urls.ts'
import { eventually } from '../federation/instances.ts'
import { validLessonSource } from '../lessons/fixtures.ts'
import { createPage, currentRevision, form, pageSource, signIn, startTestApp, type SignedIn, type TestApp } from '../helpers.ts'

/** The header's link to the notifications, as a screen reader reads it. */
function notificationsLink (html: string): string {
  const match = /<a href="\/notifications"[^>]*>([^<]*)<\/a>/.exec(html)
  assert.ok(match !== null, 'the header links to the notifications')
  return match[1] ?? ''
}

async function headerOf (person: SignedIn): Promise<string> {
  return notificationsLink((await person.inject({ url: '/' })).body)
}

async function edit (person: SignedIn, slug: string, title: string, body: string, extra = ''): Promise<void> {
  const response = await person.inject({ url: `/api/pages/${slug}` })
  const baseRevision = response.json<{ revision: string }>().revision
  const saved = await person.inject({ method: 'POST', url: `/wiki/${slug}`, ...form({ source: pageSource(title, body, extra), baseRevision }) })
  assert.equal(saved.statusCode, 303, saved.body.slice(0, 300))
}

/** The lines of the notifications page, unread ones marked. */
async function linesOf (person: SignedIn, page = 1): Promise<string[]> {
  const response = await person.inject({ url: `/notifications?page=${page}` })
  assert.equal(response.statusCode, 200)
  return [...response.body.matchAll(/<li class="notification( unread)?">[\s\S]*?<a href="[^"]*">([^<]*)<\/a>/g)].map(match => `${match[1] === undefined ? '' : '* '}${match[2] ?? ''}`)
}

describe('watching and notifications over HTTP', () => {
  let test: TestApp
  let alice: SignedIn
  let bob: SignedIn

  before(async () => {
    test = await startTestApp()
    alice = await signIn(test.app, test.anonymous, 'alice', 'editor')
    bob = await signIn(test.app, test.anonymous, 'bob', 'editor')
  })
  after(async () => { await test.close() })

  it('tells the author of a page when someone else edits it, collapses a flood of edits, and never tells people of their own', async () => {
    const created = await alice.inject({ method: 'POST', url: '/wiki', ...form({ title: 'Mittagstisch', source: pageSource('Mittagstisch', 'Jeden Dienstag.') }) })
    assert.equal(created.statusCode, 303)
    assert.equal(await headerOf(alice), 'Benachrichtigungen')

    await edit(bob, 'mittagstisch', 'Mittagstisch', 'Jeden Dienstag und Donnerstag.')
    await eventually(async () => await headerOf(alice) === 'Benachrichtigungen (1 ungelesen)', 5000, 'alice told')
    assert.deepEqual(await linesOf(alice), ['* bob hat „Mittagstisch“ bearbeitet.'])
    // Bob's own edit tells him nothing, though he now watches the page he edited.
    assert.equal(await headerOf(bob), 'Benachrichtigungen')
    assert.deepEqual(await linesOf(bob), [])

    await edit(bob, 'mittagstisch', 'Mittagstisch', 'Dienstag, Donnerstag.')
    await edit(bob, 'mittagstisch', 'Mittagstisch', 'Dienstag, Donnerstag, Freitag.')
    await eventually(async () => (await linesOf(alice))[0] === '* bob hat „Mittagstisch“ bearbeitet. (3-mal)', 5000, 'collapsed')
    assert.equal(await headerOf(alice), 'Benachrichtigungen (1 ungelesen)')

    await edit(alice, 'mittagstisch', 'Mittagstisch', 'Dienstag bis Freitag.')
    await eventually(async () => await headerOf(bob) === 'Benachrichtigungen (1 ungelesen)', 5000, 'bob told')
    assert.deepEqual(await linesOf(alice), ['* bob hat „Mittagstisch“ bearbeitet. (3-mal)'])
  })

  it('marks one notification read, then all', async () => {
    await createPage(test.app, 'Kleiderkammer', 'Offen.')
    await alice.inject({ method: 'POST', url: '/notifications/watch', ...form({ kind: 'page', key: 'kleiderkammer', watch: 'yes' }) })
    await edit(bob, 'kleiderkammer', 'Kleiderkammer', 'Montags offen.')
    await eventually(async () => await headerOf(alice) === 'Benachrichtigungen (2 ungelesen)', 5000, 'two unread')
    const page = (await alice.inject({ url: '/notifications' })).body
    const id = /action="\/notifications\/([0-9a-f]{24})\/read"/.exec(page)?.[1]
    assert.ok(id !== undefined)
    const read = await alice.inject({ method: 'POST', url: `/notifications/${id}/read` })
    assert.equal(read.statusCode, 303)
    assert.equal(await headerOf(alice), 'Benachrichtigungen (1 ungelesen)')
    // Another person's notification cannot be marked by someone else.
    const bobsPage = (await bob.inject({ url: '/notifications' })).body
    const bobsId = /action="\/notifications\/([0-9a-f]{24})\/read"/.exec(bobsPage)?.[1]
    assert.ok(bobsId !== undefined)
    await alice.inject({ method: 'POST', url: `/notifications/${bobsId}/read` })
    assert.equal(await headerOf(bob), 'Benachrichtigungen (1 ungelesen)')

    const all = await alice.inject({ method: 'POST', url: '/notifications/read-all' })
    assert.equal(all.statusCode, 303)
    assert.equal(await headerOf(alice), 'Benachrichtigungen')
    assert.ok((await linesOf(alice)).every(line => !line.startsWith('* ')))
  })

  it('watches with the button on the page, and stops watching with it', async () => {
    const page = await createPage(test.app, 'Sprachcafé', 'Jeden Mittwoch.')
    const view = await bob.inject({ url: `/wiki/${page.slug}` })
    assert.match(view.body, /<button type="submit">Diese Seite beobachten<\/button>/)
    const watch = await bob.inject({ method: 'POST', url: '/notifications/watch', ...form({ kind: 'page', key: page.slug, watch: 'yes' }) })
    assert.equal(watch.statusCode, 303)
    assert.equal(watch.headers.location, `/wiki/${page.slug}`)
    assert.match((await bob.inject({ url: `/wiki/${page.slug}` })).body, /Sie beobachten diese Seite\.<\/span>\s*<button type="submit">Diese Seite nicht mehr beobachten<\/button>/)
    await bob.inject({ method: 'POST', url: '/notifications/read-all' })
    await edit(alice, page.slug, 'Sprachcafé', 'Jeden Mittwoch, 15 Uhr.')
    await eventually(async () => (await linesOf(bob))[0] === '* alice hat „Sprachcafé“ bearbeitet.', 5000, 'bob told')

    await bob.inject({ method: 'POST', url: '/notifications/watch', ...form({ kind: 'page', key: page.slug, watch: 'no' }) })
    await bob.inject({ method: 'POST', url: '/notifications/read-all' })
    await edit(test.admin!, page.slug, 'Sprachcafé', 'Mittwochs.')
    await edit(alice, page.slug, 'Sprachcafé', 'Mittwochs, 15 Uhr.')
    // Alice is told of the admin's edit; by then Bob would have been told too.
    await eventually(async () => (await linesOf(alice))[0] === '* admin hat „Sprachcafé“ bearbeitet.', 5000, 'alice told')
    assert.equal(await headerOf(bob), 'Benachrichtigungen')
  })

  it('lists watched pages under their current title and address, and lets a deleted one be unwatched', async () => {
    const page = await createPage(test.app, 'Lesepaten', 'Vorlesen.')
    await bob.inject({ method: 'POST', url: '/notifications/watch', ...form({ kind: 'page', key: page.slug, watch: 'yes' }) })
    const renamed = await test.app.inject({ method: 'POST', url: `/wiki/${page.slug}/rename`, ...form({ title: 'Lesepatenschaften', baseRevision: page.revision }) })
    assert.equal(renamed.statusCode, 303)
    await eventually(async () => (await bob.inject({ url: '/notifications/watching' })).body.includes('<a href="/wiki/lesepatenschaften">Lesepatenschaften</a>'), 5000, 'the new title listed')
    const deleted = await test.app.inject({ method: 'POST', url: '/wiki/lesepatenschaften/delete', ...form({ message: '' }) })
    assert.equal(deleted.statusCode, 303)
    await eventually(async () => (await linesOf(bob)).includes('* admin hat „Lesepatenschaften“ gelöscht.'), 5000, 'told of the delete')
    assert.equal((await bob.inject({ method: 'POST', url: '/notifications/watch', ...form({ kind: 'page', key: 'lesepatenschaften', watch: 'yes' }) })).statusCode, 410)
    const unwatched = await bob.inject({ method: 'POST', url: '/notifications/watch', ...form({ kind: 'page', key: 'lesepatenschaften', watch: 'no' }) })
    assert.equal(unwatched.statusCode, 303)
    assert.equal(unwatched.headers.location, '/notifications/watching')
    assert.doesNotMatch((await bob.inject({ url: '/notifications/watching' })).body, /Lesepatenschaften/)
  })

  it('lets a person stop watching the pages they edit', async () => {
    const carol = await signIn(test.app, test.anonymous, 'carol', 'editor')
    const saved = await carol.inject({ method: 'POST', url: '/notifications/preferences', ...form({}) })
    assert.equal(saved.statusCode, 200)
    assert.doesNotMatch(saved.body, /id="watch-edited"[^>]*checked/)
    const page = await createPage(test.app, 'Schuldnerberatung', 'Termine.')
    await edit(carol, page.slug, 'Schuldnerberatung', 'Termine nach Absprache.')
    await edit(alice, page.slug, 'Schuldnerberatung', 'Termine nach Absprache, auch abends.')
    // The author is told of both edits in one line, named by the latest.
    await eventually(async () => (await linesOf(test.admin!)).includes('* alice hat „Schuldnerberatung“ bearbeitet. (2-mal)'), 5000, 'the author told')
    assert.deepEqual(await linesOf(carol), [])
  })

  it('tells the watchers of a tag of new pages with it, and reviewers of review requests, and the author of the approval', async () => {
    await alice.inject({ method: 'POST', url: '/notifications/watch', ...form({ kind: 'tag', key: 'Ehrenamt', watch: 'yes' }) })
    const watching = await alice.inject({ url: '/notifications/watching' })
    assert.match(watching.body, /<td>Schlagwort<\/td>\s*<td>Ehrenamt<\/td>/)
    await bob.inject({ method: 'POST', url: '/wiki', ...form({ title: 'Besuchsdienst', source: pageSource('Besuchsdienst', 'Wir besuchen.', 'tags: [ehrenamt, Alter]\n') }) })
    await eventually(async () => (await linesOf(alice))[0] === '* bob hat die Seite „Besuchsdienst“ angelegt.', 5000, 'tag watcher told')

    await test.app.inject({ method: 'PUT', url: '/api/settings', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ reviewRequired: true }) })
    const reviewer = await signIn(test.app, test.anonymous, 'rita', 'reviewer')
    const asked = await bob.inject({ method: 'POST', url: '/wiki', ...form({ title: 'Öffentlicher Bericht', source: pageSource('Öffentlicher Bericht', 'Für alle.', 'visibility: public\n'), confirmPublication: 'yes' }) })
    assert.equal(asked.statusCode, 303, asked.body.slice(0, 300))
    await eventually(async () => (await linesOf(reviewer)).includes('* bob bittet um Freigabe von „Öffentlicher Bericht“.'), 5000, 'reviewer asked')
    assert.ok((await linesOf(test.admin!)).includes('* bob bittet um Freigabe von „Öffentlicher Bericht“.'))
    assert.ok(!(await linesOf(bob)).some(line => line.includes('Freigabe')))
    const slug = String(asked.headers.location).replace('/wiki/', '')
    const approved = await reviewer.inject({ method: 'POST', url: `/review/${slug}/approve`, ...form({ revision: await currentRevision(test.app, slug) }) })
    assert.equal(approved.statusCode, 303, approved.body.slice(0, 300))
    await eventually(async () => (await linesOf(bob)).includes('* rita hat „Öffentlicher Bericht“ freigegeben.'), 5000, 'author told of the approval')
  })

  it('tells the watchers of a field of practice of a new lesson in it, and not of one in another field', async () => {
    const erik = await signIn(test.app, test.anonymous, 'erik', 'reader')
    await erik.inject({ method: 'POST', url: '/notifications/watch', ...form({ kind: 'field', key: 'Familienhilfe', watch: 'yes' }) })
    await test.app.wiki.createPage({ source: validLessonSource({ title: 'Mittagstisch für Familien', field: 'Quartiersarbeit', tags: '[essen]' }), author: 'bob' })
    await test.app.wiki.createPage({ source: validLessonSource({ tags: '[abend]' }), author: 'bob' })
    await eventually(async () => (await linesOf(erik)).length > 0, 5000, 'erik told')
    assert.deepEqual(await linesOf(erik), ['* bob hat die Lektion „Elternkurs am Abend“ geschrieben.'])
  })

  it('tells nobody whose account is disabled', async () => {
    const dora = await signIn(test.app, test.anonymous, 'dora', 'editor')
    const page = await createPage(test.app, 'Hausaufgabenhilfe', 'Nachmittags.')
    await dora.inject({ method: 'POST', url: '/notifications/watch', ...form({ kind: 'page', key: page.slug, watch: 'yes' }) })
    await alice.inject({ method: 'POST', url: '/notifications/watch', ...form({ kind: 'page', key: page.slug, watch: 'yes' }) })
    await test.app.auth.accounts.setDisabled('dora', true)
    await alice.inject({ method: 'POST', url: '/notifications/read-all' })
    await edit(bob, page.slug, 'Hausaufgabenhilfe', 'Nachmittags, außer freitags.')
    await eventually(async () => (await linesOf(alice))[0] === '* bob hat „Hausaufgabenhilfe“ bearbeitet.', 5000, 'alice told')
    assert.equal(await test.app.store.db.collection('notifications').countDocuments({ recipient: 'dora' }), 0)
  })

  it('pages through many notifications, fifty at a time', async () => {
    for (let index = 0; index < 55; index++) {
      await test.app.notifications.notify({ recipient: 'bob', kind: 'page.edited', subject: { type: 'page', id: `subject-${index}`, title: `Seite ${index}`, href: `/wiki/seite-${index}`, visibility: 'local' }, actor: 'alice' })
    }
    const first = await bob.inject({ url: '/notifications' })
    assert.match(first.body, /<a rel="next" href="\/notifications\?page=2">Ältere<\/a>/)
    assert.equal((await linesOf(bob)).length, 50)
    const second = await linesOf(bob, 2)
    assert.ok(second.length >= 5 && second.length < 50, `second page has ${second.length}`)
  })

  it('serves a private Atom feed at a secret address, refuses a wrong or revoked secret, and keeps the secret out of the log', async () => {
    const made = await alice.inject({ method: 'POST', url: '/notifications/feed' })
    assert.equal(made.statusCode, 200)
    const address = /<code class="secret">http:\/\/wiki\.test(\/notifications\/feed\/[A-Za-z0-9_-]+)<\/code>/.exec(made.body)?.[1]
    assert.ok(address !== undefined, 'the page shows the address once')
    const feed = await test.anonymous({ url: address })
    assert.equal(feed.statusCode, 200)
    assert.match(String(feed.headers['content-type']), /^application\/atom\+xml/)
    assert.match(feed.body, /^<\?xml version="1.0" encoding="utf-8"\?>\n<feed xmlns="http:\/\/www.w3.org\/2005\/Atom" xml:lang="de">/)
    assert.match(feed.body, /<entry>\s*<id>urn:praxiswiki:notification:[0-9a-f]{24}:3<\/id>\s*<title>bob hat „Mittagstisch“ bearbeitet\. \(3-mal\)<\/title>\s*<link rel="alternate" type="text\/html" href="http:\/\/wiki\.test\/wiki\/mittagstisch"\/>/)
    assert.doesNotMatch(feed.body, /Benachrichtigungen für bob/)
    assert.equal((await alice.inject({ url: '/notifications/watching' })).body.includes(address), false, 'shown only once')

    const wrong = `${address.slice(0, -3)}${address.endsWith('aaa') ? 'bbb' : 'aaa'}`
    assert.equal((await test.anonymous({ url: wrong })).statusCode, 404)
    assert.equal((await test.anonymous({ url: '/notifications/feed/kurz' })).statusCode, 404)
    assert.equal((await test.anonymous({ url: `/notifications/feed/${'x'.repeat(201)}` })).statusCode, 400)

    const renewed = await alice.inject({ method: 'POST', url: '/notifications/feed' })
    const newAddress = /<code class="secret">http:\/\/wiki\.test(\/notifications\/feed\/[A-Za-z0-9_-]+)<\/code>/.exec(renewed.body)?.[1]
    assert.ok(newAddress !== undefined && newAddress !== address)
    assert.equal((await test.anonymous({ url: address })).statusCode, 404)
    assert.equal((await test.anonymous({ url: newAddress })).statusCode, 200)
    assert.equal(withoutSecrets(newAddress), '/notifications/feed/[hidden]')
    const revoked = await alice.inject({ method: 'POST', url: '/notifications/feed/revoke' })
    assert.equal(revoked.statusCode, 200)
    assert.equal((await test.anonymous({ url: newAddress })).statusCode, 404)
  })

  it('refuses bad input with a 4xx and stores nothing', async () => {
    const before = await test.app.store.db.collection('watches').countDocuments({ person: 'bob' })
    const cases = [
      form({ kind: 'everything', key: 'x', watch: 'yes' }),
      form({ kind: 'tag', key: 'a\u0000b', watch: 'yes' }),
      form({ kind: 'tag', key: '   ', watch: 'yes' }),
      form({ kind: 'tag', key: 'x'.repeat(201), watch: 'yes' }),
      form({ kind: 'tag', key: 'x', watch: 'maybe' }),
      form({ kind: 'tag', key: 'x', watch: 'yes', extra: '1' })
    ]
    for (const body of cases) {
      const response = await bob.inject({ method: 'POST', url: '/notifications/watch', ...body })
      assert.equal(response.statusCode, 400, `${body.payload}: ${response.body.slice(0, 200)}`)
    }
    assert.equal((await bob.inject({ method: 'POST', url: '/notifications/watch', ...form({ kind: 'page', key: 'gibt-es-nicht', watch: 'yes' }) })).statusCode, 404)
    assert.equal((await bob.inject({ method: 'POST', url: '/notifications/not-an-id/read' })).statusCode, 400)
    assert.equal((await bob.inject({ url: '/notifications?page=0' })).statusCode, 400)
    assert.equal(await test.app.store.db.collection('watches').countDocuments({ person: 'bob' }), before)
    // Without signing in there is nothing to see.
    assert.equal((await test.anonymous({ url: '/notifications', headers: { accept: 'application/json' } })).statusCode, 401)
  })
})
