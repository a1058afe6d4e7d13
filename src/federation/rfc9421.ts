import { constants, createPrivateKey, sign, verify, type KeyObject } from 'node:crypto'
import { parseDictionary, serializeDictionary, serializeInnerList, type InnerList, type Parameters } from 'structured-headers'
import { contentDigestOf, contentDigestProblem } from './content-digest.ts'
import { MAX_SIGNATURE_AGE_MS, MAX_SIGNATURE_FUTURE_MS, publicKey, SignatureError, type IncomingRequest } from './signatures.ts'

/**
 * HTTP Message Signatures (RFC 9421) as the fediverse uses them (Mastodon 4.4+, Fedify,
 * WordPress): one signature labelled in `Signature-Input`/`Signature`, covering at least
 * `@method` and `@target-uri`, and `content-digest` (RFC 9530) when there is a body.
 * The structured fields are parsed and serialised by `structured-headers`.
 */

/** Told to senders on a 401: what an RFC 9421 signature to this server must cover. */
export const ACCEPT_SIGNATURE_POST = 'sig1=("@method" "@target-uri" "content-digest");created;keyid'
export const ACCEPT_SIGNATURE_GET = 'sig1=("@method" "@target-uri");created;keyid'

/** The algorithms verified, by their registry names; without `alg` the key's type decides. */
const ALGORITHMS = new Set(['rsa-v1_5-sha256', 'rsa-pss-sha512', 'ed25519'])
/** Bounds on what a sender may make us parse and hash. */
const MAX_FIELD_LENGTH = 8192
const MAX_LABELS = 8
const MAX_COMPONENTS = 24
const MAX_SIGNATURE_BYTES = 1024

export interface Rfc9421Signature {
  keyId: string
  algorithm: string | undefined
  /** The signature base (RFC 9421 §2.5) rebuilt from the request as received. */
  base: string
  signature: Buffer
}

/** Whether a request carries an RFC 9421 signature rather than a draft-cavage one. */
export function isRfc9421Request (headers: IncomingRequest['headers']): boolean {
  return headers['signature-input'] !== undefined
}

function headerText (value: string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined
  return (Array.isArray(value) ? value.join(', ') : value).trim()
}

function parseField (name: string, value: string | undefined): ReturnType<typeof parseDictionary> {
  if (value === undefined || value === '') throw new SignatureError(`missing ${name} header`)
  if (value.length > MAX_FIELD_LENGTH) throw new SignatureError(`the ${name} header is longer than ${MAX_FIELD_LENGTH} characters`)
  try {
    return parseDictionary(value)
  } catch (error) {
    throw new SignatureError(`unreadable ${name} header: ${(error as Error).message}`)
  }
}

/** The URL the sender addressed: the public URL (BASE_URL, also behind a proxy) with the path and query received. */
export function targetUri (publicUrl: string, originalUrl: string): URL {
  return new URL(publicUrl.replace(/\/+$/, '') + (originalUrl.startsWith('/') ? originalUrl : `/${originalUrl}`))
}

/** The value of a derived component (RFC 9421 §2.2) for a request to `target`. */
function derived (component: string, method: string, target: URL): string {
  switch (component) {
    case '@method': return method.toUpperCase()
    case '@target-uri': return target.href
    case '@authority': return target.host
    case '@scheme': return target.protocol.slice(0, -1)
    case '@request-target': return target.pathname + target.search
    case '@path': return target.pathname
    case '@query': return target.search === '' ? '?' : target.search
    default: throw new SignatureError(`the derived component ${component} is not supported`)
  }
}

/** The signature base: one line per covered component, then `@signature-params` (RFC 9421 §2.5). */
function signatureBase (input: InnerList, valueOf: (component: string) => string): string {
  const lines = input[0].map(([component]) => `"${String(component)}": ${valueOf(String(component))}`)
  lines.push(`"@signature-params": ${serializeInnerList(input)}`)
  return lines.join('\n')
}

/**
 * Parses an RFC 9421 signature and checks what does not need the key, as the draft-cavage path
 * does: the covered components, the `created`/`expires` window, the keyid, and the
 * `Content-Digest` of the body. `publicUrl` is BASE_URL, so `@target-uri` is what the sender saw.
 */
export function checkRfc9421Request (request: IncomingRequest, publicUrl: string, now = Date.now()): Rfc9421Signature {
  const inputs = parseField('Signature-Input', headerText(request.headers['signature-input']))
  const signatures = parseField('Signature', headerText(request.headers.signature))
  if (inputs.size > MAX_LABELS) throw new SignatureError(`more than ${MAX_LABELS} signatures`)
  const label = [...inputs.keys()].find(name => signatures.has(name))
  if (label === undefined) throw new SignatureError('no signature in Signature matches a label in Signature-Input')
  const input = inputs.get(label) as InnerList
  const signatureItem = signatures.get(label)
  if (!Array.isArray(input[0])) throw new SignatureError(`Signature-Input ${label} is not a list of components`)
  const signature = signatureItem?.[0]
  if (!(signature instanceof ArrayBuffer) || signature.byteLength === 0 || signature.byteLength > MAX_SIGNATURE_BYTES) {
    throw new SignatureError(`Signature ${label} is not a byte sequence of a signature's size`)
  }

  const components = input[0].map(([value, params]) => {
    if (typeof value !== 'string' || value !== value.toLowerCase()) throw new SignatureError('covered components must be lower-case strings')
    if (params.size > 0) throw new SignatureError(`component parameters (${value};${[...params.keys()].join(';')}) are not supported`)
    return value
  })
  if (components.length > MAX_COMPONENTS || new Set(components).size !== components.length) throw new SignatureError('too many or repeated covered components')
  if (!components.includes('@method') || !components.includes('@target-uri')) throw new SignatureError('the signature must cover @method and @target-uri')

  const params = input[1]
  const keyId = params.get('keyid')
  if (typeof keyId !== 'string' || !URL.canParse(keyId)) throw new SignatureError('the keyid is not a URL')
  const algorithm = params.get('alg')
  if (algorithm !== undefined && (typeof algorithm !== 'string' || !ALGORITHMS.has(algorithm))) {
    throw new SignatureError(`the algorithm ${String(algorithm).slice(0, 40)} is not supported (rsa-v1_5-sha256, rsa-pss-sha512, ed25519)`)
  }
  checkWindow(params, now)

  if (request.method === 'POST') {
    if (!components.includes('content-digest')) throw new SignatureError('the Content-Digest header must be signed')
    const problem = contentDigestProblem(headerText(request.headers['content-digest']) ?? '', request.rawBody ?? Buffer.alloc(0))
    if (problem !== null) throw new SignatureError(problem)
  }

  const target = targetUri(publicUrl, request.originalUrl)
  const base = signatureBase(input, component => {
    if (component.startsWith('@')) return derived(component, request.method, target)
    const value = headerText(request.headers[component])
    if (value === undefined) throw new SignatureError(`the covered header ${component} is missing`)
    return value
  })
  return { keyId, algorithm: algorithm as string | undefined, base, signature: Buffer.from(signature) }
}

/** `created` is required and, like the draft-cavage Date, at most 12 hours old and 1 hour ahead; a passed `expires` refuses. */
function checkWindow (params: Parameters, now: number): void {
  const created = params.get('created')
  if (typeof created !== 'number' || !Number.isInteger(created)) throw new SignatureError('the signature has no created time')
  const createdMs = created * 1000
  if (now - createdMs > MAX_SIGNATURE_AGE_MS) throw new SignatureError('the signature has expired (created more than 12 hours ago)')
  if (createdMs - now > MAX_SIGNATURE_FUTURE_MS) throw new SignatureError('the signature is created more than an hour ahead')
  const expires = params.get('expires')
  if (expires === undefined) return
  if (typeof expires !== 'number' || !Number.isInteger(expires)) throw new SignatureError('the signature\'s expires is not a time')
  // The same hour of clock skew as for a future created time.
  if (now - expires * 1000 > MAX_SIGNATURE_FUTURE_MS) throw new SignatureError('the signature has expired (its expires time has passed)')
}

/** Checks the signature over its base with the key the keyid names. */
export function verifyRfc9421 (parsed: Rfc9421Signature, publicKeyPem: string): boolean {
  try {
    const key = publicKey(publicKeyPem)
    const type = key.asymmetricKeyType
    const base = Buffer.from(parsed.base, 'utf8')
    const algorithm = parsed.algorithm ?? (type === 'ed25519' ? 'ed25519' : 'rsa-v1_5-sha256')
    if (algorithm === 'rsa-v1_5-sha256' && type === 'rsa') return verify('sha256', base, key, parsed.signature)
    if (algorithm === 'rsa-pss-sha512' && (type === 'rsa' || type === 'rsa-pss')) {
      return verify('sha512', base, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 64 }, parsed.signature)
    }
    if (algorithm === 'ed25519' && type === 'ed25519') return verify(null, base, key, parsed.signature)
    return false
  } catch {
    return false
  }
}

const privateKeys = new Map<string, KeyObject>()

function privateKey (pem: string): KeyObject {
  let key = privateKeys.get(pem)
  if (key === undefined) {
    key = createPrivateKey(pem)
    // One organisation key per instance; a few more in tests.
    if (privateKeys.size >= 16) privateKeys.delete(privateKeys.keys().next().value as string)
    privateKeys.set(pem, key)
  }
  return key
}

export interface Rfc9421Signer {
  keyId: string
  privateKeyPem: string
}

/**
 * The headers that sign a request with RFC 9421: `@method`, `@target-uri` and `@authority`,
 * and `content-digest` with a body, as Fedify and Mastodon sign; `created`, `keyid` and `alg`.
 */
export function rfc9421Headers (method: string, url: URL, body: string | undefined, signer: Rfc9421Signer, now = Date.now()): Record<string, string> {
  const key = privateKey(signer.privateKeyPem)
  const ed25519 = key.asymmetricKeyType === 'ed25519'
  const headers: Record<string, string> = {}
  const components = ['@method', '@target-uri', '@authority']
  if (body !== undefined) {
    headers['Content-Digest'] = contentDigestOf(body)
    components.push('content-digest')
  }
  const input: InnerList = [
    components.map(component => [component, new Map()]),
    new Map<string, string | number>([['created', Math.floor(now / 1000)], ['keyid', signer.keyId], ['alg', ed25519 ? 'ed25519' : 'rsa-v1_5-sha256']])
  ]
  const base = signatureBase(input, component => component === 'content-digest' ? headers['Content-Digest'] as string : derived(component, method, url))
  const signature = sign(ed25519 ? null : 'sha256', Buffer.from(base, 'utf8'), key)
  headers['Signature-Input'] = serializeDictionary(new Map([['sig1', input]]))
  headers.Signature = serializeDictionary(new Map([['sig1', [signature, new Map()]]]))
  return headers
}
