import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { eventually, startInstance, type Instance } from '../federation/instances.ts'
import { makeKeyPair, mastodonActor, signedPost, startFakeServer, type FakeServer, type KeyPair } from '../federation/peer.ts'
import { lesson } from '../search/helpers.ts'

interface ApiComment { id: string, parentId: string | null, kind: string, status: string, html: string, author: { name: string, server: string | null, url: string | null }, objectId: string | null }

/** A lesson that everyone may read, and so may answer from anywhere. */
function publicLesson (title: string): string {
  return `---\ntitle: ${title}\nvisibility: public\n${lesson({ outcome: 'fails', field: 'Jugendhilfe', from: '2023-01', language: 'de' })}---\nWas wir versucht haben.\n`
}

describe('replies from the fediverse become moderated comments', { timeout: 180_000 }, () => {
  let wiki: Instance
  let follower: Instance
  let fake: FakeServer
  let keys: KeyPair
  let alice: string
  let slug: string
  let articleId: string
  let token: string

  const note = (id: string, inReplyTo: string, content: string, actor = alice): Record<string, unknown> => ({
    id: `${fake.url}/users/${actor.split('/').pop()}/statuses/${id}`,
    type: 'Note',
    attributedTo: actor,
    inReplyTo,
    content,
    url: `${fake.url}/@${actor.split('/').pop()}/${id}`,
    published: new Date().toISOString(),
    to: ['https://www.w3.org/ns/activitystreams#Public'],
    cc: [`${actor}/followers`, `${wiki.url}/ap/u/wiki`]
  })
  const send = async (type: string, object: unknown, actor = alice, pair = keys): Promise<{ status: number, text: string }> => {
    const handled = wiki.app.federation.inbox.handled.once('handled')
    const activity = { '@context': 'https://www.w3.org/ns/activitystreams', id: `${fake.url}/activities/${Math.random().toString(36).slice(2)}`, type, actor, object, to: ['https://www.w3.org/ns/activitystreams#Public'] }
    const answer = await signedPost(`${wiki.url}/ap/inbox/wiki`, JSON.stringify(activity), { keyId: `${actor}#main-key`, privateKeyPem: pair.privateKeyPem })
    if (answer.status < 300) await handled
    return answer
  }
  const comments = async (status?: string): Promise<{ status: number, list: ApiComment[] }> => {
    const response = await fetch(`${wiki.url}/api/pages/${slug}/comments${status === undefined ? '' : `?status=${status}`}`, { headers: status === undefined ? {} : { authorization: `Bearer ${token}` } })
    return { status: response.status, list: response.status === 200 ? (await response.json() as { comments: ApiComment[] }).comments : [] }
  }

  before(async () => {
    wiki = await startInstance('commented', { FEDERATION_BLOCKED_DOMAINS: 'localhost', COMMENTS_PUBLISH_FROM_FOLLOWED: 'true' })
    follower = await startInstance('listening')
    fake = await startFakeServer()
    keys = makeKeyPair()
    fake.documents.set('/users/alice', mastodonActor(fake, 'alice', keys))
    alice = `${fake.url}/users/alice`
    const page = await wiki.app.wiki.createPage({ source: publicLesson('Elternabend ohne Eltern'), confirmPublication: true })
    slug = page.slug
    await wiki.app.federation.publisher.idle()
    articleId = wiki.app.federation.publisher.articleIdOf(page._id.toHexString())
    await wiki.app.auth.accounts.create({ username: 'moderatorin', password: 'correct horse battery staple', role: 'moderator' })
    token = (await wiki.app.auth.accounts.createToken('moderatorin', 'tests')).token
  })
  after(async () => {
    await wiki?.close()
    await follower?.close()
    await fake?.close()
  })

  it('holds a Mastodon reply for a moderator, shows it once approved and drops it when its author deletes it', async () => {
    const reply = note('1', articleId, '<p>Bei uns kamen die Eltern erst, als wir <strong>Kinderbetreuung</strong> anboten.</p><script>alert(1)</script>')
    const answer = await send('Create', reply)
    assert.ok(answer.status >= 200 && answer.status < 300, `${answer.status} ${answer.text}`)

    assert.deepEqual((await comments()).list, [], 'not public before a moderator looked at it')
    assert.ok(!(await (await fetch(`${wiki.url}/wiki/${slug}`)).text()).includes('Kinderbetreuung'))
    assert.equal((await comments('pending')).list.length, 1)
    assert.equal((await fetch(`${wiki.url}/api/pages/${slug}/comments?status=pending`)).status, 404, 'the queue is for moderators only')

    const [pending] = (await comments('pending')).list
    assert.ok(pending !== undefined)
    assert.equal(pending.objectId, reply.id)
    assert.ok(!pending.html.includes('script'), 'HTML is reduced to the allowed subset')
    const approved = await fetch(`${wiki.url}/api/comments/${pending.id}/approve`, { method: 'POST', headers: { authorization: `Bearer ${token}` } })
    assert.equal(approved.status, 200)

    const shown = (await comments()).list
    assert.equal(shown.length, 1)
    assert.deepEqual(shown[0]?.author, { name: 'Alice', server: `@alice@${fake.host}`, url: `${fake.url}/@alice/1` })
    const html = await (await fetch(`${wiki.url}/wiki/${slug}`)).text()
    assert.ok(html.includes('Kinderbetreuung') && html.includes(`@alice@${fake.host}`) && html.includes(`${fake.url}/@alice/1`), 'on the page, with name, server and the original')

    const article = await (await fetch(articleId, { headers: { accept: 'application/activity+json' } })).json() as { replies: string, context: string }
    const replies = await (await fetch(article.replies, { headers: { accept: 'application/activity+json' } })).json() as { items: string[] }
    assert.deepEqual(replies.items, [reply.id], 'the Article\'s replies collection lists it')
    const conversation = await (await fetch(article.context, { headers: { accept: 'application/activity+json' } })).json() as { orderedItems: string[] }
    assert.deepEqual(conversation.orderedItems, [articleId, reply.id])

    const audit = await wiki.app.auth.audit.recent({ limit: 10, kinds: ['comment-approved'] })
    assert.equal(audit[0]?.actor, 'moderatorin')

    await send('Update', { ...reply, content: '<p>Korrigiert: Kinderbetreuung und Essen.</p>', updated: new Date().toISOString() })
    assert.deepEqual((await comments()).list, [], 'an edited reply waits for a moderator again')
    await fetch(`${wiki.url}/api/comments/${pending.id}/approve`, { method: 'POST', headers: { authorization: `Bearer ${token}` } })
    assert.match((await comments()).list[0]?.html ?? '', /Kinderbetreuung und Essen/)

    await send('Delete', { id: reply.id, type: 'Tombstone' })
    assert.deepEqual((await comments()).list, [])
    assert.ok(!(await (await fetch(`${wiki.url}/wiki/${slug}`)).text()).includes('Kinderbetreuung'))
    const emptied = await (await fetch(article.replies, { headers: { accept: 'application/activity+json' } })).json() as { items: string[] }
    assert.deepEqual(emptied.items, [])
  })

  it('refuses replies from a blocked domain and ignores replies to things that are not ours', async () => {
    const mallory = makeKeyPair()
    const localhost = fake.url.replace('127.0.0.1', 'localhost')
    fake.documents.set('/users/mallory', { ...mastodonActor(fake, 'mallory', mallory), id: `${localhost}/users/mallory` })
    const blocked = await send('Create', { ...note('2', articleId, '<p>Werbung</p>'), attributedTo: `${localhost}/users/mallory` }, `${localhost}/users/mallory`, mallory)
    assert.ok(blocked.status >= 400 && blocked.status < 500, `blocked domain answered ${blocked.status}`)

    const elsewhere = await send('Create', note('3', `${fake.url}/users/bob/statuses/9`, '<p>@wiki schau mal</p>'))
    assert.ok(elsewhere.status >= 200 && elsewhere.status < 300, 'a mention in someone else\'s thread is accepted and ignored')
    const unknown = await send('Create', note('4', `${wiki.url}/ap/o/000000000000000000000000`, '<p>?</p>'))
    assert.ok(unknown.status >= 200 && unknown.status < 300)
    assert.deepEqual((await comments('pending')).list, [])
  })

  it('takes a Misskey reply to an approved comment into the same thread, and answers it with a Note to its author', async () => {
    const misskeyKeys = makeKeyPair()
    fake.documents.set('/users/9x2k', { ...mastodonActor(fake, '9x2k', misskeyKeys), preferredUsername: 'carla', name: 'Carla' })
    const carla = `${fake.url}/users/9x2k`
    const top = note('10', articleId, '<p>Oberster Kommentar</p>')
    await send('Create', top)
    const [waiting] = (await comments('pending')).list
    assert.ok(waiting !== undefined)
    await fetch(`${wiki.url}/api/comments/${waiting.id}/approve`, { method: 'POST', headers: { authorization: `Bearer ${token}` } })
    // Misskey's shape: its own Markdown beside the HTML, and a short id path.
    const misskey = {
      id: `${fake.url}/notes/9x2kq`,
      type: 'Note',
      attributedTo: carla,
      inReplyTo: top.id,
      content: '<p><a href="https://example.org/@alice" class="u-url mention">@alice</a> genau so war es bei uns</p>',
      _misskey_content: '@alice genau so war es bei uns',
      source: { content: '@alice genau so war es bei uns', mediaType: 'text/x.misskeymarkdown' },
      published: new Date().toISOString(),
      to: ['https://www.w3.org/ns/activitystreams#Public'],
      cc: [`${carla}/followers`],
      tag: [{ type: 'Mention', href: alice, name: '@alice' }]
    }
    await send('Create', misskey, carla, misskeyKeys)
    const threaded = (await comments('pending')).list.find(item => item.objectId === misskey.id) as (ApiComment & { parentId: string | null }) | undefined
    assert.ok(threaded !== undefined)
    assert.equal(threaded.parentId, waiting.id, 'a reply to a reply joins the top-level comment')
    assert.equal(threaded.author.name, 'Carla')

    const author = await wiki.app.auth.accounts.create({ username: 'antwortende', password: 'correct horse battery staple', role: 'editor' })
    const written = await wiki.app.auth.accounts.createToken(author.username, 'tests')
    const posted = await fetch(`${wiki.url}/api/pages/${slug}/comments`, { method: 'POST', headers: { authorization: `Bearer ${written.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ text: 'Danke, Alice!', parent: waiting.id }) })
    assert.equal(posted.status, 201)
    const delivered = await eventually(async () => fake.received.map(entry => JSON.parse(entry.body) as Record<string, any>).find(activity => activity.type === 'Create' && activity.object?.inReplyTo === top.id), 20_000, 'the answer in alice\'s inbox')
    assert.ok([delivered.object.to, delivered.object.cc].flat().includes(alice), 'addressed to the person answered')
    assert.deepEqual([delivered.object.tag].flat(), [{ type: 'Mention', href: alice, name: `@alice@${fake.host}` }])
  })

  it('shows replies from an organisation this wiki follows at once when the setting says so', async () => {
    const followed = makeKeyPair()
    fake.documents.set('/users/verein', mastodonActor(fake, 'verein', followed))
    const verein = `${fake.url}/users/verein`
    await wiki.app.federation.follows.follow(verein)
    const follow = await eventually(async () => fake.received.map(entry => JSON.parse(entry.body) as Record<string, any>).find(activity => activity.type === 'Follow' && activity.object === verein), 20_000, 'our Follow')
    await send('Accept', { id: follow.id, type: 'Follow', actor: follow.actor, object: verein }, verein, followed)
    const reply = { ...note('20', articleId, '<p>Von einem Verein, dem gefolgt wird</p>', verein), id: `${fake.url}/users/verein/statuses/20` }
    await send('Create', reply, verein, followed)
    assert.ok((await comments()).list.some(item => item.objectId === reply.id), 'shown without a moderator')
  })

  it('drops a flood from one remote actor after twenty replies in an hour', async () => {
    for (let n = 0; n < 22; n++) await send('Create', note(`flood-${n}`, articleId, `<p>Nummer ${n}</p>`))
    // alice's replies of the hour so far: one in the first test, one in the Misskey test.
    const pending = (await comments('pending')).list.filter(item => item.html.startsWith('<p>Nummer'))
    assert.deepEqual(pending.map(item => item.html), Array.from({ length: 18 }, (_, n) => `<p>Nummer ${n}</p>`))
  })

  it('sends a local comment to a following instance as a Note in reply to the Article', async () => {
    const handle = `wiki@${wiki.host}`
    await follower.app.federation.follows.follow(handle)
    await eventually(async () => (await wiki.app.federation.follows.listFollowers()).includes(`${follower.url}/ap/u/wiki`), 20_000, 'the follow')
    const author = await wiki.app.auth.accounts.create({ username: 'kollegin', password: 'correct horse battery staple', role: 'editor' })
    const written = await wiki.app.auth.accounts.createToken(author.username, 'tests')
    const posted = await fetch(`${wiki.url}/api/pages/${slug}/comments`, { method: 'POST', headers: { authorization: `Bearer ${written.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ text: 'Wir haben es **zweimal** versucht.' }), redirect: 'manual' })
    assert.equal(posted.status, 201, `${posted.status} ${posted.url} ${(await posted.clone().text()).slice(0, 300)}`)
    const { id } = await posted.json() as { id: string }
    const arrived = await eventually(async () => {
      const stored = await follower.app.store.db.collection('streams').findOne({ type: 'Create', 'object.type': 'Note' })
      return stored as Record<string, any> | null
    }, 20_000, 'the Note at the follower')
    const object = Array.isArray(arrived.object) ? arrived.object[0] : arrived.object
    const first = (value: unknown): unknown => Array.isArray(value) ? value[0] : value
    assert.equal(first(object.inReplyTo), articleId)
    assert.equal(first(object.id), `${wiki.url}/comments/${id}`)
    assert.match(String(first(object.content)), /<strong>zweimal<\/strong>/)
    const fetched = await (await fetch(`${wiki.url}/comments/${id}`, { headers: { accept: 'application/activity+json' } })).json() as { type: string, context: string }
    assert.equal(fetched.type, 'Note')
    assert.equal(fetched.context, `${wiki.url}/conversations/${(await wiki.app.wiki.requirePage(slug))._id.toHexString()}`)
  })
})
