import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { RemotePageDocument } from '../../src/federation/remote-pages.ts'
import { eventually, startInstance, type Instance } from '../federation/instances.ts'
import { photo } from './fixtures.ts'

async function remotePage (instance: Instance, filter: Record<string, unknown>): Promise<RemotePageDocument | null> {
  return await instance.app.store.db.collection<RemotePageDocument>('remotePages').findOne(filter)
}

describe('images between instances', { timeout: 180_000 }, () => {
  let a: Instance
  let b: Instance
  let token: string

  before(async () => {
    [a, b] = await Promise.all([startInstance('media-a'), startInstance('media-b')])
    await a.app.auth.accounts.create({ username: 'anna', password: 'a long password for anna', role: 'editor' })
    token = (await a.app.auth.accounts.createToken('anna', 'test')).token
    await b.app.federation.follows.follow(`wiki@${a.host}`, 'pages')
    await eventually(async () => (await b.app.federation.follows.listFollowing()).includes(`${a.url}/ap/u/wiki`), 15_000, 'B to follow A')
  })
  after(async () => {
    await Promise.all([a, b].map(instance => instance?.close()))
  })

  it('sends a public page\'s image as attachment and image, and the follower shows its own copy', async () => {
    const body = new FormData()
    body.append('alt', 'Tafel im Hof')
    body.append('file', new Blob([await photo(1000, 700)], { type: 'image/jpeg' }), 'hof.jpg')
    const uploaded = await fetch(`${a.url}/api/media`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body })
    assert.equal(uploaded.status, 201)
    const { url, markdown } = await uploaded.json() as { url: string, markdown: string }
    const created = await fetch(`${a.url}/api/pages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ source: `---\ntitle: Hoffest\nvisibility: public\n---\nAlle an einem Tisch.\n\n${markdown}\n`, confirmConsent: true })
    })
    assert.equal(created.status, 201, await created.clone().text())

    const article = await (await fetch(`${a.url}/wiki/hoffest`, { headers: { accept: 'application/activity+json' } })).json() as Record<string, any>
    const expected = { type: 'Image', mediaType: 'image/jpeg', url, name: 'Tafel im Hof' }
    // JSON-LD compaction writes a list of one as the one item.
    assert.deepEqual([article.attachment].flat(), [expected])
    assert.deepEqual(article.image, expected)

    // B received the Article with its attachment, and stored the page with a copy of the image of its own.
    const seen = await eventually(async () => await b.app.store.db.collection('objects').findOne({ id: article.id }), 15_000, 'the Article at B')
    const attachment = [(seen as Record<string, any>).attachment].flat(2)[0]
    assert.equal(attachment?.url?.[0] ?? attachment?.url, url)
    const page = await eventually(() => remotePage(b, { objectId: article.id }), 15_000, 'the page at B')
    const local = /<img src="(\/media\/[0-9a-f]{64}\.jpg)" alt="Tafel im Hof" \/>/.exec(page.html)
    assert.ok(local, page.html)
    assert.doesNotMatch(page.html, new RegExp(a.url.replace(/\./g, '\\.') + '/media'))
    const served = await fetch(`${b.url}${local[1]}`)
    assert.equal(served.status, 200)
    assert.equal(served.headers.get('content-type'), 'image/jpeg')
    const copy = await b.app.media.find(local[1]!.slice('/media/'.length))
    assert.equal(copy?.metadata.source, url)
    const shown = await fetch(`${b.url}/remote/${page._id.toHexString()}`)
    assert.match(await shown.text(), new RegExp(`<img src="${local[1]}" alt="Tafel im Hof"`))
  })

  it('keeps the alt text with a note where an image cannot be copied, and fetches nothing from third servers', async () => {
    const us = await a.app.federation.core.actor()
    const apex = a.app.federation.core.apex
    const objectId = `${a.url}/ap/o/hand-made-images`
    const article = {
      id: objectId,
      type: 'Article',
      name: 'Bilder, die fehlen',
      content: `<p>Text <img src="${a.url}/media/${'0'.repeat(64)}.jpg" alt="Fehlt beim Absender"><img src="http://127.0.0.2:9/p.gif" alt="Fremder Server"></p>`,
      attributedTo: us.id,
      to: ['https://www.w3.org/ns/activitystreams#Public']
    }
    const create = await apex.buildActivity('Create', us.id, ['https://www.w3.org/ns/activitystreams#Public'], { object: article })
    const body = apex.stringifyPublicJSONLD(await apex.toJSONLD(create))
    const answer = await a.app.federation.http.postActivity(`${b.url}/ap/inbox/wiki`, body, { keyId: `${us.id}#main-key`, privateKeyPem: us._meta?.privateKey as string })
    assert.ok(answer.statusCode < 300, String(answer.statusCode))
    const stored = await eventually(() => remotePage(b, { objectId }), 15_000, 'the Article at B')
    assert.doesNotMatch(stored.html, /<img/)
    assert.match(stored.html, /<span class="remote-image-missing">\[Fehlt beim Absender\] \(Bild nicht übernommen · image not copied\)<\/span>/)
    assert.match(stored.html, /<span class="remote-image-missing">\[Fremder Server\]/)
  })
})
