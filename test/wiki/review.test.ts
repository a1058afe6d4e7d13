import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { form, signIn, startTestApp, type Inject, type TestApp } from '../helpers.ts'

const source = (title: string, visibility: string, body: string) => `---\ntitle: ${title}\nvisibility: ${visibility}\n---\n${body}\n`

/** The review queue's row for one page, as a reviewer's browser gets it. */
const queueRow = async (inject: Inject, slug: string): Promise<string> => {
  const queue = await inject({ url: '/review' })
  assert.equal(queue.statusCode, 200)
  return new RegExp(`<tr>\\s*<td><a href="/wiki/${slug}">[\\s\\S]*?</tr>`).exec(queue.body)?.[0] ?? ''
}

/** The revision the row's approve form names, or '' without a form. */
const formRevision = (row: string): string => /name="revision" value="([0-9a-f]{24})"/.exec(row)?.[1] ?? ''

const approve = async (inject: Inject, slug: string, revision: string) =>
  await inject({ method: 'POST', url: `/review/${slug}/approve`, payload: JSON.stringify({ revision }), headers: { 'content-type': 'application/json', accept: 'application/json' } })

describe('four-eyes review of the revision the reviewer saw', () => {
  let test: TestApp
  before(async () => { test = await startTestApp({ REVIEW_REQUIRED: 'true' }) })
  after(async () => { await test.close() })

  const edit = async (inject: Inject, slug: string, text: string) => {
    const page = await test.app.wiki.requirePage(slug)
    const response = await inject({ method: 'POST', url: `/wiki/${slug}`, ...form({ source: text, baseRevision: page.revisionId.toHexString(), confirmPublication: 'yes' }) })
    assert.equal(response.statusCode, 303, response.body.slice(0, 300))
    return (await test.app.wiki.requirePage(slug)).revisionId.toHexString()
  }

  it('refuses an approval of a revision the author changed since, and keeps the newer one waiting', async () => {
    const author = await signIn(test.app, test.anonymous, 'stale-author', 'editor')
    const reviewer = await signIn(test.app, test.anonymous, 'stale-reviewer', 'reviewer')
    const created = await author.inject({ method: 'POST', url: '/wiki', ...form({ title: 'Elterncafé', source: source('Elterncafé', 'public', 'Was wir gelernt haben.'), confirmPublication: 'yes' }) })
    assert.equal(created.statusCode, 303)

    const seen = formRevision(await queueRow(reviewer.inject, 'elterncafe'))
    assert.equal(seen, (await test.app.wiki.requirePage('elterncafe')).revisionId.toHexString())
    const newer = await edit(author.inject, 'elterncafe', source('Elterncafé', 'public', 'Was wir gelernt haben. Klientin Maria Muster, maria.muster@example.org'))

    const stale = await reviewer.inject({ method: 'POST', url: '/review/elterncafe/approve', ...form({ revision: seen }) })
    assert.equal(stale.statusCode, 409)
    assert.match(stale.body, /wurde geändert, nachdem Sie sie zur Freigabe geöffnet haben/)
    assert.equal((await approve(reviewer.inject, 'elterncafe', seen)).json<{ error: string }>().error, 'approval-outdated')
    const waiting = await test.app.wiki.requirePage('elterncafe')
    assert.equal(waiting.fields.visibility, 'local')
    assert.equal(waiting.review?.requested, 'public')
    assert.equal(waiting.review?.revisionId.toHexString(), newer)
    assert.equal((await test.anonymous({ url: '/api/pages/elterncafe' })).statusCode, 401)

    // The queue now offers the newer revision, and the whole text since nothing was approved before.
    const row = await queueRow(reviewer.inject, 'elterncafe')
    assert.equal(formRevision(row), newer)
    assert.match(row, new RegExp(`href="/wiki/elterncafe/revisions/${newer}">Ganzer Text`))
    const approved = await reviewer.inject({ method: 'POST', url: '/review/elterncafe/approve', ...form({ revision: newer }) })
    assert.equal(approved.statusCode, 303)
    const published = await test.app.wiki.requirePage('elterncafe')
    assert.equal(published.fields.visibility, 'public')
    assert.equal(published.approval?.revisionId?.toHexString(), newer)
    assert.equal((await test.anonymous({ url: '/api/pages/elterncafe' })).statusCode, 200)
  })

  it('refuses a reviewer who wrote any revision since the last approval, and no longer after it', async () => {
    const author = await signIn(test.app, test.anonymous, 'part-author', 'editor')
    const helper = await signIn(test.app, test.anonymous, 'part-reviewer', 'reviewer')
    const third = await signIn(test.app, test.anonymous, 'third-reviewer', 'reviewer')
    const created = await author.inject({ method: 'POST', url: '/wiki', ...form({ title: 'Mittagstisch', source: source('Mittagstisch', 'public', 'Erste Fassung.'), confirmPublication: 'yes' }) })
    assert.equal(created.statusCode, 303)
    await edit(helper.inject, 'mittagstisch', source('Mittagstisch', 'public', 'Erste Fassung, ergänzt.'))
    // The author saves last, so the request is the author's: the reviewer's part must still count.
    const last = await edit(author.inject, 'mittagstisch', source('Mittagstisch', 'public', 'Zweite Fassung, ergänzt.'))
    assert.equal((await test.app.wiki.requirePage('mittagstisch')).review?.requestedBy, 'part-author')

    assert.equal(formRevision(await queueRow(helper.inject, 'mittagstisch')), '')
    const refused = await approve(helper.inject, 'mittagstisch', last)
    assert.equal(refused.statusCode, 403)
    assert.equal(refused.json<{ error: string }>().error, 'own-publication')
    assert.equal((await test.app.wiki.requirePage('mittagstisch')).fields.visibility, 'local')

    assert.equal(formRevision(await queueRow(third.inject, 'mittagstisch')), last)
    assert.equal((await approve(third.inject, 'mittagstisch', last)).statusCode, 303)
    assert.equal((await test.app.wiki.requirePage('mittagstisch')).fields.visibility, 'public')

    // Narrowed and widened again by the author alone: what the reviewer wrote was approved already.
    await edit(author.inject, 'mittagstisch', source('Mittagstisch', 'local', 'Dritte Fassung.'))
    const again = await edit(author.inject, 'mittagstisch', source('Mittagstisch', 'public', 'Dritte Fassung.'))
    const row = await queueRow(helper.inject, 'mittagstisch')
    assert.equal(formRevision(row), again)
    assert.match(row, new RegExp(`href="/wiki/mittagstisch/diff\\?from=${last}&amp;to=${again}">Änderungen seit der letzten Freigabe`))
    assert.equal((await approve(helper.inject, 'mittagstisch', again)).statusCode, 303)
    assert.equal((await test.app.wiki.requirePage('mittagstisch')).approval?.by, 'part-reviewer')
  })

  it('answers an approval without the revision it names with 400', async () => {
    const reviewer = await signIn(test.app, test.anonymous, 'form-reviewer', 'reviewer')
    const response = await reviewer.inject({ method: 'POST', url: '/review/elterncafe/approve', ...form({}) })
    assert.equal(response.statusCode, 400)
  })
})
