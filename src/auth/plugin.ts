import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import cookie from '@fastify/cookie'
import csrf from '@fastify/csrf-protection'
import rateLimit from '@fastify/rate-limit'
import session from '@fastify/session'
import { parse as parseCookies } from 'cookie'
import type { Db } from 'mongodb'
import type { AuthConfig } from '../config/index.ts'
import { accessFor, isFederationPath } from './access.ts'
import { viewerOf, type AccountService, type Viewer } from './accounts.ts'
import { ForbiddenError, NotSignedInError } from './errors.ts'
import { allows, hasRole } from './roles.ts'
import { randomToken } from './secrets.ts'
import { createSessionStore } from './session-store.ts'

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in account (by session or API token); null for anonymous visitors. */
    account: Viewer | null
    /** Signed in by `Authorization: Bearer`: no session, no CSRF token. */
    viaToken: boolean
  }
  interface FastifyContextConfig {
    /**
     * A form for people without an account (and so without a session or CSRF token), whose
     * submissions a moderator reads before anyone else sees them.
     */
    withoutCsrf?: boolean
  }
  interface Session {
    accountId?: string
    signedInAt?: number
    _csrf?: string
  }
  interface FastifyContextConfig {
    /** The route reads its multipart body in its own hook and runs `formTokenCheck` after it. */
    formTokenAfterParsing?: boolean
  }
  interface FastifyReply {
    /** @fastify/view merges these into every template's data. */
    locals: Record<string, unknown> | null
  }
}

export interface AuthPluginOptions {
  config: AuthConfig
  db: Db
  accounts: AccountService
  /** Other stores' removal of expired documents, by name for the log: one timer sweeps them with the sessions. */
  sweeps?: Record<string, () => Promise<void>>
}

/** What templates learn about the person looking: names and what they may do, nothing to decide. */
export interface SessionView {
  username: string
  role: string
  canEdit: boolean
  canReview: boolean
  isAdmin: boolean
}

const SWEEP_MS = 60 * 60 * 1000
export const SESSION_COOKIE = 'praxiswiki_session'
const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/**
 * Cookies, server-side sessions, CSRF tokens and the rate limiter,
 * then the two checks every request passes: who is asking (session or API token)
 * and whether the route's access allows it. Registered on the root, before the routes.
 */
export async function registerAuth (app: FastifyInstance, options: AuthPluginOptions): Promise<void> {
  const { config, accounts } = options
  const secret = config.sessionSecret ?? await storedSecret(options.db)
  const store = createSessionStore({ db: options.db, maxAgeMs: config.sessionMaxAgeMs })
  const sweeps = { sessions: store.sweep, ...options.sweeps }
  const sweeper = setInterval(() => {
    for (const [name, sweep] of Object.entries(sweeps)) sweep().catch(error => { app.log.warn({ err: error }, `sweeping ${name} failed`) })
  }, SWEEP_MS)
  sweeper.unref()
  app.addHook('onClose', async () => { clearInterval(sweeper) })

  await app.register(rateLimit, { global: false })
  await app.register(cookie)
  await app.register(session, {
    secret,
    cookieName: SESSION_COOKIE,
    store,
    // Anonymous readers get no cookie; a session starts with a form that needs a CSRF token or a sign-in.
    saveUninitialized: false,
    rolling: false,
    cookie: { path: '/', httpOnly: true, sameSite: 'lax', secure: config.secureCookies, maxAge: config.sessionMaxAgeMs }
  })
  await app.register(csrf, { sessionPlugin: '@fastify/session' })

  app.decorateRequest('account', null)
  app.decorateRequest('viaToken', false)

  app.addHook('onRequest', async (request) => {
    request.account = await identify(request, accounts)
    const { access } = accessFor(request.method, request.routeOptions.url ?? '')
    if (allows(access, request.account?.role ?? null)) return
    if (request.account === null) throw new NotSignedInError()
    throw new ForbiddenError(access)
  })

  // Every change a browser can make carries the session's CSRF token; API tokens and other servers do not need one.
  // A route that reads its multipart body itself checks the token once the body is read.
  const checkToken = formTokenCheck(app)
  app.addHook('preValidation', (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
    if (isFederationPath(request.url) || request.routeOptions.config.withoutCsrf === true || request.routeOptions.config.formTokenAfterParsing === true) { done(); return }
    checkToken(request, reply, done)
  })

  // Templates get the person's name and abilities and, for signed-in people, the token their forms carry.
  app.addHook('preHandler', async (request, reply) => {
    const account = request.account
    if (account === null || request.viaToken) return
    reply.header('Cache-Control', 'private, no-cache')
    reply.locals = { ...reply.locals, session: sessionView(account), csrfToken: reply.generateCsrf() }
  })
}

/**
 * The CSRF check of a browser's change: the session's token must come in the body's `_csrf`
 * (or a header); requests with an API token need none. For routes marked
 * `formTokenAfterParsing`, which run it as their own hook after reading a multipart body.
 */
export function formTokenCheck (app: FastifyInstance) {
  return (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void => {
    if (!UNSAFE_METHODS.has(request.method) || request.viaToken) { done(); return }
    app.csrfProtection(request, reply, () => {
      // The token has done its job; route schemas need not know it.
      const body = request.body
      if (typeof body === 'object' && body !== null && !Array.isArray(body)) delete (body as Record<string, unknown>)._csrf
      done()
    })
  }
}

/**
 * Whether a request could be someone's: it carries an API token or a session cookie.
 * Answers to requests without either are the same for everyone who reads in the same language.
 */
export function carriesCredentials (request: FastifyRequest): boolean {
  if (request.headers.authorization !== undefined) return true
  const cookies = request.headers.cookie
  return cookies !== undefined && parseCookies(cookies)[SESSION_COOKIE] !== undefined
}

async function identify (request: FastifyRequest, accounts: AccountService): Promise<Viewer | null> {
  const authorization = request.headers.authorization
  if (typeof authorization === 'string' && request.url.startsWith('/api/')) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization)
    if (match === null) throw new NotSignedInError()
    const account = await accounts.accountForToken(match[1] ?? '')
    // A wrong or revoked token is an error, never a quiet fall-back to anonymous reading.
    if (account === null) throw new NotSignedInError()
    request.viaToken = true
    return viewerOf(account)
  }
  const accountId = request.session?.accountId
  if (accountId === undefined) return null
  const account = await accounts.byId(accountId)
  // Disabled accounts and those whose password changed since signing in are out at once.
  if (account === null || account.disabled || account.passwordChangedAt.getTime() > (request.session.signedInAt ?? 0)) {
    delete request.session.accountId
    return null
  }
  return viewerOf(account)
}

export function sessionView (account: Viewer): SessionView {
  return {
    username: account.username,
    role: account.role,
    canEdit: hasRole(account.role, 'editor'),
    canReview: hasRole(account.role, 'reviewer'),
    isAdmin: hasRole(account.role, 'admin')
  }
}

async function storedSecret (db: Db): Promise<string> {
  const settings = db.collection<{ _id: string, value: string }>('settings')
  const existing = await settings.findOne({ _id: 'session-secret' })
  if (existing !== null) return existing.value
  const value = randomToken()
  try {
    await settings.insertOne({ _id: 'session-secret', value })
    return value
  } catch {
    // Another process made it first.
    return (await settings.findOne({ _id: 'session-secret' }))?.value ?? value
  }
}
