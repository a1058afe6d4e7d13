import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createSignatureChoice } from '../../src/federation/signature-choice.ts'
import { eventually, startInstance, type Instance } from './instances.ts'
import { signedPost } from './peer.ts'
import { fedifyPeerMissing, startCavageOnlyPeer, startFedifyPeer, type CavagePeer, type FedifyPeer, type InboxEntry } from './signing-peers.ts'

const AS = 'https://www.w3.org/ns/activitystreams'
const publicPage = (title: string, text: string): string => `---\ntitle: ${title}\nvisibility: public\n---\n${text}\n`
/** The knocks one activity took: which spec, and the answer, in order. */
const knocks = (entries: InboxEntry[], type: string): string[] => entries.filter(entry => entry.type === type).map(entry => `${entry.rfc9421 ? 'rfc9421' : 'draft-cavage'} ${entry.status}`)

describe('deliveries signed per host, with double-knocking', { timeout: 240_000, skip: fedifyPeerMissing() ?? false }, () => {
  let wiki: Instance
  let fedify: FedifyPeer
  let cavage: CavagePeer
  let token: string

  before(async () => {
    wiki = await startInstance('double-knock')
    fedify = await startFedifyPeer()
    cavage = await startCavageOnlyPeer()
    await wiki.app.auth.accounts.create({ username: 'verwaltung', password: 'ein langes Passwort', role: 'admin' })
    token = (await wiki.app.auth.accounts.createToken('verwaltung', 'test')).token
  })
  after(async () => {
    await wiki?.close()
    await fedify?.close()
    await cavage?.close()
  })

  const choiceFor = async (host: string) => await wiki.app.store.db.collection('signatureChoices').findOne({ _id: host as never })
  const settle = async (): Promise<void> => {
    await wiki.app.federation.publisher.idle()
    await wiki.app.federation.core.delivery.kick()
  }

  it('reaches a peer that accepts only RFC 9421: draft-cavage first (as Mastodon), then RFC 9421, and one knock from then on', async () => {
    const fedi = `${fedify.url}/users/fedi`
    const follow = JSON.stringify({ '@context': AS, id: `${fedi}/follows/1`, type: 'Follow', actor: fedi, object: `${wiki.url}/ap/u/wiki` })
    const headers = await fedify.sign({ actor: 'fedi', url: `${wiki.url}/ap/inbox/wiki`, body: follow })
    assert.ok((await fetch(`${wiki.url}/ap/inbox/wiki`, { method: 'POST', headers, body: follow })).status < 300)
    const accept = await eventually(async () => { const entries = await fedify.received(); return knocks(entries, 'Accept').includes('rfc9421 202') ? entries : null }, 20_000, 'the Accept at the Fedify peer')
    assert.deepEqual(knocks(accept, 'Accept'), ['draft-cavage 401', 'rfc9421 202'])
    // Remembered once the answer is in, just after the peer recorded it.
    await eventually(async () => (await choiceFor(fedify.host))?.spec === 'rfc9421', 5000, 'RFC 9421 remembered for the Fedify peer')

    await wiki.app.wiki.createPage({ source: publicPage('Erste Lektion', 'Text.') })
    await settle()
    const created = await eventually(async () => { const entries = await fedify.received(); return knocks(entries, 'Create').length > 0 ? entries : null }, 20_000, 'the Create at the Fedify peer')
    assert.deepEqual(knocks(created, 'Create'), ['rfc9421 202'])
  })

  it('reaches a peer that accepts only draft-cavage when RFC 9421 is tried first (a live setting), and one knock from then on', async () => {
    const changed = await fetch(`${wiki.url}/api/settings`, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ signatureFirst: 'rfc9421' }) })
    assert.equal(changed.status, 200, await changed.text())
    const follow = { '@context': AS, id: `${cavage.actorId}/follows/1`, type: 'Follow', actor: cavage.actorId, object: `${wiki.url}/ap/u/wiki` }
    const answer = await signedPost(`${wiki.url}/ap/inbox/wiki`, JSON.stringify(follow), { keyId: `${cavage.actorId}#main-key`, privateKeyPem: cavage.keys.privateKeyPem })
    assert.ok(answer.status < 300, answer.text)
    await eventually(async () => knocks(cavage.inbox, 'Accept').includes('draft-cavage 202'), 20_000, 'the Accept at the draft-cavage peer')
    assert.deepEqual(knocks(cavage.inbox, 'Accept'), ['rfc9421 401', 'draft-cavage 202'])
    await eventually(async () => (await choiceFor(cavage.host))?.spec === 'draft-cavage', 5000, 'draft-cavage remembered for its peer')

    await wiki.app.wiki.createPage({ source: publicPage('Zweite Lektion', 'Text.') })
    await settle()
    await eventually(async () => knocks(cavage.inbox, 'Create').length > 0 && knocks(await fedify.received(), 'Create').length > 1, 20_000, 'the second Create at both peers')
    assert.deepEqual(knocks(cavage.inbox, 'Create'), ['draft-cavage 202'])
    assert.deepEqual(knocks(await fedify.received(), 'Create'), ['rfc9421 202', 'rfc9421 202'])
  })

  it('forgets what a host accepted once it expires, and knocks twice once more', async () => {
    await wiki.app.store.db.collection('signatureChoices').updateOne({ _id: cavage.host as never }, { $set: { expiresAt: new Date(Date.now() - 1000) } })
    await wiki.app.wiki.createPage({ source: publicPage('Dritte Lektion', 'Text.') })
    await settle()
    await eventually(async () => knocks(cavage.inbox, 'Create').length === 3, 20_000, 'the third Create at the draft-cavage peer')
    assert.deepEqual(knocks(cavage.inbox, 'Create'), ['draft-cavage 202', 'rfc9421 401', 'draft-cavage 202'])
    const renewed = await eventually(async () => { const found = await choiceFor(cavage.host); return (found?.expiresAt as Date).getTime() > Date.now() ? found : null }, 5000, 'the choice renewed')
    assert.equal(renewed?.spec, 'draft-cavage')
    assert.ok((renewed?.expiresAt as Date).getTime() > Date.now() + 6 * 24 * 3600_000, 'remembered for about a week again')
  })

  it('keeps a remembered spec until its time is up, then asks the setting again', async () => {
    let now = 1_000_000
    const choice = createSignatureChoice({ db: wiki.app.store.db, preferred: () => 'draft-cavage', ttlMs: 60_000, now: () => now })
    const sent: string[] = []
    const host = 'expiry.example'
    const server = async (spec: string) => { sent.push(spec); return { status: spec === 'rfc9421' ? 202 : 401 } }
    await choice.knock(host, server, async () => {})
    assert.deepEqual(sent, ['draft-cavage', 'rfc9421'])
    now += 59_000
    assert.equal(await choice.remembered(host), 'rfc9421')
    now += 2000
    assert.equal(await choice.remembered(host), null)
    // A 404 or a 5xx says nothing about the signature: no second knock, nothing remembered.
    sent.length = 0
    await choice.knock('gone.example', async spec => { sent.push(spec); return { status: 404 } }, async () => {})
    await choice.knock('busy.example', async spec => { sent.push(spec); return { status: 503 } }, async () => {})
    assert.deepEqual(sent, ['draft-cavage', 'draft-cavage'])
    assert.equal(await choice.remembered('gone.example'), null)
  })
})
