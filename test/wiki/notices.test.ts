import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createPage, form, pageSource, signIn, startTestApp, type TestApp } from '../helpers.ts'

/** The notice a page shows at the top of its content, or null. */
const noticeOf = (html: string): string | null => /<p class="notice success" role="status">([^<]*)<\/p>/.exec(html)?.[1] ?? null

describe('notices that say what a change did', () => {
  let test: TestApp
  before(async () => { test = await startTestApp({ REVIEW_REQUIRED: 'true' }) })
  after(async () => { await test.close() })

  it('says a save was stored, once, in the reader\'s language; and that nothing changed when the text was the same', async () => {
    const { slug, revision } = await createPage(test.app, 'Gesagt', 'Eins.')
    assert.equal(noticeOf((await test.app.inject({ url: `/wiki/${slug}` })).body), 'Die Seite „Gesagt“ ist angelegt.')
    const saved = await test.app.inject({ method: 'POST', url: `/wiki/${slug}`, ...form({ source: pageSource('Gesagt', 'Zwei.'), baseRevision: revision }) })
    assert.equal(saved.statusCode, 303)
    const english = await test.app.inject({ url: `/wiki/${slug}`, headers: { 'accept-language': 'en' } })
    assert.equal(noticeOf(english.body), 'Your change to “Gesagt” is saved.')
    assert.equal(noticeOf((await test.app.inject({ url: `/wiki/${slug}` })).body), null, 'shown once')
    assert.equal(noticeOf((await test.anonymous({ url: `/wiki/${slug}` })).body), null)

    const current = (await test.app.wiki.requirePage(slug)).revisionId.toHexString()
    await test.app.inject({ method: 'POST', url: `/wiki/${slug}`, ...form({ source: pageSource('Gesagt', 'Zwei.'), baseRevision: current }) })
    assert.equal(noticeOf((await test.app.inject({ url: `/wiki/${slug}` })).body), 'Nichts gespeichert: Der Text war unverändert.')
  })

  it('says which version a revert brought back', async () => {
    const { slug, revision } = await createPage(test.app, 'Zurück', 'Alt.')
    await test.app.inject({ method: 'POST', url: `/wiki/${slug}`, ...form({ source: pageSource('Zurück', 'Neu.'), baseRevision: revision }) })
    await test.app.inject({ url: `/wiki/${slug}` })
    const current = (await test.app.wiki.requirePage(slug)).revisionId.toHexString()
    const reverted = await test.app.inject({ method: 'POST', url: `/wiki/${slug}/revert`, ...form({ revision, baseRevision: current }) })
    assert.equal(reverted.statusCode, 303)
    const page = await test.app.inject({ url: `/wiki/${slug}`, headers: { 'accept-language': 'en' } })
    assert.match(noticeOf(page.body) ?? '', /^The version of .+ is back, as a new revision\.$/)
    assert.match(page.body, /<p>Alt\.<\/p>/)
  })

  it('tells an author whose wider visibility waits for review, on the page until it is approved, and the reviewer what the approval did', async () => {
    const author = await signIn(test.app, test.anonymous, 'wartend', 'editor')
    const reviewer = await signIn(test.app, test.anonymous, 'pruefend', 'reviewer')
    const created = await author.inject({ method: 'POST', url: '/wiki', ...form({ title: 'Nach außen', source: pageSource('Nach außen', 'Text.', 'visibility: public\n'), confirmPublication: 'yes' }) })
    assert.equal(created.statusCode, 303)
    const shown = await author.inject({ url: '/wiki/nach-aussen' })
    assert.equal(noticeOf(shown.body), 'Gespeichert. Die Sichtbarkeit „öffentlich“ wartet auf die Freigabe durch eine zweite Person; bis dahin bleibt die Seite lokal.')
    const waiting = /<p class="notice" role="status">([^<]*)<\/p>/
    assert.equal(waiting.exec(shown.body)?.[1], 'Ihre Änderung der Sichtbarkeit auf „öffentlich“ wartet auf die Freigabe durch eine zweite Person. Bis dahin bleibt die Seite lokal.')
    assert.equal(waiting.exec((await author.inject({ url: '/wiki/nach-aussen' })).body)?.[1] !== undefined, true, 'it stays while the review waits')
    assert.equal(waiting.exec((await reviewer.inject({ url: '/wiki/nach-aussen' })).body), null, 'only the author is told')

    const revision = (await test.app.wiki.requirePage('nach-aussen')).revisionId.toHexString()
    const approved = await reviewer.inject({ method: 'POST', url: '/review/nach-aussen/approve', ...form({ revision }) })
    assert.equal(approved.statusCode, 303)
    assert.equal(noticeOf((await reviewer.inject({ url: '/review' })).body), 'Freigegeben: „Nach außen“ ist jetzt öffentlich.')
    assert.equal(waiting.exec((await author.inject({ url: '/wiki/nach-aussen' })).body), null)
  })
})
