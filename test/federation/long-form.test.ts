import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { startInstance, type Instance } from './instances.ts'

const PUBLIC = 'https://www.w3.org/ns/activitystreams#Public'

async function articleAt (instance: Instance, slug: string): Promise<Record<string, any>> {
  const response = await fetch(`${instance.url}/wiki/${slug}`, { headers: { accept: 'application/activity+json' } })
  assert.equal(response.status, 200)
  return await response.json() as Record<string, any>
}

// Words of six letters and a space: a cut anywhere but at a boundary leaves a piece of a word.
const longSummary = Array.from({ length: 120 }, (_, index) => `Wort${String(index).padStart(2, '0')}`).join(' ')

describe('the Article other servers receive (FEP-b2b8)', { timeout: 120_000 }, () => {
  let wiki: Instance

  before(async () => { wiki = await startInstance('longform') })
  after(async () => { await wiki?.close() })

  it('has a plain name, a plain summary cut at a word within 500 characters, an HTML link, the Markdown source and a quote policy', async () => {
    const source = `---\ntitle: Mittagstisch <em>im</em> Quartier\nvisibility: public\nsummary: "${longSummary}"\n---\nErster Absatz mit **Fettem**.\n\nZweiter Absatz.\n`
    const created = await wiki.app.wiki.createPage({ source })
    await wiki.app.federation.publisher.idle()
    const article = await articleAt(wiki, created.slug)

    assert.equal(article.type, 'Article')
    assert.equal(article.name, 'Mittagstisch im Quartier')
    assert.ok(article.summary.length <= 500, `summary of ${article.summary.length} characters`)
    assert.ok(article.summary.length > 400, 'the summary uses the room it has')
    assert.ok(article.summary.endsWith('…'), 'an ellipsis says it was cut')
    assert.ok(longSummary.startsWith(article.summary.slice(0, -1)), 'the summary is the start of the page\'s own summary')
    assert.match(article.summary, /Wort\d\d…$/, 'cut after a whole word')
    assert.doesNotMatch(article.summary, /<|&[a-z]+;/, 'plain text')
    assert.deepEqual(article.url, { type: 'Link', href: `${wiki.url}/wiki/${created.slug}`, mediaType: 'text/html' })
    assert.equal(article.mediaType, 'text/html')
    assert.match(article.content, /<strong>Fettem<\/strong>/)
    assert.deepEqual(article.source, { content: source, mediaType: 'text/markdown' })
    assert.equal(article.updated, undefined, 'a page never edited has no `updated`, which Mastodon would show as edited')
    // JSON-LD compacts the public collection to `as:Public`, one of the three spellings Mastodon's StatusParser accepts.
    assert.deepEqual(article.interactionPolicy, { canQuote: { automaticApproval: 'as:Public' } })
    assert.ok([PUBLIC, 'as:Public'].some(address => article.to.includes(address)), 'addressed to everyone')
  })

  it('takes the first paragraph as summary when the page has none, and says `updated` after an edit', async () => {
    const first = `Wir haben im Stadtteil einen Mittagstisch eröffnet, & er war voll. ${'Mehr dazu folgt. '.repeat(40)}`
    const created = await wiki.app.wiki.createPage({ source: `---\ntitle: Ohne Zusammenfassung\nvisibility: public\n---\n${first}\n\nZweiter Absatz, nicht in der Zusammenfassung.\n` })
    await wiki.app.federation.publisher.idle()
    const article = await articleAt(wiki, created.slug)
    assert.ok(article.summary.startsWith('Wir haben im Stadtteil einen Mittagstisch eröffnet, & er war voll.'), article.summary)
    assert.ok(article.summary.length <= 500)
    assert.doesNotMatch(article.summary, /Zweiter Absatz/)

    await wiki.app.wiki.savePage(created.slug, { source: '---\ntitle: Ohne Zusammenfassung\nvisibility: public\n---\nKurz.\n', baseRevisionId: created.revisionId.toHexString() })
    await wiki.app.federation.publisher.idle()
    const edited = await articleAt(wiki, created.slug)
    assert.equal(edited.summary, 'Kurz.')
    assert.ok(typeof edited.updated === 'string', 'an edited page says when')
    assert.ok(Date.parse(edited.updated) > Date.parse(edited.published))
  })

  it('offers no quotes of a page shown to followers only', async () => {
    const created = await wiki.app.wiki.createPage({ source: '---\ntitle: Nur für Folgende\nvisibility: unlisted\n---\nText.\n' })
    await wiki.app.federation.publisher.idle()
    const stored = await wiki.app.federation.core.apex.store.getObject(wiki.app.federation.publisher.articleIdOf(created._id.toHexString()))
    assert.equal(stored.type, 'Article')
    assert.equal(stored.interactionPolicy, undefined)
  })
})
