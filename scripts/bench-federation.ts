// npm run bench:federation — fan-out of one Update to 200 follower inboxes, and the
// throughput of signed inbox POSTs including signature verification, draft-cavage and
// RFC 9421 side by side in alternating rounds. Prints figures and ratios against
// baselines measured in the same run; loopback only.
import { createHash, createSign, createVerify, generateKeyPairSync } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import http from 'node:http'
import type net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { buildApp } from '../src/app.ts'
import { loadConfig } from '../src/config/index.ts'
import { checkRfc9421Request, rfc9421Headers, verifyRfc9421 } from '../src/federation/rfc9421.ts'
import { checkSignedRequest, verifyWithKey } from '../src/federation/signatures.ts'

const FOLLOWERS = Number(process.env.BENCH_FOLLOWERS ?? 200)
const INBOX_POSTS = Number(process.env.BENCH_INBOX_POSTS ?? 400)
/** Rounds of inbox POSTs per signature spec, alternating which goes first; medians are reported. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const CONCURRENCY = 16

function median (values: number[]): number {
  const sorted = [...values].sort((left, right) => left - right)
  return sorted[Math.floor(sorted.length / 2)] ?? 0
}

async function freePort (): Promise<number> {
  return await new Promise(resolve => {
    const server = http.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })
}

const keys = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } })

// The receiver: one HTTP server hosting FOLLOWERS actors, each with its own inbox (no shared inbox,
// so every follower costs one delivery), recording when each delivery arrives.
const arrivals = new Map<string, number[]>()
const receiver = http.createServer((request, response) => {
  const chunks: Buffer[] = []
  request.on('data', chunk => chunks.push(chunk))
  request.on('end', () => {
    const url = request.url ?? '/'
    if (request.method === 'POST') {
      const type = String(JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}').type)
      const list = arrivals.get(type) ?? []
      list.push(performance.now())
      arrivals.set(type, list)
      response.writeHead(202).end()
      return
    }
    const match = /^\/users\/(\d+)$/.exec(url)
    if (!match) {
      response.writeHead(404).end()
      return
    }
    const id = `${receiverUrl}/users/${match[1]}`
    response.writeHead(200, { 'content-type': 'application/activity+json' }).end(JSON.stringify({
      '@context': ['https://www.w3.org/ns/activitystreams', 'https://w3id.org/security/v1'],
      id,
      type: 'Person',
      preferredUsername: `reader${match[1]}`,
      inbox: `${id}/inbox`,
      outbox: `${id}/outbox`,
      followers: `${id}/followers`,
      following: `${id}/following`,
      publicKey: { id: `${id}#main-key`, owner: id, publicKeyPem: keys.publicKey }
    }))
  })
})
await new Promise<void>(resolve => receiver.listen(0, '127.0.0.1', resolve))
const receiverUrl = `http://127.0.0.1:${(receiver.address() as net.AddressInfo).port}`

function sign (url: string, body: string, keyId: string): Record<string, string> {
  const target = new URL(url)
  const headers: Record<string, string> = {
    host: target.host,
    date: new Date().toUTCString(),
    digest: 'SHA-256=' + createHash('sha256').update(body).digest('base64'),
    'content-type': 'application/activity+json'
  }
  const signed = ['(request-target)', 'host', 'date', 'digest']
  const text = signed.map(name => name === '(request-target)' ? `(request-target): post ${target.pathname}` : `${name}: ${headers[name]}`).join('\n')
  headers.signature = `keyId="${keyId}",algorithm="rsa-sha256",headers="${signed.join(' ')}",signature="${createSign('RSA-SHA256').update(text).sign(keys.privateKey, 'base64')}"`
  return headers
}

/** The same request signed with RFC 9421 (covering @method, @target-uri, @authority, content-digest), as Fedify signs. */
function signRfc9421 (url: string, body: string, keyId: string): Record<string, string> {
  const target = new URL(url)
  return { host: target.host, 'content-type': 'application/activity+json', ...rfc9421Headers('POST', target, body, { keyId, privateKeyPem: keys.privateKey }) }
}

/** A Create as the inbox rounds send it, for the in-process probe. */
function probeCreate (): string {
  const actor = `${receiverUrl}/users/0`
  const note = { id: `${actor}/notes/probe`, type: 'Note', attributedTo: actor, content: '<p>Probe</p>', to: ['https://www.w3.org/ns/activitystreams#Public'] }
  return JSON.stringify({ '@context': 'https://www.w3.org/ns/activitystreams', id: `${actor}/notes/probe/activity`, type: 'Create', actor, object: note, to: note.to })
}

async function inParallel<T> (items: T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < items.length) await work(items[next++] as T)
  }))
}

const port = await freePort()
const dataDir = await mkdtemp(path.join(os.tmpdir(), 'praxiswiki-bench-federation-'))
const baseUrl = `http://127.0.0.1:${port}`
const config = loadConfig({ PORT: String(port), HOST: '127.0.0.1', BASE_URL: baseUrl, DATA_DIR: dataDir, LOG_LEVEL: 'silent', FEDERATION_ALLOW_PRIVATE: 'true' })
const app = await buildApp(config, { logger: false })
await app.listen({ port, host: '127.0.0.1' })
const inbox = `${baseUrl}/ap/inbox/wiki`

try {
  const keyStarted = performance.now()
  const us = await app.federation.core.actor()
  process.stdout.write(`organisation actor ready (RSA ${config.federation.keyBits} bits) in ${Math.round(performance.now() - keyStarted)} ms\n`)

  // Baseline 1: RSA-SHA256 verifications per second on this machine, in this process.
  const probe = createSign('RSA-SHA256').update('probe').sign(keys.privateKey)
  const verifyStarted = performance.now()
  let verifications = 0
  while (performance.now() - verifyStarted < 1000) {
    createVerify('RSA-SHA256').update('probe').verify(keys.publicKey, probe)
    verifications++
  }
  const verifyRate = verifications / ((performance.now() - verifyStarted) / 1000)

  // Baseline 2: plain GETs of the actor document over HTTP (no signature work).
  const getStarted = performance.now()
  await inParallel(Array.from({ length: INBOX_POSTS }, (_, index) => index), async () => {
    await (await fetch(`${baseUrl}/ap/u/wiki`, { headers: { accept: 'application/activity+json' } })).arrayBuffer()
  })
  const getRate = INBOX_POSTS / ((performance.now() - getStarted) / 1000)

  // FOLLOWERS actors follow the wiki: signed Follows, verified, then accepted.
  const followStarted = performance.now()
  await inParallel(Array.from({ length: FOLLOWERS }, (_, index) => index), async index => {
    const actor = `${receiverUrl}/users/${index}`
    const body = JSON.stringify({ '@context': 'https://www.w3.org/ns/activitystreams', id: `${actor}/follow/1`, type: 'Follow', actor, object: us.id })
    const answer = await fetch(inbox, { method: 'POST', headers: sign(inbox, body, `${actor}#main-key`), body })
    if (answer.status >= 300) throw new Error(`Follow answered ${answer.status}: ${await answer.text()}`)
  })
  const followSeconds = (performance.now() - followStarted) / 1000
  for (let attempt = 0; attempt < 600 && (await app.federation.follows.listFollowers()).length < FOLLOWERS; attempt++) {
    await new Promise(resolve => setTimeout(resolve, 50))
  }
  const followers = (await app.federation.follows.listFollowers()).length
  await app.federation.core.delivery.kick()

  // Inbox throughput: signed Creates of Notes from the followers, each verified. Signing is
  // the senders' work, done before the clock starts; the accepted followers' Accepts are out.
  for (let attempt = 0; attempt < 600 && (arrivals.get('Accept')?.length ?? 0) < FOLLOWERS; attempt++) {
    await new Promise(resolve => setTimeout(resolve, 50))
  }
  type Spec = 'draft-cavage' | 'rfc9421'
  const rates: Record<Spec, number[]> = { 'draft-cavage': [], rfc9421: [] }
  const latencies: Record<Spec, number[]> = { 'draft-cavage': [], rfc9421: [] }
  let sent = 0
  async function inboxRound (spec: Spec): Promise<void> {
    const requests = Array.from({ length: INBOX_POSTS }, () => {
      const index = sent++
      const actor = `${receiverUrl}/users/${index % FOLLOWERS}`
      const note = { id: `${actor}/notes/${index}`, type: 'Note', attributedTo: actor, content: `<p>Notiz ${index}</p>`, to: ['https://www.w3.org/ns/activitystreams#Public'] }
      const body = JSON.stringify({ '@context': 'https://www.w3.org/ns/activitystreams', id: `${actor}/notes/${index}/activity`, type: 'Create', actor, object: note, to: note.to })
      return { body, headers: spec === 'rfc9421' ? signRfc9421(inbox, body, `${actor}#main-key`) : sign(inbox, body, `${actor}#main-key`) }
    })
    const started = performance.now()
    await inParallel(requests, async ({ body, headers }) => {
      const requestStarted = performance.now()
      const answer = await fetch(inbox, { method: 'POST', headers, body })
      await answer.arrayBuffer()
      if (answer.status >= 300) throw new Error(`Create (${spec}) answered ${answer.status}`)
      latencies[spec].push(performance.now() - requestStarted)
    })
    rates[spec].push(INBOX_POSTS / ((performance.now() - started) / 1000))
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const spec of (round % 2 === 0 ? ['draft-cavage', 'rfc9421'] : ['rfc9421', 'draft-cavage']) as Spec[]) await inboxRound(spec)
  }
  const postRate = median(rates['draft-cavage'])
  const rfc9421Rate = median(rates.rfc9421)

  // The verification alone, in this process (parse, digest, RSA), without HTTP and the store:
  // alternating batches of one signed Create per spec, median microseconds per request.
  const probeBody = probeCreate()
  const asReceived = (headers: Record<string, string>) => ({
    method: 'POST',
    originalUrl: new URL(inbox).pathname,
    httpVersion: '1.1',
    rawBody: Buffer.from(probeBody),
    headers: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]))
  })
  const cavageProbe = asReceived(sign(inbox, probeBody, `${receiverUrl}/users/0#main-key`))
  const rfc9421Probe = asReceived(signRfc9421(inbox, probeBody, `${receiverUrl}/users/0#main-key`))
  const verifyCost: Record<Spec, number[]> = { 'draft-cavage': [], rfc9421: [] }
  const timeBatch = (spec: Spec, check: () => boolean): void => {
    const started = performance.now()
    for (let index = 0; index < 200; index++) if (!check()) throw new Error(`the ${spec} probe does not verify`)
    verifyCost[spec].push((performance.now() - started) / 200 * 1000)
  }
  for (let round = 0; round < 9; round++) {
    timeBatch('draft-cavage', () => verifyWithKey(checkSignedRequest(cavageProbe), keys.publicKey))
    timeBatch('rfc9421', () => verifyRfc9421(checkRfc9421Request(rfc9421Probe, baseUrl), keys.publicKey))
  }

  // Fan-out: one edit of a public page becomes one Update per follower inbox.
  const page = await app.wiki.createPage({ source: '---\ntitle: Fan-out\nvisibility: public\n---\nErste Fassung.\n' })
  await app.federation.publisher.idle()
  await app.federation.core.delivery.kick()
  arrivals.delete('Update')
  const fanOutStarted = performance.now()
  await app.wiki.savePage('fan-out', { source: '---\ntitle: Fan-out\nvisibility: public\n---\nZweite Fassung.\n', baseRevisionId: page.revisionId.toHexString() })
  for (let attempt = 0; attempt < 1200 && (arrivals.get('Update')?.length ?? 0) < FOLLOWERS; attempt++) {
    await new Promise(resolve => setTimeout(resolve, 10))
  }
  const updates = arrivals.get('Update') ?? []
  const lastArrival = updates.length > 0 ? Math.max(...updates) - fanOutStarted : NaN
  const deliveryRate = updates.length / (lastArrival / 1000)

  const row = (label: string, value: string): void => { process.stdout.write(`${label.padEnd(52)}${value}\n`) }
  process.stdout.write('\n')
  row('followers (signed Follow, verified, accepted)', `${followers} in ${followSeconds.toFixed(2)} s`)
  row('fan-out: Update deliveries arrived', `${updates.length} of ${FOLLOWERS}`)
  row('fan-out: time until the last delivery', `${lastArrival.toFixed(0)} ms`)
  row('fan-out: deliveries per second', `${deliveryRate.toFixed(0)}/s`)
  const each = (values: number[]): string => values.map(value => value.toFixed(0)).join(', ')
  row('inbox: draft-cavage Creates, verified and stored', `${postRate.toFixed(0)}/s median (rounds: ${each(rates['draft-cavage'])}; ${INBOX_POSTS} POSTs each, ${CONCURRENCY} at a time)`)
  row('inbox: RFC 9421 Creates, verified and stored', `${rfc9421Rate.toFixed(0)}/s median (rounds: ${each(rates.rfc9421)})`)
  row('ratio RFC 9421 / draft-cavage', `${(rfc9421Rate / postRate).toFixed(2)}`)
  row('inbox: latency median, draft-cavage', `${median(latencies['draft-cavage']).toFixed(1)} ms`)
  row('inbox: latency median, RFC 9421', `${median(latencies.rfc9421).toFixed(1)} ms`)
  row('verification alone, draft-cavage', `${median(verifyCost['draft-cavage']).toFixed(0)} µs per request (median of 9 batches)`)
  row('verification alone, RFC 9421', `${median(verifyCost.rfc9421).toFixed(0)} µs per request (ratio ${(median(verifyCost.rfc9421) / median(verifyCost['draft-cavage'])).toFixed(2)})`)
  row('baseline: actor GETs over HTTP', `${getRate.toFixed(0)}/s`)
  row('baseline: RSA-2048 verifications, one core', `${verifyRate.toFixed(0)}/s`)
  row('ratio inbox POSTs / actor GETs', `${(postRate / getRate).toFixed(2)}`)
  row('ratio inbox POSTs / bare verifications', `${(postRate / verifyRate).toFixed(3)}`)
  process.stdout.write('\nTargets:\n')
  process.stdout.write(`  ${updates.length === FOLLOWERS && lastArrival <= 5000 ? 'PASS' : 'MISS'}  all ${FOLLOWERS} delivered within 5 s: ${updates.length} in ${lastArrival.toFixed(0)} ms\n`)
  process.stdout.write(`  ${postRate >= 100 ? 'PASS' : 'MISS'}  ≥ 100 verified inbox POSTs per second: ${postRate.toFixed(0)}/s\n`)
  process.stdout.write(`  ${rfc9421Rate >= 0.9 * postRate ? 'PASS' : 'MISS'}  RFC 9421 within 10 % of draft-cavage: ${rfc9421Rate.toFixed(0)}/s against ${postRate.toFixed(0)}/s (${((rfc9421Rate / postRate - 1) * 100).toFixed(1)} %)\n`)
} finally {
  await app.close()
  await new Promise(resolve => receiver.close(resolve))
  await rm(dataDir, { recursive: true, force: true })
}
