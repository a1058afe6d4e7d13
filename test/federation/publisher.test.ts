import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { ObjectId } from 'mongodb'
import { snapshot } from '../../src/wiki/events.ts'
import { startInstance, type Instance } from './instances.ts'

function sourceOf (version: number): string {
  return `---\ntitle: Sprechstunde\nvisibility: public\n---\nDie Sprechstunde ist dienstags, Fassung ${version}.\n`
}

describe('publishing saved pages', { timeout: 120_000 }, () => {
  let wiki: Instance

  before(async () => { wiki = await startInstance('publisher') })
  after(async () => { await wiki?.close() })

  it('publishes only the newest of several saves of a page that arrive before the first is published', async () => {
    const created = await wiki.app.wiki.createPage({ source: sourceOf(0) })
    await wiki.app.federation.publisher.idle()
    const articleId = wiki.app.federation.publisher.articleIdOf(created._id.toHexString())
    const streams = wiki.app.store.db.collection('streams')
    const updates = async (): Promise<number> => await streams.countDocuments({ type: 'Update', 'object.id': articleId })
    assert.equal(await updates(), 0)

    // What the publisher adds to the outbox for this page (earlier Updates leave it, so the outbox alone would not tell).
    const apex = wiki.app.federation.core.apex
    const addToOutbox = apex.addToOutbox
    const added: string[] = []
    apex.addToOutbox = async (actor: Parameters<typeof addToOutbox>[0], activity: any) => {
      if (JSON.stringify(activity.object).includes(articleId)) added.push(String(activity.type))
      return await addToOutbox.call(apex, actor, activity)
    }
    try {
      // Three saves told in one turn, as quick saves are when publishing lags behind them.
      for (const version of [1, 2, 3]) {
        wiki.app.events.emit('page.saved', { page: snapshot({ ...created, source: sourceOf(version), revisionId: new ObjectId(), updatedAt: new Date() }), kind: 'edit', previousRevisionId: created.revisionId.toHexString() })
      }
      await wiki.app.federation.publisher.idle()
    } finally {
      apex.addToOutbox = addToOutbox
    }

    assert.deepEqual(added, ['Update'])
    assert.equal(await updates(), 1)
    const article = await wiki.app.federation.core.apex.store.getObject(articleId, true)
    assert.equal(article.source[0].content[0], sourceOf(3))
  })

  it('keeps one Update of an edited page in the outbox, the newest, beside its Create', async () => {
    let page = await wiki.app.wiki.createPage({ source: sourceOf(0).replace('Sprechstunde', 'Beratung') })
    await wiki.app.federation.publisher.idle()
    const articleId = wiki.app.federation.publisher.articleIdOf(page._id.toHexString())
    for (const version of [1, 2, 3, 4]) {
      page = (await wiki.app.wiki.savePage(page.slug, { source: sourceOf(version).replace('Sprechstunde', 'Beratung'), baseRevisionId: page.revisionId.toHexString() })).page
      await wiki.app.federation.publisher.idle()
    }
    const activities = await wiki.app.store.db.collection('streams').find({ 'object.id': articleId }).toArray()
    assert.deepEqual(activities.map(activity => activity.type).sort(), ['Create', 'Update'])
    for (const activity of activities) assert.equal(activity.object[0].source[0].content[0], sourceOf(4).replace('Sprechstunde', 'Beratung'))
    const outbox = await (await fetch(`${wiki.url}/ap/outbox/wiki?page=true`, { headers: { accept: 'application/activity+json' } })).json() as { orderedItems: Array<{ type: string, object: { id?: string } | string }> }
    const aboutPage = outbox.orderedItems.filter(item => (typeof item.object === 'string' ? item.object : item.object.id) === articleId)
    assert.deepEqual(aboutPage.map(item => item.type), ['Update', 'Create'])
  })
})
