import { lookup as dnsLookup } from 'node:dns'
import net from 'node:net'
import { createHash } from 'node:crypto'
import { createRequire } from 'node:module'
import { Agent, fetch, type Response } from 'undici'
import { rfc9421Headers } from './rfc9421.ts'
import type { SignatureChoice, SignatureSpec } from './signature-choice.ts'

const require = createRequire(import.meta.url)
const httpSignature = require('http-signature') as {
  sign: (request: SignableRequest, options: { key: string, keyId: string, headers: string[], authorizationHeaderName: string }) => boolean
}

/** Every request to another server is bounded in time and size. */
export const FETCH_TIMEOUT_MS = 10_000
export const MAX_RESPONSE_BYTES = 1024 * 1024
export const ACTIVITY_JSON = 'application/activity+json'
export const ACCEPT_ACTIVITY = 'application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"'

/** Why a remote URL was not fetched or a delivery not made; maps to 4xx, never 500. */
export class RemoteFetchError extends Error {
  constructor (message: string, readonly status?: number) {
    super(message)
    this.name = 'RemoteFetchError'
  }
}

// Loopback, private, link-local, shared, multicast and reserved ranges.
const privateRanges = new net.BlockList()
for (const [address, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24],
  ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4]
] as const) privateRanges.addSubnet(address, prefix, 'ipv4')
for (const [address, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['2001:db8::', 32], ['64:ff9b::', 96]] as const) {
  privateRanges.addSubnet(address, prefix, 'ipv6')
}

export function isPrivateAddress (address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)
  if (mapped) return isPrivateAddress(mapped[1] as string)
  const family = net.isIP(address)
  if (family === 0) return true
  return privateRanges.check(address, family === 4 ? 'ipv4' : 'ipv6')
}

export interface SignableRequest {
  method: string
  path: string
  getHeader: (name: string) => string | undefined
  setHeader: (name: string, value: string) => void
}

/** A Retry-After header (seconds or an HTTP date) as milliseconds from now, at most a day; undefined if absent or unreadable. */
export function retryAfterOf (header: string | null, now = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined
  const value = header.trim()
  // Delay-seconds, or an HTTP date (which names a weekday and a month).
  const milliseconds = /^\d+$/.test(value) ? Number(value) * 1000 : /[A-Za-z]/.test(value) ? Date.parse(value) - now : NaN
  if (!Number.isFinite(milliseconds)) return undefined
  return Math.min(Math.max(milliseconds, 0), 24 * 3600_000)
}

export interface Signer {
  keyId: string
  privateKeyPem: string
}

export interface RemoteHttpOptions {
  allowPrivateAddresses: boolean
  userAgent: string
  /** Hosts refused outright (domain blocks). */
  isBlocked: (host: string) => boolean
  /** Which signature spec each host gets (double-knocking); without it, draft-cavage only. */
  signatureChoice?: SignatureChoice
}

/**
 * The one door to other servers. It refuses private and loopback addresses
 * at connect time (so DNS cannot point a public name at them), blocked
 * domains, slow answers and oversized bodies, and signs requests with
 * draft-cavage or RFC 9421 HTTP signatures, whichever the host accepts.
 */
export function createRemoteHttp (options: RemoteHttpOptions) {
  const agent = new Agent({
    connect: {
      timeout: FETCH_TIMEOUT_MS,
      lookup: (hostname, lookupOptions, callback) => {
        dnsLookup(hostname, { ...lookupOptions, all: true }, (error, addresses) => {
          if (error) return callback(error, [])
          const list = addresses as Array<{ address: string, family: number }>
          if (!options.allowPrivateAddresses && list.some(entry => isPrivateAddress(entry.address))) {
            return callback(new RemoteFetchError(`${hostname} resolves to a private address; refused`), [])
          }
          callback(null, list)
        })
      }
    },
    bodyTimeout: FETCH_TIMEOUT_MS,
    headersTimeout: FETCH_TIMEOUT_MS
  })

  function checkUrl (raw: string): URL {
    let url: URL
    try {
      url = new URL(raw)
    } catch {
      throw new RemoteFetchError(`not a URL: ${raw.slice(0, 200)}`)
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new RemoteFetchError(`unsupported protocol ${url.protocol}`)
    if (url.username || url.password) throw new RemoteFetchError('URLs with credentials are refused')
    if (options.isBlocked(url.hostname.toLowerCase())) throw new RemoteFetchError(`${url.hostname} is blocked`, 403)
    const host = url.hostname.replace(/^\[|\]$/g, '')
    if (net.isIP(host) !== 0 && !options.allowPrivateAddresses && isPrivateAddress(host)) {
      throw new RemoteFetchError(`${host} is a private address; refused`)
    }
    if (!options.allowPrivateAddresses && (host === 'localhost' || host.endsWith('.localhost'))) {
      throw new RemoteFetchError('localhost is refused')
    }
    return url
  }

  /** The request's headers, signed with `spec` when a signer is given; `body` is what a POST sends. */
  function signedHeaders (spec: SignatureSpec, method: string, url: URL, headers: Record<string, string>, signer: Signer | undefined, body?: string): Record<string, string> {
    const all: Record<string, string> = { Host: url.host, Date: new Date().toUTCString(), ...headers }
    if (!signer) return all
    if (spec === 'rfc9421') return { ...all, ...rfc9421Headers(method, url, body, signer) }
    if (body !== undefined) all.Digest = 'SHA-256=' + createHash('sha256').update(body).digest('base64')
    const request: SignableRequest = {
      method,
      path: url.pathname + url.search,
      getHeader: name => Object.entries(all).find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1],
      setHeader: (name, value) => { all[name] = value }
    }
    const signed = body === undefined ? ['(request-target)', 'host', 'date'] : ['(request-target)', 'host', 'date', 'digest']
    httpSignature.sign(request, { key: signer.privateKeyPem, keyId: signer.keyId, headers: signed, authorizationHeaderName: 'Signature' })
    return all
  }

  /** Sends a signed request with the spec its host accepts, knocking twice if needed; unsigned ones once. */
  async function send (url: URL, signer: Signer | undefined, request: (spec: SignatureSpec) => Promise<Response>): Promise<Response> {
    if (!signer || !options.signatureChoice) return await request('draft-cavage')
    return await options.signatureChoice.knock(url.host, request, async answer => { await answer.body?.cancel().catch(() => {}) })
  }

  async function readLimited (response: Response, limit: number): Promise<Buffer> {
    const declared = Number(response.headers.get('content-length'))
    if (Number.isFinite(declared) && declared > limit) {
      await response.body?.cancel()
      throw new RemoteFetchError(`response of ${declared} bytes is over the limit of ${limit}`)
    }
    const chunks: Buffer[] = []
    let total = 0
    if (response.body) {
      for await (const chunk of response.body) {
        total += chunk.length
        if (total > limit) {
          await response.body.cancel().catch(() => {})
          throw new RemoteFetchError(`response is over the limit of ${limit} bytes`)
        }
        chunks.push(Buffer.from(chunk))
      }
    }
    return Buffer.concat(chunks)
  }

  /** GETs an ActivityPub document; signed when a signer is given (for servers in secure mode). */
  async function getJson (raw: string, signer?: Signer, accept = ACCEPT_ACTIVITY, redirectsLeft = 1): Promise<Record<string, unknown>> {
    const url = checkUrl(raw)
    let response: Response
    try {
      response = await send(url, signer, async spec => await fetch(url, {
        headers: signedHeaders(spec, 'GET', url, { Accept: accept, 'User-Agent': options.userAgent }, signer),
        dispatcher: agent,
        redirect: 'manual',
        signal: AbortSignal.timeout(FETCH_TIMEOUT_MS)
      }))
    } catch (error) {
      throw new RemoteFetchError(`could not fetch ${url.href}: ${causeOf(error)}`)
    }
    const location = response.headers.get('location')
    if (response.status >= 300 && response.status < 400 && location && redirectsLeft > 0) {
      await response.body?.cancel()
      // Every redirect target passes the same checks as the first URL.
      return await getJson(new URL(location, url).href, signer, accept, redirectsLeft - 1)
    }
    return await parseJsonResponse(url, response)
  }

  async function parseJsonResponse (url: URL, response: Response): Promise<Record<string, unknown>> {
    if (response.status < 200 || response.status >= 300) {
      await response.body?.cancel()
      throw new RemoteFetchError(`${url.href} answered ${response.status}`, response.status)
    }
    const body = await readLimited(response, MAX_RESPONSE_BYTES)
    let parsed: unknown
    try {
      parsed = JSON.parse(body.toString('utf8'))
    } catch {
      throw new RemoteFetchError(`${url.href} did not answer with JSON`)
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new RemoteFetchError(`${url.href} did not answer with a JSON object`)
    return parsed as Record<string, unknown>
  }

  /** GETs a file of at most `limit` bytes (a remote page's image), following one checked redirect. */
  async function getBytes (raw: string, limit: number, redirectsLeft = 1): Promise<{ bytes: Buffer, contentType: string }> {
    const url = checkUrl(raw)
    let response: Response
    try {
      response = await fetch(url, { headers: { Accept: 'image/*', 'User-Agent': options.userAgent }, dispatcher: agent, redirect: 'manual', signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) })
    } catch (error) {
      throw new RemoteFetchError(`could not fetch ${url.href}: ${causeOf(error)}`)
    }
    const location = response.headers.get('location')
    if (response.status >= 300 && response.status < 400 && location && redirectsLeft > 0) {
      await response.body?.cancel()
      return await getBytes(new URL(location, url).href, limit, redirectsLeft - 1)
    }
    if (response.status < 200 || response.status >= 300) {
      await response.body?.cancel()
      throw new RemoteFetchError(`${url.href} answered ${response.status}`, response.status)
    }
    return { bytes: await readLimited(response, limit), contentType: response.headers.get('content-type') ?? '' }
  }

  /** POSTs an activity to an inbox, signed with the body's digest (Digest or Content-Digest), as Mastodon requires. */
  async function postActivity (raw: string, body: string, signer: Signer): Promise<{ statusCode: number, retryAfterMs?: number }> {
    const url = checkUrl(raw)
    const plain = { 'Content-Type': ACTIVITY_JSON, Accept: ACCEPT_ACTIVITY, 'User-Agent': options.userAgent }
    let response: Response
    try {
      response = await send(url, signer, async spec => await fetch(url, {
        method: 'POST',
        headers: signedHeaders(spec, 'POST', url, plain, signer, body),
        body,
        dispatcher: agent,
        redirect: 'manual',
        signal: AbortSignal.timeout(FETCH_TIMEOUT_MS)
      }))
    } catch (error) {
      throw new RemoteFetchError(`could not deliver to ${url.href}: ${causeOf(error)}`)
    }
    await response.body?.cancel().catch(() => {})
    const retryAfterMs = retryAfterOf(response.headers.get('retry-after'))
    return retryAfterMs === undefined ? { statusCode: response.status } : { statusCode: response.status, retryAfterMs }
  }

  return { getJson, getBytes, postActivity, checkUrl, userAgent: options.userAgent, close: () => agent.close() }
}

export type RemoteHttp = ReturnType<typeof createRemoteHttp>

function causeOf (error: unknown): string {
  const cause = (error as { cause?: Error }).cause
  return cause?.message ?? (error as Error).message
}
