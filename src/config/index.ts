import { isIP } from 'node:net'
import { Type, type Static } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'

/** Every setting, by its environment variable; README.md documents the same table. */
export const SettingsSchema = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000, description: 'TCP port to listen on' }),
  HOST: Type.String({ minLength: 1, default: 'localhost', description: 'address to listen on' }),
  BASE_URL: Type.Optional(Type.String({ pattern: '^https?://[^\\s/?#]+(/[^\\s?#]*)?$', description: 'public URL of the wiki' })),
  DATA_DIR: Type.String({ minLength: 1, default: './data', description: 'directory of the embedded store' }),
  TRUST_PROXY: Type.String({ maxLength: 2000, default: 'false', description: 'which proxies may say the client address and protocol: false, true, loopback, a comma list of addresses/CIDRs, or a hop count' }),
  MONGODB_URI: Type.Optional(Type.String({ pattern: '^mongodb(\\+srv)?://\\S+$', description: 'MongoDB connection string' })),
  CONTENT_DIR: Type.String({ minLength: 1, default: './content', description: 'starter pages imported into an empty store' }),
  LESSON_FIELDS: Type.Optional(Type.String({ minLength: 1, maxLength: 5000, description: 'comma-separated fields of social work a lesson may name; replaces the default list' })),
  MAP_TILE_URL: Type.Optional(Type.String({ pattern: '^(https?:)?//\\S+$', description: 'Leaflet tile URL template for the lessons map, e.g. https://tiles.example.org/{z}/{x}/{y}.png' })),
  MAP_TILE_ATTRIBUTION: Type.String({ maxLength: 500, default: '', description: 'attribution text the tile provider asks for' }),
  LOG_LEVEL: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map(level => Type.Literal(level)), { default: 'info' }),
  BODY_LIMIT: Type.Integer({ minimum: 1024, maximum: 64 * 1024 * 1024, default: 1024 * 1024, description: 'largest request body in bytes' }),
  SITE_NAME: Type.String({ minLength: 1, maxLength: 100, default: 'Praxiswiki' }),
  ACTOR_NAME: Type.String({ pattern: '^[a-z0-9_]{1,30}$', default: 'wiki', description: 'user part of the organisation actor, as in wiki@host' }),
  ORGANISATION_NAME: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'display name of the organisation actor; defaults to SITE_NAME' })),
  ORGANISATION_SUMMARY: Type.String({ maxLength: 500, default: '', description: 'one or two sentences about the organisation, shown on its profile' }),
  ORGANISATION_ICON: Type.Optional(Type.String({ pattern: '^https?://\\S+$', description: 'URL of the organisation logo' })),
  FEDERATION_ALLOW_PRIVATE: Type.Boolean({ default: false, description: 'allow fetching from and delivering to loopback and private addresses (tests only)' }),
  FEDERATION_BLOCKED_DOMAINS: Type.String({ default: '', description: 'comma-separated hosts whose activities are refused' }),
  FEDERATION_FOLLOW_APPROVAL: Type.Union([Type.Literal('auto'), Type.Literal('manual')], { default: 'auto', description: 'accept followers automatically or after an admin approves' }),
  FEDERATION_INDEXABLE: Type.Boolean({ default: true, description: 'tell other servers (indexable, discoverable) that the organisation\'s pages and profile may be found by search' }),
  // Mastodon 4.5 signs with draft-cavage and tries RFC 9421 only when that is refused (its pull request 39756).
  FEDERATION_SIGNATURE_FIRST: Type.Union([Type.Literal('draft-cavage'), Type.Literal('rfc9421')], { default: 'draft-cavage', description: 'HTTP signature spec tried first with a server nothing is known of; the other is tried when it refuses' }),
  FEDERATION_KEY_BITS: Type.Union([Type.Literal(2048), Type.Literal(3072), Type.Literal(4096)], { default: 4096, description: 'RSA key size of the organisation actor, made at first start' }),
  SESSION_SECRET: Type.Optional(Type.String({ minLength: 32, maxLength: 500, description: 'signs session cookies; made and kept in the store when not set' })),
  SESSION_HOURS: Type.Integer({ minimum: 1, maximum: 24 * 90, default: 12, description: 'how long a sign-in lasts' }),
  REVIEW_REQUIRED: Type.Boolean({ default: false, description: 'four-eyes review: a page becomes public or unlisted only after another account (reviewer or admin) approves' }),
  COMMENTS_PUBLISH_FROM_FOLLOWED: Type.Boolean({ default: false, description: 'replies from organisations this wiki follows appear at once; all other replies and experiences wait for a moderator' }),
  EXPERIENCES_PER_TEN_MINUTES: Type.Integer({ minimum: 1, maximum: 1000, default: 5, description: 'experiences one address may send (without an account) in ten minutes' }),
  DEFAULT_VISIBILITY: Type.Union([Type.Literal('local'), Type.Literal('unlisted'), Type.Literal('public')], { default: 'local', description: 'visibility the new-page and new-lesson forms start with; local pages never federate' }),
  LOGIN_MAX_FAILURES: Type.Integer({ minimum: 1, maximum: 1000, default: 5, description: 'failed sign-ins of one account that lock it for LOGIN_LOCK_MINUTES' }),
  LOGIN_MAX_FAILURES_PER_IP: Type.Integer({ minimum: 1, maximum: 10000, default: 20, description: 'failed sign-ins from one address within LOGIN_LOCK_MINUTES after which it must wait before each further try (1 second, doubling, at most a minute)' }),
  LOGIN_LOCK_MINUTES: Type.Integer({ minimum: 1, maximum: 24 * 60, default: 15, description: 'length of a lock-out, and the window in which failures count' }),
  INVITATION_DAYS: Type.Integer({ minimum: 1, maximum: 90, default: 7, description: 'how long an invitation link stays valid' }),
  REQUEST_TIMEOUT_SECONDS: Type.Integer({ minimum: 1, maximum: 3600, default: 30, description: 'longest time a request may take to arrive and be answered' }),
  SMTP_URL: Type.Optional(Type.String({ pattern: '^smtps?://[^\\s/?#]+(/[^\\s]*)?$', maxLength: 2000, description: 'SMTP server for notification digests, smtp:// or smtps:// with user and password in the URL' })),
  SMTP_FROM: Type.Optional(Type.String({ minLength: 3, maxLength: 300, pattern: '^[^\\r\\n]*@[^\\r\\n]*$', description: 'sender of digest mails, e.g. "Praxiswiki <wiki@example.org>"' })),
  NOTIFICATION_DIGEST_MINUTES: Type.Integer({ minimum: 1, maximum: 7 * 24 * 60, default: 60, description: 'at most one digest mail per person in this time' }),
  NOTIFICATION_KEEP_DAYS: Type.Integer({ minimum: 1, maximum: 3650, default: 90, description: 'notifications older than this are removed' }),
  UPLOAD_LIMIT_MB: Type.Integer({ minimum: 1, maximum: 100, default: 10, description: 'largest file an editor may upload, in megabytes' })
})

export type Settings = Static<typeof SettingsSchema>

export interface LessonsConfig {
  /** The fields of social work a lesson may name (LESSON_FIELDS); null keeps the lessons' own default list. */
  fields: string[] | null
  mapTileUrl?: string
  mapTileAttribution: string
}

/**
 * Fastify's `trustProxy`: whether forwarding headers (X-Forwarded-For, -Proto, -Host) are believed,
 * and from whom: nobody, everybody, these addresses/CIDRs (or proxy-addr's names such as `loopback`),
 * or the given number of hops in front of the app.
 */
export type TrustProxy = boolean | number | string[]

export interface AppConfig {
  port: number
  host: string
  baseUrl: string
  trustProxy: TrustProxy
  dataDir: string
  mongodbUri?: string
  contentDir: string
  lessons: LessonsConfig
  logLevel: string
  bodyLimit: number
  siteName: string
  federation: FederationConfig
  auth: AuthConfig
  requestTimeoutMs: number
  /** What the forms for a new page or lesson propose: whether it federates unless the author changes it. */
  defaultVisibility: 'local' | 'unlisted' | 'public'
  notifications: NotificationsConfig
  /** The largest upload, in megabytes (UPLOAD_LIMIT_MB); an admin may change it in the browser. */
  uploadLimitMb: number
}

export interface NotificationsConfig {
  /** Digest mails go out only with an SMTP server. */
  smtpUrl?: string
  mailFrom: string
  digestIntervalMs: number
  keepDays: number
}

export interface AuthConfig {
  sessionSecret?: string
  sessionMaxAgeMs: number
  /** Secure cookies when the public URL is https (behind a proxy, only once TRUST_PROXY lets it say https). */
  secureCookies: boolean
  reviewRequired: boolean
  /** Replies from followed organisations without a moderator, and the no-account form's rate. */
  comments: { publishFromFollowed: boolean, experiencesPerTenMinutes: number }
  maxAccountFailures: number
  /** Failures from one address within the window after which it is slowed down. */
  maxAddressFailures: number
  lockWindowMs: number
  invitationDays: number
}

export interface FederationConfig {
  actorName: string
  organisationName: string
  organisationSummary: string
  organisationIcon?: string
  allowPrivateAddresses: boolean
  blockedDomains: string[]
  followApproval: 'auto' | 'manual'
  indexable: boolean
  keyBits: 2048 | 3072 | 4096
  /** Which HTTP signature spec is tried first (see federation/signature-choice.ts). */
  signatureFirst: 'draft-cavage' | 'rfc9421'
}

/** An invalid setting; the message is one line that names it. */
export class ConfigError extends Error {
  constructor (readonly setting: string, readonly reason: string) {
    super(`Invalid setting ${setting}: ${reason}`)
    this.name = 'ConfigError'
  }
}

export function loadConfig (env: Record<string, string | undefined>): AppConfig {
  const raw: Record<string, unknown> = {}
  for (const name of Object.keys(SettingsSchema.properties)) {
    const value = env[name]
    // An empty variable means "not set", as in most shells' `FOO= npm start`.
    if (value !== undefined && value.trim() !== '') raw[name] = value.trim()
  }
  const settings = Value.Convert(SettingsSchema, Value.Default(SettingsSchema, raw))
  const error = Value.Errors(SettingsSchema, settings).First()
  if (error !== undefined) {
    const name = error.path.replace(/^\//, '').split('/')[0] || 'settings'
    // A mail server's password must not reach the terminal or the log with the error.
    const shown = name === 'SMTP_URL' && typeof raw[name] === 'string' ? withoutCredentials(raw[name]) : raw[name]
    throw new ConfigError(name, `${error.message} (got ${JSON.stringify(shown ?? null)})`)
  }
  const valid = settings as Settings
  const config: AppConfig = {
    port: valid.PORT,
    host: valid.HOST,
    baseUrl: (valid.BASE_URL ?? `http://localhost:${valid.PORT}`).replace(/\/+$/, ''),
    trustProxy: parseTrustProxy(valid.TRUST_PROXY),
    dataDir: valid.DATA_DIR,
    contentDir: valid.CONTENT_DIR,
    lessons: {
      fields: valid.LESSON_FIELDS === undefined ? null : valid.LESSON_FIELDS.split(',').map(field => field.trim()).filter(field => field !== ''),
      mapTileAttribution: valid.MAP_TILE_ATTRIBUTION
    },
    logLevel: valid.LOG_LEVEL,
    bodyLimit: valid.BODY_LIMIT,
    siteName: valid.SITE_NAME,
    federation: {
      actorName: valid.ACTOR_NAME,
      organisationName: valid.ORGANISATION_NAME ?? valid.SITE_NAME,
      organisationSummary: valid.ORGANISATION_SUMMARY,
      allowPrivateAddresses: valid.FEDERATION_ALLOW_PRIVATE,
      blockedDomains: valid.FEDERATION_BLOCKED_DOMAINS.split(',').map(host => host.trim().toLowerCase()).filter(host => host !== ''),
      followApproval: valid.FEDERATION_FOLLOW_APPROVAL,
      indexable: valid.FEDERATION_INDEXABLE,
      keyBits: valid.FEDERATION_KEY_BITS,
      signatureFirst: valid.FEDERATION_SIGNATURE_FIRST
    },
    auth: {
      sessionMaxAgeMs: valid.SESSION_HOURS * 60 * 60 * 1000,
      secureCookies: false,
      reviewRequired: valid.REVIEW_REQUIRED,
      comments: { publishFromFollowed: valid.COMMENTS_PUBLISH_FROM_FOLLOWED, experiencesPerTenMinutes: valid.EXPERIENCES_PER_TEN_MINUTES },
      maxAccountFailures: valid.LOGIN_MAX_FAILURES,
      maxAddressFailures: valid.LOGIN_MAX_FAILURES_PER_IP,
      lockWindowMs: valid.LOGIN_LOCK_MINUTES * 60 * 1000,
      invitationDays: valid.INVITATION_DAYS
    },
    requestTimeoutMs: valid.REQUEST_TIMEOUT_SECONDS * 1000,
    defaultVisibility: valid.DEFAULT_VISIBILITY,
    notifications: {
      mailFrom: valid.SMTP_FROM ?? `${valid.SITE_NAME.replace(/[\r\n<>"]/g, '')} <${valid.ACTOR_NAME}@${baseHost(valid.BASE_URL ?? `http://localhost:${valid.PORT}`)}>`,
      digestIntervalMs: valid.NOTIFICATION_DIGEST_MINUTES * 60 * 1000,
      keepDays: valid.NOTIFICATION_KEEP_DAYS
    },
    uploadLimitMb: valid.UPLOAD_LIMIT_MB
  }
  config.auth.secureCookies = config.baseUrl.startsWith('https://')
  if (valid.SESSION_SECRET !== undefined) config.auth.sessionSecret = valid.SESSION_SECRET
  if (valid.ORGANISATION_ICON !== undefined) config.federation.organisationIcon = valid.ORGANISATION_ICON
  if (valid.MONGODB_URI !== undefined) config.mongodbUri = valid.MONGODB_URI
  if (valid.MAP_TILE_URL !== undefined) config.lessons.mapTileUrl = valid.MAP_TILE_URL
  if (valid.SMTP_URL !== undefined) config.notifications.smtpUrl = checkSmtpUrl(valid.SMTP_URL)
  return config
}

/** proxy-addr's names for address ranges, accepted in TRUST_PROXY's list. */
const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal'])

/** Checked here, so a typo stops the start with one line instead of trusting the wrong sender. */
export function parseTrustProxy (value: string): TrustProxy {
  const text = value.trim().toLowerCase()
  if (text === 'false') return false
  if (text === 'true') return true
  if (/^\d+$/.test(text)) {
    const hops = Number(text)
    if (hops > 100) throw new ConfigError('TRUST_PROXY', `a hop count must be at most 100 (got ${JSON.stringify(value)})`)
    return hops === 0 ? false : hops
  }
  const entries = text.split(',').map(entry => entry.trim()).filter(entry => entry !== '')
  const wrong = entries.find(entry => !isProxyAddress(entry))
  if (entries.length === 0 || wrong !== undefined) {
    throw new ConfigError('TRUST_PROXY', `expected false, true, a hop count, or a comma list of addresses, CIDRs, loopback, linklocal or uniquelocal (got ${JSON.stringify(wrong ?? value)})`)
  }
  return entries
}

function isProxyAddress (entry: string): boolean {
  if (NAMED_RANGES.has(entry)) return true
  const [address = '', prefix, ...rest] = entry.split('/')
  const version = isIP(address)
  if (version === 0 || rest.length > 0) return false
  if (prefix === undefined) return true
  // An IPv4 range may also be written with a netmask, as proxy-addr allows.
  if (version === 4 && isIP(prefix) === 4) return true
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128)
}

/**
 * The one line to log at start when the public URL is https but no proxy is trusted: every
 * request then looks like plain http, so the browser never gets a session cookie and nobody can sign in.
 */
export function proxyWarning (config: AppConfig): string | null {
  if (!config.baseUrl.startsWith('https://') || config.trustProxy !== false) return null
  return 'BASE_URL is https but TRUST_PROXY is not set: behind a TLS-terminating reverse proxy nobody can sign in; set TRUST_PROXY to the proxy\'s address (e.g. loopback), see "Behind a reverse proxy" in the README'
}

/** The host name of the public URL, for the default sender address. */
function baseHost (baseUrl: string): string {
  return new URL(baseUrl).hostname
}

/** A URL the mail library can read: a host, and a port in range when one is given. */
function checkSmtpUrl (value: string): string {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new ConfigError('SMTP_URL', `not a URL (got ${JSON.stringify(withoutCredentials(value))})`)
  }
  if (url.hostname === '') throw new ConfigError('SMTP_URL', 'names no host')
  return value
}

function withoutCredentials (url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//…@')
}
