import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { RemotePageDocument } from '../../src/federation/remote-pages.ts'
import { eventually, handledBy, startInstance, type Instance } from './instances.ts'
import { makeKeyPair, signedPost, startFakeServer, type FakeServer, type KeyPair } from './peer.ts'
import { mastodonActorWithConsent, mastodonQuoteRequest, misskeyActor, misskeyQuoteCreate, signedBy } from './fediverse-fixtures.ts'

const accepted = (status: number): boolean => status >= 200 && status < 300
const publicPage = (title: string, visibility = 'public'): string => `---\ntitle: ${title}\nvisibility: ${visibility}\n---\nWas wir gelernt haben.\n`

describe('Mastodon 4.5 and Misskey, as they send things, over HTTP with real signatures', { timeout: 180_000 }, () => {
  let wiki: Instance
  let fake: FakeServer
  let wikiKey: string
  const keys: Record<string, KeyPair> = {}
  const actorOf = (name: string): string => `${fake.url}/users/${name}`
  const post = async (name: string, activity: Record<string, unknown>): Promise<{ status: number, text: string }> =>
    await signedPost(`${wiki.url}/ap/inbox/wiki`, JSON.stringify(activity), { keyId: `${actorOf(name)}#main-key`, privateKeyPem: (keys[name] as KeyPair).privateKeyPem })
  const receivedOf = (type: string): Array<{ body: any, entry: FakeServer['received'][number] }> =>
    fake.received.map(entry => ({ body: JSON.parse(entry.body), entry })).filter(item => item.body.type === type)

  before(async () => {
    wiki = await startInstance('shapes')
    fake = await startFakeServer()
    for (const name of ['alice', 'dora']) keys[name] = makeKeyPair()
    fake.documents.set('/users/alice', mastodonActorWithConsent(fake, 'alice', keys.alice as KeyPair, false))
    wikiKey = (await wiki.app.federation.core.actor()).publicKey[0].publicKeyPem[0]
  })
  after(async () => {
    await wiki?.close()
    await fake?.close()
  })

  it('approves a Mastodon QuoteRequest for a public page with an Accept and a QuoteAuthorization anyone can fetch, and withdraws it when the page stops being public', async () => {
    const page = await wiki.app.wiki.createPage({ source: publicPage('Zitierbar') })
    await wiki.app.federation.publisher.idle()
    const articleId = wiki.app.federation.publisher.articleIdOf(page._id.toHexString())
    const request = mastodonQuoteRequest(fake, 'alice', articleId, '101')
    const handled = handledBy(wiki, request.id as string)
    const answer = await post('alice', request)
    assert.ok(accepted(answer.status), `${answer.status} ${answer.text}`)
    await handled

    const { body: accept, entry } = await eventually(async () => receivedOf('Accept')[0], 15_000, 'the Accept at alice\'s server')
    assert.equal(entry.path, '/inbox', 'to the shared inbox Mastodon names')
    assert.ok(signedBy(entry, `${wiki.url}/ap/u/wiki#main-key`, wikiKey), 'signed with the organisation\'s key')
    assert.equal(accept.actor, `${wiki.url}/ap/u/wiki`)
    assert.equal(accept.object.id ?? accept.object, request.id, 'the QuoteRequest it answers')
    assert.equal(typeof accept.result, 'string')
    assert.ok(accept.result.startsWith(`${wiki.url}/`), 'on our own host, as Mastodon requires')

    // What ActivityPub::VerifyQuoteService checks on the authorisation it fetches.
    const fetched = await fetch(accept.result, { headers: { accept: 'application/activity+json' } })
    assert.equal(fetched.status, 200)
    const authorization = await fetched.json() as Record<string, any>
    assert.equal(authorization.id, accept.result)
    assert.equal(authorization.type, 'QuoteAuthorization')
    assert.equal(authorization.attributedTo, `${wiki.url}/ap/u/wiki`)
    assert.equal(authorization.interactingObject, `${actorOf('alice')}/statuses/101`)
    assert.equal(authorization.interactionTarget, articleId)
    assert.ok(JSON.stringify(authorization['@context']).includes('https://www.w3.org/ns/activitystreams'))

    const fresh = await wiki.app.wiki.requirePage(page.slug)
    await wiki.app.wiki.savePage(page.slug, { source: publicPage('Zitierbar', 'unlisted'), baseRevisionId: fresh.revisionId.toHexString() })
    await wiki.app.federation.publisher.idle()
    const { body: deletion, entry: deletionEntry } = await eventually(async () => receivedOf('Delete').find(item => item.body.object === accept.result), 15_000, 'the Delete of the authorisation')
    assert.ok(signedBy(deletionEntry, `${wiki.url}/ap/u/wiki#main-key`, wikiKey))
    assert.equal(deletion.actor, `${wiki.url}/ap/u/wiki`)
    assert.equal((await fetch(accept.result, { headers: { accept: 'application/activity+json' } })).status, 410)
  })

  it('withdraws the authorisation of a quoted page that is deleted', async () => {
    const page = await wiki.app.wiki.createPage({ source: publicPage('Bald gelöscht') })
    await wiki.app.federation.publisher.idle()
    const request = mastodonQuoteRequest(fake, 'alice', wiki.app.federation.publisher.articleIdOf(page._id.toHexString()), '105')
    const handled = handledBy(wiki, request.id as string)
    assert.ok(accepted((await post('alice', request)).status))
    await handled
    const { body: accept } = await eventually(async () => receivedOf('Accept').find(item => (item.body.object.id ?? item.body.object) === request.id), 15_000, 'the Accept')
    await wiki.app.wiki.deletePage(page.slug)
    await wiki.app.federation.publisher.idle()
    await eventually(async () => receivedOf('Delete').find(item => item.body.object === accept.result), 15_000, 'the Delete of the authorisation')
    assert.equal((await fetch(accept.result, { headers: { accept: 'application/activity+json' } })).status, 410)
  })

  it('refuses a quote of a page for followers only and of an object it does not have, and keeps nothing', async () => {
    const page = await wiki.app.wiki.createPage({ source: publicPage('Nur für Folgende', 'unlisted') })
    await wiki.app.federation.publisher.idle()
    const hidden = wiki.app.federation.publisher.articleIdOf(page._id.toHexString())
    const before = await wiki.app.store.db.collection('quoteApprovals').countDocuments({})
    for (const [target, status] of [[hidden, '102'], [`${wiki.url}/ap/o/000000000000000000000000`, '103'], [`${fake.url}/users/alice/statuses/1`, '104']] as const) {
      const request = mastodonQuoteRequest(fake, 'alice', target, status)
      const handled = handledBy(wiki, request.id as string)
      assert.ok(accepted((await post('alice', request)).status))
      await handled
      const reject = await eventually(async () => receivedOf('Reject').find(item => (item.body.object.id ?? item.body.object) === request.id), 15_000, `the Reject of ${target}`)
      assert.ok(signedBy(reject.entry, `${wiki.url}/ap/u/wiki#main-key`, wikiKey))
    }
    assert.equal(await wiki.app.store.db.collection('quoteApprovals').countDocuments({}), before)
  })

  it('accepts a Misskey user as a follower and takes a Misskey quote as a note, not a page', async () => {
    keys.misskey = makeKeyPair()
    const userId = '9x1y2z3'
    fake.documents.set(`/users/${userId}`, misskeyActor(fake, userId, 'quartier', keys.misskey))
    const actor = actorOf(userId)
    const asMisskey = { keyId: `${actor}#main-key`, privateKeyPem: keys.misskey.privateKeyPem }
    const follow = { '@context': 'https://www.w3.org/ns/activitystreams', id: `${fake.url}/follows/1`, type: 'Follow', actor, object: `${wiki.url}/ap/u/wiki` }
    assert.ok(accepted((await signedPost(`${wiki.url}/ap/inbox/wiki`, JSON.stringify(follow), asMisskey)).status))
    await eventually(async () => (await wiki.app.federation.follows.listFollowers()).includes(actor), 15_000, 'the Misskey follower')
    await eventually(async () => receivedOf('Accept').find(item => (item.body.object.id ?? item.body.object) === follow.id), 15_000, 'the Accept of the follow')

    const page = await wiki.app.wiki.createPage({ source: publicPage('Von Misskey zitiert') })
    await wiki.app.federation.publisher.idle()
    const create = misskeyQuoteCreate(fake, userId, 'n1', wiki.app.federation.publisher.articleIdOf(page._id.toHexString()))
    const handled = handledBy(wiki, create.id as string)
    assert.ok(accepted((await signedPost(`${wiki.url}/ap/inbox/wiki`, JSON.stringify(create), asMisskey)).status))
    await handled
    assert.equal(await wiki.app.store.db.collection<RemotePageDocument>('remotePages').countDocuments({}), 0)
  })
})
