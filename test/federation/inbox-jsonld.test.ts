import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { followPeer, type FollowedPeer } from '../../scripts/followed-peer.ts'
import { startInstance, type Instance } from './instances.ts'

describe('JSON-LD processing of the inbox', { timeout: 120_000 }, () => {
  let wiki: Instance
  let peer: FollowedPeer

  before(async () => {
    wiki = await startInstance('jsonld')
    peer = await followPeer(wiki.app, wiki.url, 30_000)
  })
  after(async () => {
    await peer?.close()
    await wiki?.close()
  })

  const stored = async (objectId: string): Promise<number> => await wiki.app.store.db.collection('remotePages').countDocuments({ objectId })
  const streamed = async (activityId: string): Promise<number> => await wiki.app.store.db.collection('streams').countDocuments({ id: activityId })

  it('refuses a Create that JSON-LD cannot process with a 400 that says so, and stores nothing of it', async () => {
    const create = peer.createArticle('Kaputt', '<p>Ein Begriff ist falsch definiert.</p>')
    const answer = await peer.post({ ...create, '@context': ['https://www.w3.org/ns/activitystreams', { name: { '@id': 5 } }] })
    assert.equal(answer.status, 400)
    assert.match(answer.text, /^the body is not valid JSON-LD: Invalid JSON-LD syntax; a @context @id value must be/)
    assert.equal(await answer.handled, false)
    assert.equal(await streamed(String(create.id)), 0)
    assert.equal(await stored(String((create.object as { id: string }).id)), 0)
  })

  it('keeps taking in pages after its JSON-LD worker is killed', async () => {
    // Addressed to many, so that it is large enough to be compacted in a worker.
    const first: Record<string, unknown> = { ...peer.createArticle('Vorher', '<p>Vor dem Absturz.</p>'), cc: Array.from({ length: 1000 }, (_, n) => `https://elsewhere.example/users/u${n}`) }
    const before = await peer.post(first)
    assert.equal(before.status, 200)
    assert.equal(await before.handled, true)
    const threads = wiki.app.federation.core.jsonld.threadsForTests()
    assert.ok(threads.length > 0, 'a worker has compacted the first page')
    await Promise.all(threads.map(async thread => await thread.terminate()))
    const second: Record<string, unknown> = { ...peer.createArticle('Nachher', '<p>Nach dem Absturz.</p>'), cc: Array.from({ length: 1000 }, (_, n) => `https://elsewhere.example/users/u${n}`) }
    const afterwards = await peer.post(second)
    assert.equal(afterwards.status, 200)
    assert.equal(await afterwards.handled, true)
    assert.equal(await stored(String((second.object as { id: string }).id)), 1)
    assert.equal(wiki.app.federation.core.jsonld.threadsForTests().length, 1, 'a new worker compacted the second')
  })
})
