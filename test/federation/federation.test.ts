import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { RemotePageDocument } from '../../src/federation/remote-pages.ts'
import { version } from '../../src/federation/version.ts'
import { signIn } from '../helpers.ts'
import { eventually, handledBy, startInstance, type Instance } from './instances.ts'
import { makeKeyPair, mastodonActor, signedGet, signedPost, startFakeServer, type FakeServer, type KeyPair } from './peer.ts'

const publicPage = (title: string, body: string, extra = ''): string =>
  `---\ntitle: ${title}\nvisibility: public\nsummary: Kurz gesagt, was wir gelernt haben.\ntags: [ehrenamt]\n${extra}---\n${body}\n`

async function remotePage (instance: Instance, filter: Record<string, unknown>): Promise<RemotePageDocument | null> {
  return await instance.app.store.db.collection<RemotePageDocument>('remotePages').findOne(filter)
}

async function remoteCount (instance: Instance): Promise<number> {
  return await instance.app.store.db.collection('remotePages').countDocuments({})
}

describe('federation between Praxiswiki instances', { timeout: 180_000 }, () => {
  let a: Instance
  let b: Instance
  let c: Instance

  before(async () => {
    [a, b, c] = await Promise.all([startInstance('a'), startInstance('b'), startInstance('c')])
  })
  after(async () => {
    await Promise.all([a, b, c].map(instance => instance?.close()))
  })

  it('answers WebFinger and NodeInfo and serves the organisation actor', async () => {
    const finger = await fetch(`${a.url}/.well-known/webfinger?resource=acct:wiki@${a.host}`)
    assert.equal(finger.status, 200)
    const links = (await finger.json() as { links: Array<{ rel: string, href: string }> }).links
    assert.equal(links.find(link => link.rel === 'self')?.href, `${a.url}/ap/u/wiki`)
    const actor = await (await fetch(`${a.url}/ap/u/wiki`, { headers: { accept: 'application/activity+json' } })).json() as Record<string, any>
    assert.equal(actor.type, 'Organization')
    assert.equal(actor.name, 'Wiki a')
    assert.match(actor.publicKey.publicKeyPem, /BEGIN PUBLIC KEY/)
    assert.equal(actor._meta, undefined)
    const nodeinfo = await (await fetch(`${a.url}/.well-known/nodeinfo`)).json() as { links: Array<{ href: string }> }
    assert.ok(nodeinfo.links[0]?.href.startsWith(a.url))
    // As NodeInfo's schema wants it: the software's own name, not the site's; posts counted.
    const describe = async () => await (await fetch(nodeinfo.links[0]?.href ?? '')).json() as { version: string, software: { name: string, version: string }, usage: { localPosts: number }, metadata: { nodeName: string } }
    const node = await describe()
    assert.equal(node.version, '2.1')
    assert.deepEqual(node.software, { name: 'praxiswiki', version })
    assert.equal(node.metadata.nodeName, 'Wiki a')
    const counted = await a.app.wiki.createPage({ source: publicPage('Gezählt', 'Für NodeInfo.') })
    await a.app.federation.publisher.idle()
    assert.equal((await describe()).usage.localPosts, node.usage.localPosts + 1)
    await a.app.wiki.deletePage(counted.slug)
    await a.app.federation.publisher.idle()
    assert.equal((await describe()).usage.localPosts, node.usage.localPosts, 'a deleted page is no post')
  })

  it('lets B follow A by handle; the Accept arrives', async () => {
    await b.app.federation.follows.follow(`wiki@${a.host}`, 'pages')
    await eventually(async () => (await b.app.federation.follows.listFollowing()).includes(`${a.url}/ap/u/wiki`), 15_000, 'B to see its follow accepted')
    assert.deepEqual(await a.app.federation.follows.listFollowers(), [`${b.url}/ap/u/wiki`])
  })

  it('carries a page from A to B through create, edit, rename and delete, keeping its id', async () => {
    const created = await a.app.wiki.createPage({ source: publicPage('Besuchsdienst', 'Ehrenamtliche besuchen ältere Menschen. <script>alert(1)</script>') })
    const articleId = a.app.federation.publisher.articleIdOf(created._id.toHexString())
    const arrived = await eventually(() => remotePage(b, { objectId: articleId }), 15_000, 'the page at B')
    assert.equal(arrived.title, 'Besuchsdienst')
    assert.equal(arrived.summary, 'Kurz gesagt, was wir gelernt haben.')
    assert.deepEqual(arrived.tags, ['ehrenamt'])
    assert.doesNotMatch(arrived.html, /<script/)
    const shown = await b.app.inject({ url: `/remote/${arrived._id.toHexString()}`, headers: { 'accept-language': 'en' } })
    assert.equal(shown.statusCode, 200, shown.body)
    assert.match(shown.body, /From Wiki a/)
    assert.match(shown.body, new RegExp(`href="${a.url}/wiki/besuchsdienst"`))
    const recent = await b.app.inject({ url: '/recent-changes', headers: { 'accept-language': 'en' } })
    assert.match(recent.body, new RegExp(`href="/remote/${arrived._id.toHexString()}">Besuchsdienst</a>`))
    const searchB = async (q: string) => {
      await b.app.searchIndex.ready
      await b.app.searchIndex.settled()
      return (await b.app.searchIndex.query({ q, filters: {}, offset: 0, limit: 10 })).hits
    }
    // The page is in B's store a moment before B's index hears of it.
    const found = await eventually(async () => { const hits = await searchB('Besuchsdienst'); return hits.length > 0 ? hits : null }, 15_000, 'B\'s search to find the page')
    assert.equal(found.length, 1)
    assert.equal(found[0]?.origin, a.host)
    assert.equal(found[0]?.url, `/remote/${arrived._id.toHexString()}`)

    // The page's own URL answers with the Article when asked for ActivityPub JSON.
    const negotiated = await fetch(`${a.url}/wiki/besuchsdienst`, { headers: { accept: 'application/activity+json' } })
    assert.equal(negotiated.status, 200)
    const article = await negotiated.json() as Record<string, any>
    assert.equal(article.id, articleId)
    assert.equal(article.type, 'Article')
    assert.equal(article.name, 'Besuchsdienst')
    assert.equal(article.source.mediaType, 'text/markdown')
    assert.ok(article.contentMap.de)

    await a.app.wiki.savePage('besuchsdienst', { source: publicPage('Besuchsdienst', 'Nach sechs Monaten hörten viele auf.'), baseRevisionId: created.revisionId.toHexString() })
    await eventually(async () => (await remotePage(b, { objectId: articleId }))?.html.includes('sechs Monaten'), 15_000, 'the edit at B')

    const edited = await a.app.wiki.requirePage('besuchsdienst')
    await a.app.wiki.renamePage('besuchsdienst', { title: 'Besuchsdienst im Quartier', baseRevisionId: edited.revisionId.toHexString() })
    const renamed = await eventually(async () => {
      const page = await remotePage(b, { objectId: articleId })
      return page?.title === 'Besuchsdienst im Quartier' ? page : null
    }, 15_000, 'the rename at B')
    assert.equal(renamed._id.toHexString(), arrived._id.toHexString())
    assert.equal(renamed.url, `${a.url}/wiki/besuchsdienst-im-quartier`)
    assert.equal(await remoteCount(b), 1)
    const movedArticle = await (await fetch(`${a.url}/wiki/besuchsdienst-im-quartier`, { headers: { accept: 'application/activity+json' } })).json() as Record<string, any>
    assert.equal(movedArticle.id, articleId)

    await a.app.wiki.deletePage('besuchsdienst-im-quartier')
    await eventually(async () => (await remotePage(b, { objectId: articleId }))?.deletedAt, 15_000, 'the tombstone at B')
    assert.equal((await b.app.inject({ url: `/remote/${arrived._id.toHexString()}` })).statusCode, 410)
    await eventually(async () => (await searchB('Besuchsdienst')).length === 0, 15_000, 'B\'s search to lose the page')
    assert.equal((await fetch(`${a.url}/wiki/besuchsdienst-im-quartier`, { headers: { accept: 'application/activity+json' } })).status, 410)
  })

  it('sanitises the HTML of a followed organisation before storing it', async () => {
    const us = await a.app.federation.core.actor()
    const apex = a.app.federation.core.apex
    const objectId = `${a.url}/ap/o/hand-made-1`
    const article = {
      id: objectId,
      type: 'Article',
      name: 'Harmlos <img src=x onerror=alert(1)>',
      content: '<p onclick="steal()">Text<script>alert(1)</script><a href="javascript:alert(1)">Link</a><iframe src="https://evil.example"></iframe><img src="https://tracker.example/p.gif"></p>',
      attributedTo: us.id,
      to: ['https://www.w3.org/ns/activitystreams#Public']
    }
    const create = await apex.buildActivity('Create', us.id, ['https://www.w3.org/ns/activitystreams#Public'], { object: article })
    const body = apex.stringifyPublicJSONLD(await apex.toJSONLD(create))
    const answer = await a.app.federation.http.postActivity(`${b.url}/ap/inbox/wiki`, body, { keyId: `${us.id}#main-key`, privateKeyPem: us._meta?.privateKey as string })
    assert.ok(answer.statusCode < 300, String(answer.statusCode))
    const stored = await eventually(() => remotePage(b, { objectId }), 15_000, 'the hand-made Article at B')
    assert.equal(stored.title, 'Harmlos')
    assert.doesNotMatch(stored.html, /script|onclick|onerror|javascript:|iframe|<img/i)
    assert.match(stored.html, /Text/)
  })

  it('never sends local pages, and does not address unlisted pages to the public', async () => {
    const local = await a.app.wiki.createPage({ source: '---\ntitle: Fallnotiz\nvisibility: local\n---\nIntern.\n' })
    const unlisted = await a.app.wiki.createPage({ source: '---\ntitle: Nur für Folgende\nvisibility: unlisted\n---\nText.\n' })
    const unlistedId = a.app.federation.publisher.articleIdOf(unlisted._id.toHexString())
    const arrived = await eventually(() => remotePage(b, { objectId: unlistedId }), 15_000, 'the unlisted page at B')
    assert.equal(arrived.title, 'Nur für Folgende')
    await a.app.federation.publisher.idle()
    assert.equal(await remotePage(b, { objectId: a.app.federation.publisher.articleIdOf(local._id.toHexString()) }), null)
    const article = await (await fetch(`${a.url}/wiki/nur-fuer-folgende`, { headers: { accept: 'application/activity+json' } })).json() as Record<string, any>
    assert.doesNotMatch(JSON.stringify([article.to, article.cc]), /Public/)
    assert.equal((await fetch(`${a.url}/wiki/fallnotiz`, { headers: { accept: 'application/activity+json' } })).status, 404)
  })

  it('does not let C, whom B does not follow, put pages into B', async () => {
    const before = await remoteCount(b)
    // C follows B, so B delivers to C, but B does not follow C: C's pages must not appear at B.
    const page = await c.app.wiki.createPage({ source: publicPage('Eingeschleust', 'Sollte nicht ankommen.') })
    await c.app.federation.publisher.idle()
    const us = await c.app.federation.core.actor()
    const article = await c.app.federation.core.apex.store.getObject(c.app.federation.publisher.articleIdOf(page._id.toHexString()))
    assert.ok(article)
    const create = await c.app.federation.core.apex.buildActivity('Create', us.id, `${b.url}/ap/u/wiki`, { object: article })
    const body = c.app.federation.core.apex.stringifyPublicJSONLD(await c.app.federation.core.apex.toJSONLD(create))
    const handled = handledBy(b, create.id as string)
    const answer = await c.app.federation.http.postActivity(`${b.url}/ap/inbox/wiki`, body, { keyId: `${us.id}#main-key`, privateKeyPem: us._meta?.privateKey as string })
    assert.ok(answer.statusCode < 300, `the signed Create itself is valid (${answer.statusCode} ${JSON.stringify(answer)})`)
    await handled
    assert.equal(await remoteCount(b), before)
  })

  it('forks a remote page into a local draft that names its source', async () => {
    const page = await a.app.wiki.createPage({ source: publicPage('Gabenzaun', 'Ein Zaun, an dem Nachbarn Dinge teilen.') })
    const articleId = a.app.federation.publisher.articleIdOf(page._id.toHexString())
    const arrived = await eventually(() => remotePage(b, { objectId: articleId }), 15_000, 'the page at B')
    const editor = await signIn(b.app, b.app.inject.bind(b.app) as never, 'redakteurin', 'editor')
    const forked = await editor.inject({ method: 'POST', url: `/remote/${arrived._id.toHexString()}/fork` })
    assert.equal(forked.statusCode, 303, forked.body)
    const fork = await b.app.wiki.requirePage(String(forked.headers.location).replace('/wiki/', ''))
    assert.equal(fork.fields.visibility, 'local')
    assert.equal(fork.frontMatter.forkOf, `${a.url}/wiki/gabenzaun`)
    assert.match(String(fork.frontMatter.attribution), /Wiki a/)
    assert.match(fork.source, /Nachbarn Dinge teilen/)
  })

  it('withdraws a page from other servers when it is made local again', async () => {
    const page = await a.app.wiki.createPage({ source: publicPage('Zurückgezogen', 'Erst öffentlich.') })
    const articleId = a.app.federation.publisher.articleIdOf(page._id.toHexString())
    await eventually(() => remotePage(b, { objectId: articleId }), 15_000, 'the page at B')
    await a.app.wiki.savePage('zurueckgezogen', { source: '---\ntitle: Zurückgezogen\nvisibility: local\n---\nDoch intern.\n', baseRevisionId: page.revisionId.toHexString() })
    const withdrawn = await eventually(async () => { const found = await remotePage(b, { objectId: articleId }); return found?.deletedAt ? found : null }, 15_000, 'the Delete at B')
    assert.equal(withdrawn.html, '')
    assert.equal((await fetch(`${a.url}/wiki/zurueckgezogen`, { headers: { accept: 'application/activity+json' } })).status, 410)
  })

  it('back-fills the pages an organisation published before it was followed, those for followers only included', async () => {
    const earlier = await a.app.wiki.createPage({ source: publicPage('Schon vorher da', 'Vor dem Folgen geschrieben.') })
    const forFollowers = await a.app.wiki.createPage({ source: '---\ntitle: Vorher nur für Folgende\nvisibility: unlisted\n---\nText.\n' })
    await a.app.federation.publisher.idle()
    await c.app.federation.follows.follow(`wiki@${a.host}`, 'pages')
    const articleId = a.app.federation.publisher.articleIdOf(earlier._id.toHexString())
    const backfilled = await eventually(() => remotePage(c, { objectId: articleId }), 15_000, 'the back-filled page at C')
    assert.equal(backfilled.title, 'Schon vorher da')
    // Back-fill reads the outbox signed, and A shows its followers what went to followers only.
    const unlisted = await eventually(() => remotePage(c, { objectId: a.app.federation.publisher.articleIdOf(forFollowers._id.toHexString()) }), 15_000, 'the back-filled followers-only page at C')
    assert.equal(unlisted.title, 'Vorher nur für Folgende')
  })

  it('stops delivering to B once B unfollows A', async () => {
    const page = await a.app.wiki.createPage({ source: publicPage('Nach dem Entfolgen', 'Erste Fassung.') })
    const articleId = a.app.federation.publisher.articleIdOf(page._id.toHexString())
    await eventually(() => remotePage(b, { objectId: articleId }), 15_000, 'the page at B')
    // What A posts, and where: B ignoring an Article from someone it does not follow must not be what keeps it out.
    const http = a.app.federation.http
    const postActivity = http.postActivity
    const posted: Array<{ inbox: string, type: string, object: string }> = []
    http.postActivity = async (inbox, body, signer) => {
      const activity = JSON.parse(body) as { type: string, object?: string | { id?: string } }
      posted.push({ inbox, type: activity.type, object: typeof activity.object === 'string' ? activity.object : String(activity.object?.id) })
      return await postActivity(inbox, body, signer)
    }
    try {
      const undoHandled = handledBy(a, { type: 'Undo' })
      await b.app.federation.follows.unfollow(`${a.url}/ap/u/wiki`)
      await undoHandled
      assert.ok(!(await a.app.federation.follows.listFollowers()).includes(`${b.url}/ap/u/wiki`), 'A lost its follower B')
      assert.deepEqual(await b.app.federation.follows.listFollowing(), [])
      await a.app.federation.core.delivery.kick()
      // An unfollow is not news for A's other followers (apex would send each an Update of A's followers collection).
      assert.deepEqual(posted.filter(post => post.object === `${a.url}/ap/followers/wiki`), [])
      await a.app.wiki.savePage('nach-dem-entfolgen', { source: publicPage('Nach dem Entfolgen', 'Zweite Fassung.'), baseRevisionId: page.revisionId.toHexString() })
      await a.app.federation.publisher.idle()
      await a.app.federation.core.delivery.kick()
    } finally {
      http.postActivity = postActivity
    }
    assert.ok(posted.some(post => post.type === 'Update' && post.object === articleId), 'the Update went out to the remaining followers')
    assert.deepEqual(posted.filter(post => post.inbox.startsWith(b.url) && post.object === articleId), [])
    assert.match((await remotePage(b, { objectId: articleId }))?.html ?? '', /Erste Fassung/)
  })

  it('follows by the address of any page, through the other side\'s WebFinger', async () => {
    // The page's own address answers ActivityPub clients with an Article, which has no inbox.
    const followed = await b.app.federation.follows.follow(`${a.url}/wiki/nach-dem-entfolgen`, 'pages')
    assert.deepEqual(followed, { actorId: `${a.url}/ap/u/wiki`, alreadyFollowing: false })
    await eventually(async () => (await a.app.federation.follows.listFollowers()).includes(`${b.url}/ap/u/wiki`), 15_000, 'A to have B as a follower again')
  })
})

describe('the inbox refuses what it cannot trust', { timeout: 120_000 }, () => {
  let wiki: Instance
  let fake: FakeServer
  let keys: KeyPair
  let inbox: string
  let actorId: string

  const activity = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    '@context': 'https://www.w3.org/ns/activitystreams',
    id: `${fake.url}/activities/${Math.random().toString(36).slice(2)}`,
    type: 'Follow',
    actor: actorId,
    object: `${wiki.url}/ap/u/wiki`,
    ...extra
  })

  before(async () => {
    wiki = await startInstance('guarded', { FEDERATION_BLOCKED_DOMAINS: 'localhost' })
    fake = await startFakeServer()
    keys = makeKeyPair()
    fake.documents.set('/users/alice', mastodonActor(fake, 'alice', keys))
    actorId = `${fake.url}/users/alice`
    inbox = `${wiki.url}/ap/inbox/wiki`
  })
  after(async () => {
    await wiki?.close()
    await fake?.close()
  })

  const sign = (extra: Partial<Parameters<typeof signedPost>[2] & object> = {}) => ({ keyId: `${actorId}#main-key`, privateKeyPem: keys.privateKeyPem, ...extra })

  it('accepts a correctly signed Mastodon Follow and answers with an Accept', async () => {
    const follow = activity()
    const answer = await signedPost(inbox, JSON.stringify(follow), sign())
    assert.ok(answer.status >= 200 && answer.status < 300, `${answer.status} ${answer.text}`)
    // Mastodon actors name a shared inbox, which the wiki prefers.
    const accept = await eventually(async () => fake.received.find(entry => JSON.parse(entry.body).type === 'Accept'), 15_000, 'the Accept')
    assert.equal(JSON.parse(accept.body).object.id ?? JSON.parse(accept.body).object, follow.id)
    assert.deepEqual(await wiki.app.federation.follows.listFollowers(), [actorId])
    // Fetching the actor (apex) and delivering the Accept (the delivery queue) name the same software.
    const userAgent = `Praxiswiki/${version} (+${wiki.url})`
    assert.ok(fake.fetched.some(entry => entry.path === '/users/alice'), 'the actor was fetched')
    assert.deepEqual([...new Set(fake.fetched.map(entry => entry.userAgent))], [userAgent])
    assert.equal(accept.userAgent, userAgent)
  })

  it('shows followers-only pages in its outbox to a follower who signs the read, and to no one else', async () => {
    const forFollowers = await wiki.app.wiki.createPage({ source: '---\ntitle: Im Postausgang nur für Folgende\nvisibility: unlisted\n---\nText.\n' })
    const forEveryone = await wiki.app.wiki.createPage({ source: publicPage('Im Postausgang für alle', 'Text.') })
    await wiki.app.federation.publisher.idle()
    const hiddenId = wiki.app.federation.publisher.articleIdOf(forFollowers._id.toHexString())
    const openId = wiki.app.federation.publisher.articleIdOf(forEveryone._id.toHexString())
    const firstPage = `${wiki.url}/ap/outbox/wiki?page=true`
    const created = (page: { orderedItems: Array<Record<string, any>> }): string[] =>
      page.orderedItems.filter(item => item.type === 'Create').map(item => String(item.object?.id ?? item.object))

    const unsigned = await (await fetch(firstPage, { headers: { accept: 'application/activity+json' } })).json() as { orderedItems: Array<Record<string, any>> }
    assert.ok(created(unsigned).includes(openId), 'anyone sees the public page')
    assert.ok(!created(unsigned).includes(hiddenId), 'an unsigned read does not see the followers-only page')

    // alice follows since the first test here.
    const follower = await signedGet(firstPage, sign())
    assert.equal(follower.status, 200)
    assert.ok(created(follower.json).includes(hiddenId), 'a signed read by a follower sees the followers-only page')
    assert.ok(created(follower.json).includes(openId))
    assert.ok(!follower.json.orderedItems.some((item: { type: string }) => item.type === 'Accept'), 'activities sent to one actor stay private')

    const dave = makeKeyPair()
    fake.documents.set('/users/dave', mastodonActor(fake, 'dave', dave))
    const stranger = await signedGet(firstPage, { keyId: `${fake.url}/users/dave#main-key`, privateKeyPem: dave.privateKeyPem })
    assert.equal(stranger.status, 200)
    assert.ok(!created(stranger.json).includes(hiddenId), 'a signed read by someone who does not follow does not see it')

    assert.equal((await signedGet(firstPage, sign({ privateKeyPem: makeKeyPair().privateKeyPem }))).status, 401, 'forged')
    assert.equal((await signedGet(`${wiki.url}/ap/outbox/wiki?page=not-an-id`, sign())).status, 400, 'bad page')
  })

  it('handles Mastodon\'s Undo of a Follow', async () => {
    const carol = makeKeyPair()
    fake.documents.set('/users/carol', mastodonActor(fake, 'carol', carol))
    const carolId = `${fake.url}/users/carol`
    const asCarol = { keyId: `${carolId}#main-key`, privateKeyPem: carol.privateKeyPem }
    const follow = activity({ actor: carolId })
    await signedPost(inbox, JSON.stringify(follow), asCarol)
    await eventually(async () => (await wiki.app.federation.follows.listFollowers()).includes(carolId), 10_000, 'carol to follow')
    const undo = activity({ type: 'Undo', actor: carolId, object: follow })
    const answer = await signedPost(inbox, JSON.stringify(undo), asCarol)
    assert.ok(answer.status < 300, `${answer.status} ${answer.text}`)
    await eventually(async () => !(await wiki.app.federation.follows.listFollowers()).includes(carolId), 10_000, 'carol\'s follow to be gone')
  })

  it('handles a Note replying to an Article without storing a page', async () => {
    const page = await wiki.app.wiki.createPage({ source: publicPage('Antwortbar', 'Text.') })
    await wiki.app.federation.publisher.idle()
    const note = {
      id: `${fake.url}/users/alice/statuses/1`,
      type: 'Note',
      inReplyTo: wiki.app.federation.publisher.articleIdOf(page._id.toHexString()),
      content: '<p>Danke für den Bericht!</p>',
      attributedTo: actorId,
      to: ['https://www.w3.org/ns/activitystreams#Public'],
      published: new Date().toISOString()
    }
    const create = activity({ type: 'Create', object: note, to: note.to })
    const handled = handledBy(wiki, create.id as string)
    const answer = await signedPost(inbox, JSON.stringify(create), sign())
    assert.ok(answer.status < 300, `${answer.status} ${answer.text}`)
    await handled
    assert.equal(await remoteCount(wiki), 0)
  })

  it('answers 202 to the Delete of an actor it never knew, without fetching it', async () => {
    const strangerKeys = makeKeyPair()
    const stranger = `${fake.url}/users/gone`
    const requestsBefore = fake.received.length
    const answer = await signedPost(inbox, JSON.stringify({
      '@context': 'https://www.w3.org/ns/activitystreams', id: `${stranger}#delete`, type: 'Delete', actor: stranger, object: stranger, to: ['https://www.w3.org/ns/activitystreams#Public']
    }), { keyId: `${stranger}#main-key`, privateKeyPem: strangerKeys.privateKeyPem })
    assert.equal(answer.status, 202)
    assert.equal(fake.received.length, requestsBefore)
  })

  it('answers 401 to missing, forged, expired and body-mismatched signatures, and to keys of someone else', async () => {
    const body = JSON.stringify(activity())
    assert.equal((await signedPost(inbox, body, null)).status, 401, 'no signature')
    assert.equal((await signedPost(inbox, body, sign({ privateKeyPem: makeKeyPair().privateKeyPem }))).status, 401, 'forged')
    assert.equal((await signedPost(inbox, body, sign({ date: new Date(Date.now() - 13 * 3600_000) }))).status, 401, 'expired')
    assert.equal((await signedPost(inbox, body, sign({ date: new Date(Date.now() + 2 * 3600_000) }))).status, 401, 'from the future')
    assert.equal((await signedPost(inbox, body, sign({ signedBody: '{"other":true}' }))).status, 401, 'digest mismatch')
    assert.equal((await signedPost(inbox, body, sign({ headers: ['(request-target)', 'host', 'date'] }))).status, 401, 'digest not signed')
    const bob = makeKeyPair()
    fake.documents.set('/users/bob', mastodonActor(fake, 'bob', bob))
    assert.equal((await signedPost(inbox, body, { keyId: `${fake.url}/users/bob#main-key`, privateKeyPem: bob.privateKeyPem })).status, 401, 'key of another actor')
    const rfc9421 = await fetch(inbox, { method: 'POST', headers: { 'content-type': 'application/activity+json', 'signature-input': 'sig1=("@method");keyid="x"', signature: 'sig1=:AAAA:' }, body })
    assert.equal(rfc9421.status, 401, 'RFC 9421 signature')
    assert.equal(await wiki.app.store.db.collection('streams').countDocuments({ id: JSON.parse(body).id }), 0)
  })

  it('answers 401, not 500, to a keyId or a key document whose id is not a URL', async () => {
    const body = JSON.stringify(activity())
    assert.equal((await signedPost(inbox, body, sign({ keyId: 'not a url' }))).status, 401, 'keyId')
    const mallory = makeKeyPair()
    fake.documents.set('/users/mallory', { ...mastodonActor(fake, 'mallory', mallory), id: 'not a url' })
    assert.equal((await signedPost(inbox, body, { keyId: `${fake.url}/users/mallory#main-key`, privateKeyPem: mallory.privateKeyPem })).status, 401, 'key document id')
  })

  it('refuses oversized, malformed and overly nested bodies with 4xx', async () => {
    const big = JSON.stringify(activity({ content: 'x'.repeat(1_100_000) }))
    assert.equal((await signedPost(inbox, big, sign())).status, 413)
    assert.equal((await signedPost(inbox, '{"type": "Follow", ', sign())).status, 400)
    let nested: Record<string, unknown> = { type: 'Note' }
    for (let depth = 0; depth < 100; depth++) nested = { type: 'Note', inReplyTo: nested }
    assert.equal((await signedPost(inbox, JSON.stringify(activity({ type: 'Create', object: nested })), sign())).status, 400)
    const unknownContext = activity({ '@context': ['https://www.w3.org/ns/activitystreams', `${fake.url}/no-such-context`] })
    assert.equal((await signedPost(inbox, JSON.stringify(unknownContext), sign())).status, 400)
    assert.equal((await signedPost(inbox, JSON.stringify(activity()), sign(), 'text/plain')).status, 415)
  })

  it('follows an actor by its URL, fetching it once, and says why an address that is no actor cannot be followed', async () => {
    const erin = makeKeyPair()
    fake.documents.set('/users/erin', mastodonActor(fake, 'erin', erin))
    const followed = await wiki.app.federation.follows.follow(`${fake.url}/users/erin`, 'pages')
    assert.deepEqual(followed, { actorId: `${fake.url}/users/erin`, alreadyFollowing: false })
    assert.equal(fake.fetched.filter(entry => entry.path === '/users/erin').length, 1)
    await eventually(async () => fake.received.find(entry => JSON.parse(entry.body).type === 'Follow' && JSON.parse(entry.body).object === followed.actorId), 15_000, 'the Follow at the fake server')
    fake.documents.set('/notes/1', { '@context': 'https://www.w3.org/ns/activitystreams', id: `${fake.url}/notes/1`, type: 'Note', content: 'Hallo' })
    await assert.rejects(wiki.app.federation.follows.follow(`${fake.url}/notes/1`), /not an ActivityPub actor.*names no wiki actor/)
  })

  /** A Mastodon-shaped account on the fake server that the wiki follows (accepted), and a way to post as it. */
  const followedPeer = async (username: string): Promise<{ id: string, keys: KeyPair, post: (body: Record<string, unknown>) => Promise<void> }> => {
    const keys = makeKeyPair()
    fake.documents.set(`/users/${username}`, mastodonActor(fake, username, keys))
    const id = `${fake.url}/users/${username}`
    const post = async (body: Record<string, unknown>): Promise<void> => {
      const handled = handledBy(wiki, body.id as string)
      const answer = await signedPost(inbox, JSON.stringify({ '@context': 'https://www.w3.org/ns/activitystreams', ...body }), { keyId: `${id}#main-key`, privateKeyPem: keys.privateKeyPem })
      assert.ok(answer.status < 300, `${String(body.type)}: ${answer.status} ${answer.text}`)
      await handled
    }
    await wiki.app.federation.follows.follow(id, 'pages')
    const follow = JSON.parse((await eventually(async () => fake.received.find(entry => JSON.parse(entry.body).type === 'Follow' && JSON.parse(entry.body).object === id), 15_000, 'the Follow')).body)
    await post({ id: `${id}#accept-1`, type: 'Accept', actor: id, object: follow })
    return { id, keys, post }
  }

  it('lists a follow the other side has not answered as waiting, and drops it once refused', async () => {
    const hankKeys = makeKeyPair()
    fake.documents.set('/users/hank', mastodonActor(fake, 'hank', hankKeys))
    const hank = `${fake.url}/users/hank`
    const followsOfHank = () => fake.received.filter(entry => JSON.parse(entry.body).type === 'Follow' && JSON.parse(entry.body).object === hank)
    await wiki.app.federation.follows.follow(hank, 'pages')
    await eventually(async () => followsOfHank().length === 1, 15_000, 'the first Follow')
    await wiki.app.federation.follows.follow(hank, 'pages')
    assert.equal((await wiki.app.federation.follows.listFollowRequests()).filter(id => id === hank).length, 1, 'asked twice, listed once')
    assert.ok(!(await wiki.app.federation.follows.listFollowing()).includes(hank))
    const admin = await signIn(wiki.app, wiki.app.inject.bind(wiki.app) as never, 'verwaltung', 'admin')
    const page = await admin.inject({ url: '/admin/federation', headers: { 'accept-language': 'en' } })
    // Shown by name and handle (mastodonActor names hank "Hank"), not by the actor's URL.
    const escaped = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
    assert.match(page.body, new RegExp(`<span class="actor-name">Hank</span> <span class="actor-handle">${escaped(`@hank@${fake.host}`)}</span></span>\\s*<span class="follow-state">\\(waiting for them to accept\\)</span>`))

    // Hank answers the request that stands, the second one.
    const follows = await eventually(async () => { const sent = followsOfHank(); return sent.length === 2 ? sent : null }, 15_000, 'the second Follow')
    const follow = JSON.parse(follows[1]?.body ?? '{}')
    const reject = { '@context': 'https://www.w3.org/ns/activitystreams', id: `${hank}#reject-1`, type: 'Reject', actor: hank, object: follow }
    const handled = handledBy(wiki, reject.id)
    const answer = await signedPost(inbox, JSON.stringify(reject), { keyId: `${hank}#main-key`, privateKeyPem: hankKeys.privateKeyPem })
    assert.ok(answer.status < 300, `${answer.status} ${answer.text}`)
    await handled
    assert.ok(!(await wiki.app.federation.follows.listFollowRequests()).includes(hank), 'a refused follow waits no longer')
    assert.ok(!(await wiki.app.federation.follows.listFollowing()).includes(hank))
  })

  it('lists on the admin page what it gave up delivering, and why, and drops a follower whose inbox is gone', async () => {
    const ivanKeys = makeKeyPair()
    // A follower without a shared inbox, whose own inbox is gone.
    fake.documents.set('/users/ivan', { ...mastodonActor(fake, 'ivan', ivanKeys), endpoints: {} })
    fake.refusing.set('/users/ivan/inbox', 410)
    const ivan = `${fake.url}/users/ivan`
    const follow = activity({ actor: ivan })
    const answer = await signedPost(inbox, JSON.stringify(follow), { keyId: `${ivan}#main-key`, privateKeyPem: ivanKeys.privateKeyPem })
    assert.ok(answer.status < 300, `${answer.status} ${answer.text}`)
    const failure = await eventually(async () => (await wiki.app.federation.core.delivery.recentFailures(20)).find(entry => entry.address === `${ivan}/inbox`), 15_000, 'the given-up Accept')
    assert.equal(failure.reason, 'answered 410')
    assert.equal(failure.attempts, 1, 'a 410 is not retried')
    // Gone is gone: the wiki stops sending Ivan every change.
    await eventually(async () => !(await wiki.app.federation.follows.listFollowers()).includes(ivan), 15_000, 'Ivan to be dropped as a follower')
    const requests = await wiki.app.federation.inbox.pendingFollows(await wiki.app.federation.core.actor())
    assert.ok(!requests.some(request => JSON.stringify(request.actor).includes(ivan)), 'and not listed as asking to follow either')
    const admin = await signIn(wiki.app, wiki.app.inject.bind(wiki.app) as never, 'verwaltung', 'admin')
    const page = await admin.inject({ url: '/admin/federation', headers: { 'accept-language': 'en' } })
    assert.match(page.body, new RegExp(`${ivan.replace(/[./]/g, '\\$&')}/inbox – answered 410 \\(attempts: 1\\)`))
  })

  it('waits as long as a busy server\'s Retry-After asks before delivering again', async () => {
    const judyKeys = makeKeyPair()
    fake.documents.set('/users/judy', { ...mastodonActor(fake, 'judy', judyKeys), endpoints: {} })
    fake.refusing.set('/users/judy/inbox', { status: 429, retryAfterSeconds: 2, times: 1 })
    const judy = `${fake.url}/users/judy`
    const answer = await signedPost(inbox, JSON.stringify(activity({ actor: judy })), { keyId: `${judy}#main-key`, privateKeyPem: judyKeys.privateKeyPem })
    assert.ok(answer.status < 300, `${answer.status} ${answer.text}`)
    // The test instance retries after 200 ms; the server asked for 2 s.
    const [first, second] = await eventually(async () => { const posts = fake.received.filter(entry => entry.path === '/users/judy/inbox'); return posts.length >= 2 ? posts : null }, 15_000, 'the Accept delivered again')
    assert.ok((second?.at ?? 0) - (first?.at ?? 0) >= 1900, `asked again after ${(second?.at ?? 0) - (first?.at ?? 0)} ms`)
  })

  it('shows the new name of an organisation that renames itself on the pages it sent', async () => {
    const { id: gina, keys, post } = await followedPeer('gina')
    const articleId = `${fake.url}/articles/gina-1`
    await post({ id: `${gina}#create-1`, type: 'Create', actor: gina, to: ['https://www.w3.org/ns/activitystreams#Public'], object: { id: articleId, type: 'Article', name: 'Ginas Bericht', content: '<p>Text.</p>', attributedTo: gina, to: ['https://www.w3.org/ns/activitystreams#Public'] } })
    assert.equal((await remotePage(wiki, { objectId: articleId }))?.actorName, 'Gina')
    const renamed = { ...mastodonActor(fake, 'gina', keys), name: 'Stadtteilverein Nord' }
    await post({ id: `${gina}#update-1`, type: 'Update', actor: gina, to: ['https://www.w3.org/ns/activitystreams#Public'], object: renamed })
    assert.equal((await remotePage(wiki, { objectId: articleId }))?.actorName, 'Stadtteilverein Nord')
  })

  it('keeps no link from a followed organisation that is not http(s), neither stored nor shown', async () => {
    const { id: ivo, post } = await followedPeer('ivo')
    const articleId = `${fake.url}/articles/ivo-1`
    const article = { id: articleId, type: 'Article', name: 'Ivos Bericht', content: '<p>Text.</p>', url: 'javascript:alert(document.cookie)', attributedTo: ivo, to: ['https://www.w3.org/ns/activitystreams#Public'] }
    await post({ id: `${ivo}#create-1`, type: 'Create', actor: ivo, to: ['https://www.w3.org/ns/activitystreams#Public'], object: article })
    const stored = await remotePage(wiki, { objectId: articleId })
    assert.equal(stored?.url, articleId)
    const shown = await wiki.app.inject({ url: `/remote/${stored?._id.toHexString() ?? ''}` })
    assert.equal(shown.statusCode, 200)
    assert.match(shown.body, new RegExp(`href="${articleId}"`))
    assert.doesNotMatch(shown.body, /javascript:|data:/i)
    // An id that only looks like the sender's host is not taken at all.
    const disguised = `javascript://${fake.host}/%0aalert(1)`
    await post({ id: `${ivo}#create-2`, type: 'Create', actor: ivo, to: ['https://www.w3.org/ns/activitystreams#Public'], object: { ...article, id: disguised, url: undefined } })
    assert.equal(await remotePage(wiki, { objectId: disguised }), null)
  })

  it('withdraws the pages of an organisation that deletes its actor, and drops it from following and followers', async () => {
    // The wiki follows Frank, Frank accepts and follows back, then publishes a page.
    const { id: frank, post } = await followedPeer('frank')
    await post({ id: `${frank}#follow-1`, type: 'Follow', actor: frank, object: `${wiki.url}/ap/u/wiki` })
    const articleId = `${fake.url}/articles/1`
    await post({
      id: `${frank}#create-1`,
      type: 'Create',
      actor: frank,
      to: ['https://www.w3.org/ns/activitystreams#Public'],
      object: { id: articleId, type: 'Article', name: 'Franks Bericht', content: '<p>Was wir lernten.</p>', attributedTo: frank, to: ['https://www.w3.org/ns/activitystreams#Public'] }
    })
    assert.equal((await remotePage(wiki, { objectId: articleId }))?.title, 'Franks Bericht')
    assert.ok((await wiki.app.federation.follows.listFollowing()).includes(frank))
    assert.ok((await wiki.app.federation.follows.listFollowers()).includes(frank))

    await post({ id: `${frank}#delete`, type: 'Delete', actor: frank, object: frank, to: ['https://www.w3.org/ns/activitystreams#Public'] })
    const withdrawn = await remotePage(wiki, { objectId: articleId })
    assert.ok(withdrawn?.deletedAt, 'the page is withdrawn')
    assert.equal(withdrawn?.html, '')
    assert.ok(!(await wiki.app.federation.follows.listFollowing()).includes(frank), 'no longer followed')
    assert.ok(!(await wiki.app.federation.follows.listFollowRequests()).includes(frank), 'nor waiting for an answer')
    assert.ok(!(await wiki.app.federation.follows.listFollowers()).includes(frank), 'no longer a follower')
    const requests = await wiki.app.federation.inbox.pendingFollows(await wiki.app.federation.core.actor())
    assert.ok(!requests.some(request => JSON.stringify(request.actor).includes(frank)), 'nor asking to follow')
  })

  it('refuses everything from a blocked domain', async () => {
    const blockedActor = activity({ actor: `http://localhost:${new URL(fake.url).port}/users/alice` })
    const answer = await signedPost(inbox, JSON.stringify(blockedActor), { keyId: `http://localhost:${new URL(fake.url).port}/users/alice#main-key`, privateKeyPem: keys.privateKeyPem })
    assert.equal(answer.status, 403)
    await assert.rejects(wiki.app.federation.follows.follow(`http://localhost:${new URL(fake.url).port}/users/alice`))
  })
})

describe('delivery when the other side is down', { timeout: 120_000 }, () => {
  it('delivers to an inbox that was down at first once it comes back', async () => {
    const a = await startInstance('sender')
    let b = await startInstance('receiver')
    try {
      await b.app.federation.follows.follow(`wiki@${a.host}`, 'pages')
      await eventually(async () => (await a.app.federation.follows.listFollowers()).length === 1, 15_000, 'the follow')
      const port = Number(new URL(b.url).port)
      await b.stop()
      const page = await a.app.wiki.createPage({ source: publicPage('Während der Pause', 'Geschrieben, als B schlief.') })
      await a.app.federation.publisher.idle()
      // The first attempt fails with B down; the retry schedule keeps the delivery.
      await eventually(async () => (await a.app.store.db.collection('deliveryQueue').countDocuments({ attempt: { $gt: 0 } })) > 0, 15_000, 'a retry to be scheduled')
      b = await startInstance('receiver', {}, { port, dataDir: b.dataDir })
      const articleId = a.app.federation.publisher.articleIdOf(page._id.toHexString())
      const arrived = await eventually(() => remotePage(b, { objectId: articleId }), 20_000, 'the page after B came back')
      assert.equal(arrived.title, 'Während der Pause')
    } finally {
      await a.close()
      await b.close()
    }
  })
})

describe('a profile changed in the settings', { timeout: 120_000 }, () => {
  it('updates the actor at the next start and tells the followers, whose copies show the new name', async () => {
    let a = await startInstance('renamed', { ORGANISATION_NAME: 'Verein Alt' })
    const b = await startInstance('watching')
    try {
      await b.app.federation.follows.follow(`wiki@${a.host}`, 'pages')
      await eventually(async () => (await a.app.federation.follows.listFollowers()).length === 1, 15_000, 'the follow')
      const page = await a.app.wiki.createPage({ source: publicPage('Vor der Umbenennung', 'Text.') })
      const articleId = a.app.federation.publisher.articleIdOf(page._id.toHexString())
      assert.equal((await eventually(() => remotePage(b, { objectId: articleId }), 15_000, 'the page at B')).actorName, 'Verein Alt')

      const profileOf = async (instance: Instance) => await (await fetch(`${instance.url}/ap/u/wiki`, { headers: { accept: 'application/activity+json' } })).json() as { name: string, summary?: string, publicKey: { publicKeyPem: string } }
      const before = await profileOf(a)
      const port = Number(new URL(a.url).port)
      await a.stop()
      a = await startInstance('renamed', { ORGANISATION_NAME: 'Verein Neu', ORGANISATION_SUMMARY: 'Jetzt mit Beschreibung.' }, { port, dataDir: a.dataDir })
      const actor = await profileOf(a)
      assert.equal(actor.name, 'Verein Neu')
      assert.equal(actor.summary, 'Jetzt mit Beschreibung.')
      await eventually(async () => (await remotePage(b, { objectId: articleId }))?.actorName === 'Verein Neu', 15_000, 'the new name at B')
      // The same key, and never a copy of it in an activity.
      assert.equal(actor.publicKey.publicKeyPem, before.publicKey.publicKeyPem)
      assert.equal(await a.app.store.db.collection('streams').countDocuments({ 'object._meta.privateKey': { $exists: true } }), 0)
    } finally {
      await a.close()
      await b.close()
    }
  })
})

describe('following from the command line', { timeout: 120_000 }, () => {
  it('sends a Follow while the server is stopped; the Accept arrives once it runs', async () => {
    const a = await startInstance('followed')
    const { mkdtemp } = await import('node:fs/promises')
    const { tmpdir } = await import('node:os')
    const { join } = await import('node:path')
    const { spawn } = await import('node:child_process')
    const { createServer } = await import('node:net')
    const port = await new Promise<number>(resolve => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const chosen = (server.address() as { port: number }).port
        server.close(() => resolve(chosen))
      })
    })
    const dataDir = await mkdtemp(join(tmpdir(), 'praxiswiki-cli-'))
    let b: Instance | undefined
    try {
      const env = { ...process.env, DATA_DIR: dataDir, BASE_URL: `http://127.0.0.1:${port}`, PORT: String(port), FEDERATION_ALLOW_PRIVATE: 'true', FEDERATION_KEY_BITS: '2048', LOG_LEVEL: 'silent' }
      const output = await new Promise<{ code: number | null, text: string }>((resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/follow.ts', `wiki@${a.host}`], { env, stdio: ['ignore', 'pipe', 'pipe'] })
        let text = ''
        child.stdout.on('data', chunk => { text += chunk })
        child.stderr.on('data', chunk => { text += chunk })
        const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
        child.on('close', code => { clearTimeout(timer); resolve({ code, text }) })
      })
      assert.equal(output.code, 0, output.text)
      assert.match(output.text, /sent a follow request/)
      // A cannot verify the Follow until B's server answers for B's key; the queue keeps it.
      b = await startInstance('cli', {}, { port, dataDir })
      const started = b
      await eventually(async () => (await a.app.federation.follows.listFollowers()).length === 1, 30_000, 'A to record the follower')
      await eventually(async () => (await started.app.federation.follows.listFollowing()).includes(`${a.url}/ap/u/wiki`), 20_000, 'the Accept to reach the started server')
    } finally {
      await a.close()
      if (b) await b.close()
    }
  })
})

describe('follow approval and domain blocks managed at run time', { timeout: 120_000 }, () => {
  let wiki: Instance
  let fake: FakeServer
  const keys: Record<string, KeyPair> = {}
  const actor = (name: string): string => `${fake.url}/users/${name}`
  const follow = async (name: string): Promise<Record<string, unknown>> => {
    keys[name] ??= makeKeyPair()
    fake.documents.set(`/users/${name}`, mastodonActor(fake, name, keys[name] as KeyPair))
    const activity = { '@context': 'https://www.w3.org/ns/activitystreams', id: `${actor(name)}/follows/1`, type: 'Follow', actor: actor(name), object: `${wiki.url}/ap/u/wiki` }
    const answer = await signedPost(`${wiki.url}/ap/inbox/wiki`, JSON.stringify(activity), { keyId: `${actor(name)}#main-key`, privateKeyPem: (keys[name] as KeyPair).privateKeyPem })
    assert.ok(answer.status < 300, `${answer.status} ${answer.text}`)
    return activity
  }

  before(async () => {
    wiki = await startInstance('approving', { FEDERATION_FOLLOW_APPROVAL: 'manual' })
    fake = await startFakeServer()
  })
  after(async () => {
    await wiki?.close()
    await fake?.close()
  })

  it('keeps follow requests pending until an admin approves or rejects them', async () => {
    const fromDora = await follow('dora')
    const fromEmil = await follow('emil')
    const us = await wiki.app.federation.core.actor()
    const pending = await eventually(async () => {
      const list = await wiki.app.federation.inbox.pendingFollows(us)
      return list.length === 2 ? list : null
    }, 10_000, 'two pending requests')
    assert.deepEqual(pending.map(item => item.id).sort(), [fromDora.id, fromEmil.id].sort())
    assert.deepEqual(await wiki.app.federation.follows.listFollowers(), [])
    assert.equal(fake.received.filter(entry => JSON.parse(entry.body).type === 'Accept').length, 0)

    await wiki.app.federation.inbox.approveFollow(String(fromDora.id))
    await wiki.app.federation.inbox.rejectFollow(String(fromEmil.id))
    assert.deepEqual(await wiki.app.federation.follows.listFollowers(), [actor('dora')])
    assert.deepEqual(await wiki.app.federation.inbox.pendingFollows(us), [])
    await eventually(async () => fake.received.some(entry => JSON.parse(entry.body).type === 'Accept'), 10_000, 'the Accept')
    await eventually(async () => fake.received.some(entry => JSON.parse(entry.body).type === 'Reject'), 10_000, 'the Reject')
  })

  it('refuses a domain from the moment an admin blocks it', async () => {
    keys.frida = makeKeyPair()
    const blockedHost = 'localhost'
    await wiki.app.federation.blocks.add(blockedHost, 'spam')
    const port = new URL(fake.url).port
    const fromBlocked = { '@context': 'https://www.w3.org/ns/activitystreams', id: `http://localhost:${port}/users/frida/follows/1`, type: 'Follow', actor: `http://localhost:${port}/users/frida`, object: `${wiki.url}/ap/u/wiki` }
    const answer = await signedPost(`${wiki.url}/ap/inbox/wiki`, JSON.stringify(fromBlocked), { keyId: `http://localhost:${port}/users/frida#main-key`, privateKeyPem: keys.frida.privateKeyPem })
    assert.equal(answer.status, 403)
    assert.deepEqual((await wiki.app.federation.blocks.list()).map(block => block.host), ['localhost'])
    await wiki.app.federation.blocks.remove(blockedHost)
    assert.equal(wiki.app.federation.isBlocked('localhost'), false)
  })
})

describe('the federation admin page', { timeout: 120_000 }, () => {
  it('lets an admin follow and unfollow another organisation by handle', async () => {
    const a = await startInstance('admin-target')
    const b = await startInstance('admin-home')
    try {
      const admin = await signIn(b.app, b.app.inject.bind(b.app) as never, 'verwaltung', 'admin')
      const followed = await admin.inject({ method: 'POST', url: '/admin/federation/follow', payload: new URLSearchParams({ target: `wiki@${a.host}` }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } })
      assert.equal(followed.statusCode, 303, followed.body.slice(0, 500))
      await eventually(async () => (await b.app.federation.follows.listFollowing()).includes(`${a.url}/ap/u/wiki`), 15_000, 'the follow to be accepted')
      const page = await admin.inject({ url: '/admin/federation', headers: { 'accept-language': 'en' } })
      assert.match(page.body, new RegExp(`${a.url}/ap/u/wiki`))
      const unknown = await admin.inject({ method: 'POST', url: '/admin/federation/follow', payload: new URLSearchParams({ target: 'not a handle' }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } })
      assert.equal(unknown.statusCode, 400)
      const unfollowed = await admin.inject({ method: 'POST', url: '/admin/federation/unfollow', payload: new URLSearchParams({ target: `wiki@${a.host}` }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } })
      assert.equal(unfollowed.statusCode, 303)
      assert.deepEqual(await b.app.federation.follows.listFollowing(), [])
    } finally {
      await a.close()
      await b.close()
    }
  })
})
