import assert from 'node:assert/strict'
import http from 'node:http'
import { after, before, describe, it } from 'node:test'
import { generateKeyPairSync } from 'node:crypto'
import { rfc9421Headers } from '../../src/federation/rfc9421.ts'
import { eventually, startInstance, type Instance } from './instances.ts'
import { makeKeyPair, mastodonActor, startFakeServer } from './peer.ts'
import { fedifyPeerMissing, startFedifyPeer, type FedifyPeer } from './signing-peers.ts'

const AS = 'https://www.w3.org/ns/activitystreams'
const PUBLIC = `${AS}#Public`

/** Sends a request to `address` (a loopback URL) with exactly these headers (Host included), as a proxy or a peer would. */
async function send (address: string, method: string, headers: Record<string, string>, body?: string): Promise<{ status: number, text: string, headers: http.IncomingHttpHeaders }> {
  return await new Promise((resolve, reject) => {
    const request = http.request(address, { method, headers: body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) }, timeout: 15_000 }, response => {
      const chunks: Buffer[] = []
      response.on('data', chunk => chunks.push(chunk))
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), headers: response.headers }))
    })
    request.on('error', reject)
    request.on('timeout', () => request.destroy(new Error('timed out')))
    request.end(body)
  })
}

const skip = fedifyPeerMissing() ?? false

describe('RFC 9421 signatures from a Fedify peer', { timeout: 180_000, skip }, () => {
  let wiki: Instance
  let peer: FedifyPeer
  let inbox: string
  let fedi: string
  let count = 0

  const activity = (type: string, extra: Record<string, unknown> = {}): Record<string, unknown> =>
    ({ '@context': AS, id: `${peer.url}/activities/${++count}`, type, actor: fedi, ...extra })
  /** Signs with Fedify (RFC 9421 only) and sends once: the only knock. */
  const knock = async (body: string, order: { actor?: string, createdSecondsAgo?: number } = {}, spoil: (headers: Record<string, string>) => void = () => {}, sent = body) => {
    const headers = await peer.sign({ actor: order.actor ?? 'fedi', url: inbox, body, createdSecondsAgo: order.createdSecondsAgo })
    spoil(headers)
    return await send(inbox, 'POST', headers, sent)
  }
  const followers = async (): Promise<string[]> => await wiki.app.federation.follows.listFollowers()

  before(async () => {
    wiki = await startInstance('rfc9421-in')
    peer = await startFedifyPeer()
    inbox = `${wiki.url}/ap/inbox/wiki`
    fedi = `${peer.url}/users/fedi`
  })
  after(async () => {
    await wiki?.close()
    await peer?.close()
  })

  it('accepts a Follow, a Create and an Undo signed only with RFC 9421, each on the first knock', async () => {
    const follow = activity('Follow', { object: `${wiki.url}/ap/u/wiki` })
    const followed = await knock(JSON.stringify(follow))
    assert.ok(followed.status >= 200 && followed.status < 300, `${followed.status} ${followed.text}`)
    await eventually(async () => (await followers()).includes(fedi), 15_000, 'the follower')

    const note = { id: `${peer.url}/notes/1`, type: 'Note', attributedTo: fedi, content: '<p>Hallo</p>', to: [PUBLIC] }
    const create = activity('Create', { object: note, to: [PUBLIC] })
    const created = await knock(JSON.stringify(create))
    assert.ok(created.status >= 200 && created.status < 300, `${created.status} ${created.text}`)
    await eventually(async () => await wiki.app.store.db.collection('streams').countDocuments({ id: create.id }) === 1, 15_000, 'the Create stored')

    const undone = await knock(JSON.stringify(activity('Undo', { object: follow })))
    assert.ok(undone.status >= 200 && undone.status < 300, `${undone.status} ${undone.text}`)
    await eventually(async () => !(await followers()).includes(fedi), 15_000, 'the follow undone')
  })

  it('answers 401 with Accept-Signature to a tampered signature, a wrong Content-Digest, an expired created and a key of someone else', async () => {
    const follow = activity('Follow', { object: `${wiki.url}/ap/u/wiki` })
    const body = JSON.stringify(follow)
    const tampered = await knock(body, {}, headers => {
      const signature = headers.signature as string
      const at = signature.indexOf(':') + 5
      headers.signature = signature.slice(0, at) + (signature[at] === 'A' ? 'B' : 'A') + signature.slice(at + 1)
    })
    assert.equal(tampered.status, 401, 'tampered signature')
    assert.match(tampered.text, /does not verify/)
    assert.equal(tampered.headers['accept-signature'], 'sig1=("@method" "@target-uri" "content-digest");created;keyid')

    const otherBody = JSON.stringify({ ...follow, object: `${wiki.url}/ap/u/someone-else` })
    const wrongDigest = await knock(body, {}, () => {}, otherBody)
    assert.equal(wrongDigest.status, 401, 'body that the Content-Digest does not match')
    assert.match(wrongDigest.text, /Content-Digest sha-256 does not match/)

    const expired = await knock(body, { createdSecondsAgo: 13 * 3600 })
    assert.equal(expired.status, 401, 'created 13 hours ago')
    assert.match(expired.text, /expired/)

    const mallory = await knock(body, { actor: 'mallory' })
    assert.equal(mallory.status, 401, 'signed with a key mallory owns')
    assert.match(mallory.text, /belongs to .*mallory/)

    assert.equal(await wiki.app.store.db.collection('streams').countDocuments({ id: follow.id }), 0)
  })
})

describe('RFC 9421 signatures without the Fedify peer', { timeout: 60_000 }, () => {
  let wiki: Instance
  before(async () => { wiki = await startInstance('rfc9421-malformed') })
  after(async () => { await wiki?.close() })

  it('answers 401, never 500, to malformed, oversized and unsupported signatures', async () => {
    const inbox = `${wiki.url}/ap/inbox/wiki`
    const body = JSON.stringify({ '@context': AS, id: 'http://127.0.0.1:1/a/1', type: 'Follow', actor: 'http://127.0.0.1:1/u', object: `${wiki.url}/ap/u/wiki` })
    const base = { host: wiki.host, 'content-type': 'application/activity+json', 'content-digest': 'sha-256=:AAAA:' }
    const created = Math.floor(Date.now() / 1000)
    const cases: Array<[string, Record<string, string>]> = [
      ['not a dictionary', { 'signature-input': '((((', signature: 'sig1=:AAAA:' }],
      ['oversized', { 'signature-input': `sig1=("@method");keyid="${'x'.repeat(9000)}"`, signature: 'sig1=:AAAA:' }],
      ['no matching label', { 'signature-input': `sig1=("@method" "@target-uri" "content-digest");created=${created};keyid="http://127.0.0.1:1/u#k"`, signature: 'sig2=:AAAA:' }],
      ['unknown algorithm', { 'signature-input': `sig1=("@method" "@target-uri" "content-digest");created=${created};keyid="http://127.0.0.1:1/u#k";alg="hmac-sha256"`, signature: 'sig1=:AAAA:' }],
      ['no created', { 'signature-input': 'sig1=("@method" "@target-uri" "content-digest");keyid="http://127.0.0.1:1/u#k"', signature: 'sig1=:AAAA:' }],
      ['@target-uri not covered', { 'signature-input': `sig1=("@method" "content-digest");created=${created};keyid="http://127.0.0.1:1/u#k"`, signature: 'sig1=:AAAA:' }],
      ['content-digest not covered', { 'signature-input': `sig1=("@method" "@target-uri");created=${created};keyid="http://127.0.0.1:1/u#k"`, signature: 'sig1=:AAAA:' }],
      ['keyid not a URL', { 'signature-input': `sig1=("@method" "@target-uri" "content-digest");created=${created};keyid="main-key"`, signature: 'sig1=:AAAA:' }],
      ['signature not bytes', { 'signature-input': `sig1=("@method" "@target-uri" "content-digest");created=${created};keyid="http://127.0.0.1:1/u#k"`, signature: 'sig1="text"' }],
      ['unsupported component', { 'signature-input': `sig1=("@method" "@target-uri" "content-digest" "@status");created=${created};keyid="http://127.0.0.1:1/u#k"`, signature: 'sig1=:AAAA:' }]
    ]
    for (const [what, headers] of cases) {
      const answer = await send(inbox, 'POST', { ...base, ...headers }, body)
      assert.equal(answer.status, 401, `${what}: ${answer.text}`)
    }
    assert.equal(await wiki.app.store.db.collection('streams').countDocuments({ id: 'http://127.0.0.1:1/a/1' }), 0)
  })

  it('verifies an Ed25519 key, and refuses it for an RSA algorithm', async () => {
    const fake = await startFakeServer()
    try {
      const ed = generateKeyPairSync('ed25519', { publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } })
      fake.documents.set('/users/ed', mastodonActor(fake, 'ed', { ...makeKeyPair(), publicKeyPem: ed.publicKey }))
      const actor = `${fake.url}/users/ed`
      const inbox = new URL(`${wiki.url}/ap/inbox/wiki`)
      const follow = (n: number): string => JSON.stringify({ '@context': AS, id: `${actor}/follows/${n}`, type: 'Follow', actor, object: `${wiki.url}/ap/u/wiki` })
      const signed = rfc9421Headers('POST', inbox, follow(1), { keyId: `${actor}#main-key`, privateKeyPem: ed.privateKey })
      assert.match(signed['Signature-Input'] as string, /alg="ed25519"/)
      const answer = await send(inbox.href, 'POST', { host: wiki.host, 'content-type': 'application/activity+json', ...signed }, follow(1))
      assert.ok(answer.status >= 200 && answer.status < 300, `${answer.status} ${answer.text}`)
      const relabelled = rfc9421Headers('POST', inbox, follow(2), { keyId: `${actor}#main-key`, privateKeyPem: ed.privateKey })
      relabelled['Signature-Input'] = (relabelled['Signature-Input'] as string).replace('alg="ed25519"', 'alg="rsa-v1_5-sha256"')
      const refused = await send(inbox.href, 'POST', { host: wiki.host, 'content-type': 'application/activity+json', ...relabelled }, follow(2))
      assert.equal(refused.status, 401, refused.text)
    } finally {
      await fake.close()
    }
  })
})

describe('RFC 9421 behind a reverse proxy', { timeout: 120_000, skip }, () => {
  let wiki: Instance
  let peer: FedifyPeer
  before(async () => {
    wiki = await startInstance('rfc9421-proxy', { BASE_URL: 'https://wiki.example.org', TRUST_PROXY: 'loopback' })
    peer = await startFedifyPeer()
  })
  after(async () => {
    await wiki?.close()
    await peer?.close()
  })

  it('checks @target-uri against the public URL (BASE_URL), not the address the proxy forwarded to', async () => {
    const fedi = `${peer.url}/users/fedi`
    const follow = (n: number): string => JSON.stringify({ '@context': AS, id: `${fedi}/follows/${n}`, type: 'Follow', actor: fedi, object: 'https://wiki.example.org/ap/u/wiki' })
    const local = `${wiki.url}/ap/inbox/wiki`
    // The sender signed the public inbox; the proxy forwards to the app with the public Host and X-Forwarded-Proto.
    const publicHeaders = await peer.sign({ actor: 'fedi', url: 'https://wiki.example.org/ap/inbox/wiki', body: follow(1) })
    const proxied = await send(local, 'POST', { ...publicHeaders, host: 'wiki.example.org', 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.9' }, follow(1))
    assert.ok(proxied.status >= 200 && proxied.status < 300, `${proxied.status} ${proxied.text}`)
    // A signature over the app's own address is not one over the public URL.
    const localHeaders = await peer.sign({ actor: 'fedi', url: local, body: follow(2) })
    const direct = await send(local, 'POST', { ...localHeaders, host: 'wiki.example.org', 'x-forwarded-proto': 'https' }, follow(2))
    assert.equal(direct.status, 401, direct.text)
    assert.match(direct.text, /does not verify/)
  })
})
