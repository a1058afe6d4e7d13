// A fediverse server made with Fedify, for Praxiswiki's federation tests. It runs on Node 24
// (Fedify asks for Node 22 or newer), on loopback only, started by test/federation/fedify-peer.ts.
//
// - It hosts actors (`/users/<name>`, RSA keys made at start): fedi, and mallory.
// - `POST /sign` signs a request as one of them with Fedify's signRequest, RFC 9421 only, and
//   answers the headers; the test sends the request itself (and may spoil it on purpose).
// - `POST /users/<name>/inbox` accepts only RFC 9421 signatures, checked by Fedify's
//   verifyRequest (the key fetched from the signer over loopback); draft-cavage gets 401.
// - `GET /received` lists the inbox POSTs with their answers, so a test can count knocks.
// It prints `{"port": N}` once listening and stops when its standard input closes.
import { generateKeyPairSync, webcrypto } from 'node:crypto'
import http from 'node:http'
import { getDocumentLoader, signRequest, verifyRequest } from '@fedify/fedify'
import { Temporal } from '@js-temporal/polyfill'

const ACTORS = ['fedi', 'mallory']
const MAX_BODY = 1024 * 1024
const keys = new Map()
for (const name of ACTORS) {
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const algorithm = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }
  // Fedify reads the key's algorithm back, so it must be extractable.
  const privateKey = await webcrypto.subtle.importKey('pkcs8', pair.privateKey.export({ type: 'pkcs8', format: 'der' }), algorithm, true, ['sign'])
  keys.set(name, { privateKey, publicKeyPem: pair.publicKey.export({ type: 'spki', format: 'pem' }) })
}

// Loopback peers only: the test setting that the wiki's own FEDERATION_ALLOW_PRIVATE mirrors.
const documentLoader = getDocumentLoader({ allowPrivateAddress: true })
const received = []
let base = ''

function actorDocument (name) {
  const id = `${base}/users/${name}`
  return {
    '@context': ['https://www.w3.org/ns/activitystreams', 'https://w3id.org/security/v1'],
    id,
    type: 'Person',
    preferredUsername: name,
    name: `Fedify ${name}`,
    inbox: `${id}/inbox`,
    outbox: `${id}/outbox`,
    followers: `${id}/followers`,
    following: `${id}/following`,
    publicKey: { id: `${id}#main-key`, owner: id, publicKeyPem: keys.get(name).publicKeyPem }
  }
}

function readBody (request) {
  return new Promise((resolve, reject) => {
    const chunks = []
    let size = 0
    request.on('data', chunk => {
      size += chunk.length
      if (size > MAX_BODY) reject(new Error('body too large'))
      else chunks.push(chunk)
    })
    request.on('end', () => resolve(Buffer.concat(chunks)))
    request.on('error', reject)
  })
}

function answer (response, status, body) {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body ?? {}))
}

/** Signs `{ actor, method, url, body, createdSecondsAgo }` with RFC 9421 and answers the headers. */
async function sign (order) {
  const key = keys.get(order.actor)
  if (key === undefined) throw new Error(`no actor ${order.actor}`)
  const request = new Request(order.url, {
    method: order.method ?? 'POST',
    headers: order.body === undefined ? { accept: 'application/activity+json' } : { 'content-type': 'application/activity+json' },
    body: order.body
  })
  const currentTime = Temporal.Now.instant().subtract({ seconds: order.createdSecondsAgo ?? 0 })
  const signed = await signRequest(request, key.privateKey, new URL(`${base}/users/${order.actor}#main-key`), { spec: 'rfc9421', currentTime })
  return Object.fromEntries(signed.headers)
}

async function inbox (request, path, body) {
  const headers = new Headers()
  for (const [name, value] of Object.entries(request.headers)) headers.set(name, Array.isArray(value) ? value.join(', ') : String(value))
  const entry = { path, rfc9421: headers.has('signature-input'), type: '', status: 401 }
  try {
    entry.type = String(JSON.parse(body.toString('utf8')).type ?? '')
  } catch {}
  if (entry.rfc9421) {
    const fetchRequest = new Request(`${base}${request.url}`, { method: 'POST', headers, body })
    const key = await verifyRequest(fetchRequest, { documentLoader, contextLoader: documentLoader }).catch(() => null)
    if (key !== null) entry.status = 202
  }
  received.push(entry)
  return entry.status
}

const server = http.createServer((request, response) => {
  const path = (request.url ?? '/').split('?')[0]
  readBody(request).then(async body => {
    if (request.method === 'GET' && path === '/received') return answer(response, 200, received)
    if (request.method === 'POST' && path === '/sign') return answer(response, 200, await sign(JSON.parse(body.toString('utf8'))))
    const actor = /^\/users\/([a-z]+)(\/inbox)?$/.exec(path)
    if (actor === null || !keys.has(actor[1])) return answer(response, 404, { error: 'not found' })
    if (request.method === 'POST' && actor[2] !== undefined) return answer(response, await inbox(request, path, body))
    if (request.method === 'GET' && actor[2] === undefined) {
      response.writeHead(200, { 'content-type': 'application/activity+json' }).end(JSON.stringify(actorDocument(actor[1])))
      return
    }
    answer(response, 405, { error: 'method not allowed' })
  }).catch(error => answer(response, 400, { error: error.message }))
})

server.listen(0, '127.0.0.1', () => {
  base = `http://127.0.0.1:${server.address().port}`
  process.stdout.write(JSON.stringify({ port: server.address().port }) + '\n')
})
// The test owns this process: when it goes, so does the peer.
process.stdin.resume()
process.stdin.on('end', () => { server.closeAllConnections(); server.close(() => process.exit(0)) })
