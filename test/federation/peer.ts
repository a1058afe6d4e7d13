import { createHash, createSign, generateKeyPairSync } from 'node:crypto'
import http from 'node:http'
import type net from 'node:net'

export interface KeyPair {
  publicKeyPem: string
  privateKeyPem: string
}

export function makeKeyPair (): KeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' }
  })
  return { publicKeyPem: publicKey, privateKeyPem: privateKey }
}

export interface SignOptions {
  keyId: string
  privateKeyPem: string
  /** Override the signed Date, e.g. to make an expired signature. */
  date?: Date
  /** Send this Digest instead of the body's. */
  digest?: string
  /** Sign these headers instead of the usual four. */
  headers?: string[]
  /** Sign a different body than the one sent. */
  signedBody?: string
}

/** GETs a document with a draft-cavage HTTP signature over (request-target), host and date, as Mastodon's signed fetches do. */
export async function signedGet (url: string, options: SignOptions): Promise<{ status: number, json: any }> {
  const target = new URL(url)
  const headers: Record<string, string> = { host: target.host, date: (options.date ?? new Date()).toUTCString(), accept: 'application/activity+json' }
  const signed = ['(request-target)', 'host', 'date']
  const signingString = signed.map(name => name === '(request-target)' ? `(request-target): get ${target.pathname}${target.search}` : `${name}: ${headers[name]}`).join('\n')
  headers.signature = `keyId="${options.keyId}",algorithm="rsa-sha256",headers="${signed.join(' ')}",signature="${createSign('RSA-SHA256').update(signingString).sign(options.privateKeyPem, 'base64')}"`
  const response = await fetch(url, { headers })
  const text = await response.text()
  return { status: response.status, json: response.headers.get('content-type')?.includes('json') === true ? JSON.parse(text) : text }
}

/** POSTs a body with a draft-cavage HTTP signature, as Mastodon does; every part can be spoiled on purpose. */
export async function signedPost (url: string, body: string, options: SignOptions | null, contentType = 'application/activity+json'): Promise<{ status: number, text: string }> {
  const response = await fetch(url, { method: 'POST', headers: signedPostHeaders(url, body, options, contentType), body })
  return { status: response.status, text: await response.text() }
}

/** The headers of a signed POST (see signedPost), made now and sent later. */
export function signedPostHeaders (url: string, body: string, options: SignOptions | null, contentType = 'application/activity+json'): Record<string, string> {
  const target = new URL(url)
  const headers: Record<string, string> = {
    host: target.host,
    date: (options?.date ?? new Date()).toUTCString(),
    digest: options?.digest ?? 'SHA-256=' + createHash('sha256').update(options?.signedBody ?? body).digest('base64'),
    'content-type': contentType
  }
  if (options) {
    const signed = options.headers ?? ['(request-target)', 'host', 'date', 'digest']
    const signingString = signed.map(name => name === '(request-target)'
      ? `(request-target): post ${target.pathname}${target.search}`
      : `${name}: ${headers[name]}`).join('\n')
    const signature = createSign('RSA-SHA256').update(signingString).sign(options.privateKeyPem, 'base64')
    headers.signature = `keyId="${options.keyId}",algorithm="rsa-sha256",headers="${signed.join(' ')}",signature="${signature}"`
  }
  return headers
}

export interface FakeServer {
  url: string
  host: string
  /** Documents served by path, as ActivityPub JSON. */
  documents: Map<string, unknown>
  received: Array<{ path: string, body: string, userAgent: string, at: number, headers?: http.IncomingHttpHeaders }>
  /** GET requests, in order. */
  fetched: Array<{ path: string, userAgent: string }>
  /**
   * POSTs to these paths are answered with this status instead of 202, as a server that is
   * gone would; or the next `times` of them with a status and Retry-After, as a busy one would.
   */
  refusing: Map<string, number | { status: number, retryAfterSeconds: number, times: number }>
  close: () => Promise<void>
}

/**
 * A stand-in for another fediverse server (Mastodon, or an attacker) on
 * loopback: serves the documents it is given and records what it receives.
 */
export async function startFakeServer (): Promise<FakeServer> {
  const documents = new Map<string, unknown>()
  const received: FakeServer['received'] = []
  const fetched: FakeServer['fetched'] = []
  const refusing: FakeServer['refusing'] = new Map()
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', chunk => chunks.push(chunk))
    request.on('end', () => {
      const path = (request.url ?? '/').split('?')[0] as string
      const userAgent = request.headers['user-agent'] ?? ''
      if (request.method === 'POST') {
        received.push({ path, body: Buffer.concat(chunks).toString('utf8'), userAgent, at: Date.now(), headers: request.headers })
        const rule = refusing.get(path)
        if (typeof rule === 'object' && rule.times > 0) {
          rule.times--
          response.writeHead(rule.status, { 'retry-after': String(rule.retryAfterSeconds) }).end()
          return
        }
        response.writeHead(typeof rule === 'number' ? rule : 202).end()
        return
      }
      fetched.push({ path, userAgent })
      const document = documents.get(path)
      if (document === undefined) {
        response.writeHead(404).end()
        return
      }
      response.writeHead(200, { 'content-type': 'application/activity+json' }).end(JSON.stringify(document))
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    documents,
    received,
    fetched,
    refusing,
    close: () => new Promise(resolve => { server.closeAllConnections(); server.close(() => resolve()) })
  }
}

/** A Mastodon-shaped actor document (as Mastodon 4 serves it) for a fake server. */
export function mastodonActor (server: FakeServer, username: string, keys: KeyPair): Record<string, unknown> {
  const id = `${server.url}/users/${username}`
  return {
    '@context': [
      'https://www.w3.org/ns/activitystreams',
      'https://w3id.org/security/v1',
      {
        manuallyApprovesFollowers: 'as:manuallyApprovesFollowers',
        toot: 'http://joinmastodon.org/ns#',
        featured: { '@id': 'toot:featured', '@type': '@id' },
        discoverable: 'toot:discoverable',
        indexable: 'toot:indexable',
        Hashtag: 'as:Hashtag',
        PropertyValue: 'schema:PropertyValue',
        value: 'schema:value',
        schema: 'http://schema.org#'
      }
    ],
    id,
    type: 'Person',
    following: `${id}/following`,
    followers: `${id}/followers`,
    inbox: `${id}/inbox`,
    outbox: `${id}/outbox`,
    featured: `${id}/collections/featured`,
    preferredUsername: username,
    name: username[0]?.toUpperCase() + username.slice(1),
    summary: '<p>Sozialarbeiterin</p>',
    url: `${server.url}/@${username}`,
    manuallyApprovesFollowers: false,
    discoverable: true,
    indexable: false,
    published: '2023-04-01T00:00:00Z',
    publicKey: { id: `${id}#main-key`, owner: id, publicKeyPem: keys.publicKeyPem },
    tag: [],
    attachment: [],
    endpoints: { sharedInbox: `${server.url}/inbox` }
  }
}
