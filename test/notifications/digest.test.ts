import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { Writable } from 'node:stream'
import { after, before, describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyInstance } from 'fastify'
import { SMTPServer } from 'smtp-server'
import { buildApp } from '../../src/app.ts'
import { ConfigError, loadConfig } from '../../src/config/index.ts'
import { eventually } from '../federation/instances.ts'
import { form, pageSource, signIn, type Inject, type SignedIn } from '../helpers.ts'

interface Mail { from: string, to: string[], text: string }

/** A mail server on loopback that keeps what it receives. */
async function startMailServer (): Promise<{ port: number, mails: Mail[], close: () => Promise<void> }> {
  const mails: Mail[] = []
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData (stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (chunk: Buffer) => chunks.push(chunk))
      stream.on('end', () => {
        mails.push({ from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address, to: session.envelope.rcptTo.map(to => to.address), text: Buffer.concat(chunks).toString('utf8') })
        callback()
      })
    }
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.server.address() as AddressInfo
  return { port, mails, close: async () => { await new Promise<void>(resolve => server.close(() => resolve())) } }
}

const DIGEST_MS = 2500

async function startWiki (env: Record<string, string>, logLines?: string[]): Promise<{ app: FastifyInstance, anonymous: Inject, close: () => Promise<void> }> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'praxiswiki-digest-'))
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'warn', BASE_URL: 'http://wiki.test', FEDERATION_KEY_BITS: '2048', SITE_NAME: 'Stadtteilwiki', ...env })
  const stream = new Writable({ write (chunk: Buffer, _encoding, done) { logLines?.push(chunk.toString('utf8')); done() } })
  const app = await buildApp(config, { logger: { level: 'warn', stream }, notifications: { digestIntervalMs: DIGEST_MS, digestCheckMs: 100 } })
  await app.ready()
  return { app, anonymous: app.inject.bind(app) as Inject, close: async () => { await app.close(); await rm(dataDir, { recursive: true, force: true }) } }
}

async function edit (person: SignedIn, slug: string, title: string, body: string): Promise<void> {
  const baseRevision = (await person.inject({ url: `/api/pages/${slug}` })).json<{ revision: string }>().revision
  const saved = await person.inject({ method: 'POST', url: `/wiki/${slug}`, ...form({ source: pageSource(title, body), baseRevision }) })
  assert.equal(saved.statusCode, 303, saved.body.slice(0, 300))
}

describe('e-mail digests', () => {
  let mailServer: Awaited<ReturnType<typeof startMailServer>>
  let wiki: Awaited<ReturnType<typeof startWiki>>
  let alice: SignedIn
  let bob: SignedIn

  before(async () => {
    mailServer = await startMailServer()
    wiki = await startWiki({ SMTP_URL: `smtp://127.0.0.1:${mailServer.port}`, SMTP_FROM: 'Stadtteilwiki <wiki@wiki.test>' })
    alice = await signIn(wiki.app, wiki.anonymous, 'alice', 'editor')
    bob = await signIn(wiki.app, wiki.anonymous, 'bob', 'editor')
  })
  after(async () => {
    await wiki.close()
    await mailServer.close()
  })

  it('keeps an e-mail address on the account page, and refuses one that is not an address', async () => {
    for (const bad of ['keine-adresse', 'a@b', 'a b@example.org', `${'x'.repeat(250)}@example.org`, 'a@example.org\r\nBcc: b@example.org']) {
      const refused = await alice.inject({ method: 'POST', url: '/account/email', ...form({ email: bad }) })
      assert.equal(refused.statusCode, 400, bad)
      assert.match(refused.body, /Das ist keine gültige E-Mail-Adresse/)
    }
    assert.equal((await wiki.app.auth.accounts.byUsername('alice'))?.email, undefined)
    const saved = await alice.inject({ method: 'POST', url: '/account/email', ...form({ email: ' alice@example.org ' }) })
    assert.equal(saved.statusCode, 200)
    assert.match(saved.body, /value="alice@example.org"/)
    assert.equal((await wiki.app.auth.accounts.byUsername('alice'))?.email, 'alice@example.org')
  })

  it('mails one digest for several edits, and no second one within the interval', async () => {
    const created = await alice.inject({ method: 'POST', url: '/wiki', ...form({ title: 'Seniorentreff', source: pageSource('Seniorentreff', 'Montags.') }) })
    assert.equal(created.statusCode, 303)
    const other = await alice.inject({ method: 'POST', url: '/wiki', ...form({ title: 'Fahrradwerkstatt', source: pageSource('Fahrradwerkstatt', 'Samstags.') }) })
    assert.equal(other.statusCode, 303)
    const startedAt = Date.now()
    await edit(bob, 'seniorentreff', 'Seniorentreff', 'Montags, 14 Uhr.')
    await edit(bob, 'seniorentreff', 'Seniorentreff', 'Montags, 15 Uhr.')
    await edit(bob, 'fahrradwerkstatt', 'Fahrradwerkstatt', 'Samstags, 10 Uhr.')
    await edit(bob, 'seniorentreff', 'Seniorentreff', 'Montags und mittwochs, 15 Uhr.')
    const editsTook = Date.now() - startedAt
    await eventually(async () => mailServer.mails.length > 0, 15_000, 'a digest')
    const [mail] = mailServer.mails
    assert.ok(mail !== undefined)
    assert.deepEqual(mail.to, ['alice@example.org'])
    assert.equal(mail.from, 'wiki@wiki.test')
    assert.match(mail.text, /Subject: Stadtteilwiki: 2 Benachrichtigungen/)
    const body = mail.text.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_whole, hex: string) => String.fromCharCode(parseInt(hex, 16)))
    assert.match(Buffer.from(body, 'latin1').toString('utf8'), /bob hat „Seniorentreff“ bearbeitet\. \(3-mal\)\s+http:\/\/wiki\.test\/wiki\/seniorentreff/)
    assert.match(Buffer.from(body, 'latin1').toString('utf8'), /bob hat „Fahrradwerkstatt“ bearbeitet\./)
    // Bob has no address: his notifications (of Alice's pages, none) and nobody else's come by mail.
    assert.ok(mailServer.mails.every(sent => sent.to.join() === 'alice@example.org'))

    // More edits at once: they wait for the next interval instead of a second mail now.
    await edit(bob, 'seniorentreff', 'Seniorentreff', 'Mittwochs, 15 Uhr.')
    await sleep(DIGEST_MS / 2)
    assert.equal(mailServer.mails.length, 1, `the edits took ${editsTook} ms`)
    await eventually(async () => mailServer.mails.length === 2, 15_000, 'the next digest')
  })

  it('says a wrong SMTP_URL at start, and keeps running while the mail server is away', async () => {
    assert.throws(() => loadConfig({ SMTP_URL: 'mail.example.org' }), ConfigError)
    assert.throws(() => loadConfig({ SMTP_URL: 'smtp://user:geheim@' }), (error: Error) => error instanceof ConfigError && !error.message.includes('geheim'))

    const closed = await startMailServer()
    await closed.close()
    const lines: string[] = []
    const away = await startWiki({ SMTP_URL: `smtp://127.0.0.1:${closed.port}` }, lines)
    try {
      const carol = await signIn(away.app, away.anonymous, 'carol', 'editor')
      const dave = await signIn(away.app, away.anonymous, 'dave', 'editor')
      await carol.inject({ method: 'POST', url: '/account/email', ...form({ email: 'carol@example.org' }) })
      const created = await carol.inject({ method: 'POST', url: '/wiki', ...form({ title: 'Tauschbörse', source: pageSource('Tauschbörse', 'Jeden Monat.') }) })
      await edit(dave, String(created.headers.location).replace('/wiki/', ''), 'Tauschbörse', 'Jeden ersten Samstag.')
      await eventually(async () => lines.some(line => line.includes('notification digest round failed')), 15_000, 'a warning')
      assert.equal((await away.anonymous({ url: '/' })).statusCode, 200)
      // Not handled: the digest is tried again when the server is back.
      assert.equal(await away.app.store.db.collection('notifications').countDocuments({ recipient: 'carol', mailedAt: null }), 1)
    } finally {
      await away.close()
    }
  })
})
