import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { signIn } from '../helpers.ts'
import { eventually, handledBy, startInstance, type Instance } from './instances.ts'
import { makeKeyPair, signedPost, startFakeServer, type FakeServer, type KeyPair } from './peer.ts'
import { mastodonActorWithConsent, signedBy } from './fediverse-fixtures.ts'

const accepted = (status: number): boolean => status >= 200 && status < 300

describe('consent to search (indexable, FEP-5feb)', { timeout: 180_000 }, () => {
  let wiki: Instance
  let fake: FakeServer
  const keys: KeyPair = makeKeyPair()
  let actorId: string

  const post = async (activity: Record<string, unknown>): Promise<void> => {
    const handled = handledBy(wiki, activity.id as string)
    const answer = await signedPost(`${wiki.url}/ap/inbox/wiki`, JSON.stringify(activity), { keyId: `${actorId}#main-key`, privateKeyPem: keys.privateKeyPem })
    assert.ok(accepted(answer.status), `${answer.status} ${answer.text}`)
    await handled
  }
  const found = async (q: string): Promise<string[]> => {
    await wiki.app.searchIndex.ready
    await wiki.app.searchIndex.settled()
    return (await wiki.app.searchIndex.query({ q, filters: {}, offset: 0, limit: 10 })).hits.map(hit => hit.url)
  }
  const actorUpdate = async (indexable: boolean, serial: number): Promise<void> => {
    const actor = mastodonActorWithConsent(fake, 'dora', keys, indexable)
    fake.documents.set('/users/dora', actor)
    await post({ '@context': actor['@context'], id: `${actorId}#updates/${serial}`, type: 'Update', actor: actorId, to: ['https://www.w3.org/ns/activitystreams#Public'], object: actor })
  }

  before(async () => {
    wiki = await startInstance('consent')
    fake = await startFakeServer()
    actorId = `${fake.url}/users/dora`
    fake.documents.set('/users/dora', mastodonActorWithConsent(fake, 'dora', keys, true))
  })
  after(async () => {
    await wiki?.close()
    await fake?.close()
  })

  it('keeps the pages of a followed account that says indexable: false out of search, still shows them, and follows its changes of mind', async () => {
    // Its page is no lesson: this wiki takes all of dora's public pages.
    await wiki.app.federation.follows.follow(actorId, 'pages')
    const follow = await eventually(async () => fake.received.map(entry => JSON.parse(entry.body)).find(body => body.type === 'Follow'), 15_000, 'the Follow')
    await post({ '@context': 'https://www.w3.org/ns/activitystreams', id: `${actorId}#accepts/follows/1`, type: 'Accept', actor: actorId, object: follow })
    await eventually(async () => (await wiki.app.federation.follows.listFollowing()).includes(actorId), 15_000, 'the follow to be accepted')

    const article = {
      id: `${actorId}/statuses/7`,
      type: 'Article',
      name: 'Quartiersküche',
      summary: 'Kochen mit Nachbarn',
      content: '<p>Die Quartiersküche brachte Nachbarn zusammen.</p>',
      url: `${fake.url}/@dora/7`,
      attributedTo: actorId,
      published: new Date().toISOString(),
      to: ['https://www.w3.org/ns/activitystreams#Public'],
      cc: [`${actorId}/followers`]
    }
    await post({ '@context': 'https://www.w3.org/ns/activitystreams', id: `${actorId}/statuses/7/activity`, type: 'Create', actor: actorId, to: article.to, cc: article.cc, object: article })
    const stored = await wiki.app.store.db.collection('remotePages').findOne({ objectId: article.id })
    assert.ok(stored, 'the page is kept')
    const localUrl = `/remote/${String(stored._id)}`
    assert.deepEqual(await eventually(async () => { const hits = await found('Quartiersküche'); return hits.length > 0 ? hits : null }, 15_000, 'the page in search'), [localUrl])

    await actorUpdate(false, 1)
    await eventually(async () => (await found('Quartiersküche')).length === 0, 15_000, 'the page to leave search')
    const shown = await wiki.app.inject({ url: localUrl, headers: { 'accept-language': 'de' } })
    assert.equal(shown.statusCode, 200, 'still shown to those who follow it here')
    assert.match(shown.body, /Quartiersküche/)

    // A later page of the same account stays out from the start.
    const second = { ...article, id: `${actorId}/statuses/8`, name: 'Quartiersgarten', content: '<p>Der Quartiersgarten.</p>' }
    await post({ '@context': 'https://www.w3.org/ns/activitystreams', id: `${actorId}/statuses/8/activity`, type: 'Create', actor: actorId, to: article.to, cc: article.cc, object: second })
    assert.deepEqual(await found('Quartiersgarten'), [])

    await actorUpdate(true, 2)
    await eventually(async () => (await found('Quartiersküche')).length === 1 && (await found('Quartiersgarten')).length === 1, 15_000, 'both pages back in search')
  })

  it('says indexable and discoverable as the admin sets it, and sends its followers the change', async () => {
    const follower = makeKeyPair()
    fake.documents.set('/users/erin', mastodonActorWithConsent(fake, 'erin', follower, true))
    const erin = `${fake.url}/users/erin`
    const follow = { '@context': 'https://www.w3.org/ns/activitystreams', id: `${erin}#follows/1`, type: 'Follow', actor: erin, object: `${wiki.url}/ap/u/wiki` }
    assert.ok(accepted((await signedPost(`${wiki.url}/ap/inbox/wiki`, JSON.stringify(follow), { keyId: `${erin}#main-key`, privateKeyPem: follower.privateKeyPem })).status))
    await eventually(async () => (await wiki.app.federation.follows.listFollowers()).includes(erin), 15_000, 'erin to follow')

    const actor = async (): Promise<Record<string, unknown>> => await (await fetch(`${wiki.url}/ap/u/wiki`, { headers: { accept: 'application/activity+json' } })).json() as Record<string, unknown>
    assert.equal((await actor()).indexable, true, 'an organisation that publishes openly may be found by default')
    assert.equal((await actor()).discoverable, true)

    const admin = await signIn(wiki.app, wiki.app.inject.bind(wiki.app) as never, 'verwaltung', 'admin')
    const changed = await admin.inject({ method: 'PUT', url: '/api/settings', payload: { indexable: false } })
    assert.equal(changed.statusCode, 200, changed.body)
    assert.equal((await actor()).indexable, false)
    assert.equal((await actor()).discoverable, false)
    const update = await eventually(async () => fake.received.find(entry => {
      const body = JSON.parse(entry.body)
      return body.type === 'Update' && body.object?.id === `${wiki.url}/ap/u/wiki` && body.object.indexable === false
    }), 15_000, 'the Update at the followers')
    const wikiKey = (await wiki.app.federation.core.actor()).publicKey[0].publicKeyPem[0]
    assert.ok(signedBy(update, `${wiki.url}/ap/u/wiki#main-key`, wikiKey))
    assert.equal(JSON.parse(update.body).object.discoverable, false)
  })
})
