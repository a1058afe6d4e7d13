import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { render } from '../http/context.ts'
import type { AccountDocument, AccountService } from './accounts.ts'
import type { AuditLog } from './audit.ts'
import { AuthError, InvalidAccountInputError, InvalidLinkError, UsernameTakenError, WrongPasswordError } from './errors.ts'
import type { Lockout } from './lockout.ts'
import { MIN_PASSWORD_LENGTH } from './passwords.ts'
import type { Role } from './roles.ts'
import { sameSecret } from './secrets.ts'
import {
  EmailBody, EmptyBody, FORM_BODY_LIMIT, IdParams, InvitationBody, LoginBody, LoginQuery, NewTokenBody, PasswordBody, SetupBody, SetupQuery,
  TokenParams
} from './schemas.ts'
import { sameSitePath } from '../http/return-path.ts'

export interface SetupState {
  /** The one-time set-up link's token while no admin exists; null once used. */
  token: string | null
}

export interface AccountRoutesOptions {
  accounts: AccountService
  audit: AuditLog
  lockout: Lockout
  setup: SetupState
  /** Sign-in attempts per address and minute, before the lock-out counts. */
  loginRateLimit: number
}

/** Sign-in, sign-out, the first admin's set-up, invitations, and the own account (password, API tokens). */
export async function accountRoutes (parent: FastifyInstance, options: AccountRoutesOptions): Promise<void> {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>()
  const { accounts, audit, lockout, setup } = options
  const small = { bodyLimit: FORM_BODY_LIMIT }

  const signIn = async (request: FastifyRequest, account: AccountDocument): Promise<void> => {
    // A new session id on every sign-in: an id planted before it (session fixation) is worth nothing.
    await request.session.regenerate()
    request.session.accountId = account._id.toHexString()
    request.session.signedInAt = Date.now()
  }

  const loginForm = async (request: FastifyRequest, reply: FastifyReply, state: { next: string, username?: string, error?: string }) =>
    await render(request, reply, 'login', {
      title: request.t('login.title'),
      csrfToken: reply.generateCsrf(),
      next: state.next,
      username: state.username ?? '',
      error: state.error ?? null,
      setupPending: setup.token !== null,
      noindex: true
    })

  app.get('/login', { schema: { querystring: LoginQuery } }, async (request, reply) => {
    return await loginForm(request, reply, { next: sameSitePath(request.query.next) })
  })

  app.post('/login', {
    ...small,
    schema: { body: LoginBody },
    config: { rateLimit: { max: options.loginRateLimit, timeWindow: '1 minute' } }
  }, async (request, reply) => {
    const { username, password } = request.body
    const next = sameSitePath(request.body.next)
    const name = username.trim().toLowerCase()
    const wait = await lockout.addressWaitMs(request.ip)
    if (wait > 0) {
      const seconds = Math.ceil(wait / 1000)
      await audit.record({ kind: 'sign-in-locked', actor: name, ip: request.ip, detail: `address waits ${seconds} s` })
      reply.code(429).header('Retry-After', String(seconds))
      return await loginForm(request, reply, { next, username, error: request.t('login.slowDown', { count: seconds }) })
    }
    // Counted before the password is checked, so attempts sent at once cannot all be tried.
    if (!await lockout.reserveAttempt(name)) {
      await audit.record({ kind: 'sign-in-locked', actor: name, ip: request.ip })
      reply.code(429)
      return await loginForm(request, reply, { next, username, error: request.t('login.locked') })
    }
    const account = await accounts.authenticate(name, password)
    if (account === null) {
      await lockout.addressFailed(request.ip)
      await audit.record({ kind: 'sign-in-failed', actor: name, ip: request.ip })
      reply.code(401)
      return await loginForm(request, reply, { next, username, error: request.t('login.failed') })
    }
    await lockout.succeed(name)
    await signIn(request, account)
    await audit.record({ kind: 'sign-in', actor: account.username, ip: request.ip })
    return await reply.redirect(next, 303)
  })

  app.post('/logout', { ...small, schema: { body: EmptyBody } }, async (request, reply) => {
    const username = request.account?.username ?? null
    await request.session.destroy()
    if (username !== null) await audit.record({ kind: 'sign-out', actor: username, ip: request.ip })
    return await reply.redirect('/', 303)
  })

  // The first admin's set-up and an invitation share one form; `token` is the set-up link's, invitations carry theirs in the URL.
  const newAccountForm = async (request: FastifyRequest, reply: FastifyReply, state: { heading: string, intro: string, action: string, token: string | null, username?: string, error?: string }) =>
    await render(request, reply, 'account-new', {
      title: state.heading,
      heading: state.heading,
      intro: state.intro,
      action: state.action,
      token: state.token,
      csrfToken: reply.generateCsrf(),
      username: state.username ?? '',
      error: state.error ?? null,
      minLength: MIN_PASSWORD_LENGTH,
      noindex: true
    })
  const setupForm = (request: FastifyRequest) => ({ heading: request.t('setup.title'), intro: request.t('setup.intro'), action: '/setup' })
  const invitationForm = (request: FastifyRequest, role: Role, token: string) =>
    ({ heading: request.t('invitation.title'), intro: request.t('invitation.intro', { role: request.t(`role.${role}`) }), action: `/invitations/${token}`, token: null })

  // The first admin: only with the link printed at start, and only while there is no admin.
  const checkSetupToken = async (token: string | undefined): Promise<void> => {
    if (setup.token === null || token === undefined || !sameSecret(token, setup.token) || await accounts.hasAdmin()) throw new InvalidLinkError()
  }

  app.get('/setup', { schema: { querystring: SetupQuery } }, async (request, reply) => {
    await checkSetupToken(request.query.token)
    return await newAccountForm(request, reply, { ...setupForm(request), token: request.query.token ?? '' })
  })

  app.post('/setup', { ...small, schema: { body: SetupBody } }, async (request, reply) => {
    await checkSetupToken(request.body.token)
    try {
      const account = await accounts.create({ username: request.body.username, password: request.body.password, role: 'admin' })
      setup.token = null
      await audit.record({ kind: 'setup', actor: account.username, target: account.username, ip: request.ip })
      await signIn(request, account)
      return await reply.redirect('/admin/accounts', 303)
    } catch (error) {
      reply.code(400)
      return await newAccountForm(request, reply, { ...setupForm(request), token: request.body.token, username: request.body.username, error: accountErrorText(request, error) })
    }
  })

  app.get('/invitations/:token', { schema: { params: TokenParams } }, async (request, reply) => {
    const invitation = await accounts.findInvitation(request.params.token)
    return await newAccountForm(request, reply, invitationForm(request, invitation.role, request.params.token))
  })

  app.post('/invitations/:token', { ...small, schema: { params: TokenParams, body: InvitationBody } }, async (request, reply) => {
    const invitation = await accounts.findInvitation(request.params.token)
    try {
      const account = await accounts.acceptInvitation(request.params.token, request.body)
      await audit.record({ kind: 'invitation-accepted', actor: account.username, target: `${invitation.role} (${invitation.createdBy})`, ip: request.ip })
      await signIn(request, account)
      return await reply.redirect('/', 303)
    } catch (error) {
      if (error instanceof InvalidLinkError) throw error
      reply.code(400)
      return await newAccountForm(request, reply, { ...invitationForm(request, invitation.role, request.params.token), username: request.body.username, error: accountErrorText(request, error) })
    }
  })

  const accountPage = async (request: FastifyRequest, reply: FastifyReply, state: { newToken?: string, message?: string, error?: string } = {}) => {
    const username = request.account?.username ?? ''
    const tokens = await accounts.listTokens(username)
    return await render(request, reply, 'account', {
      title: request.t('account.title'),
      username,
      role: request.t(`role.${request.account?.role ?? 'reader'}`),
      tokens: tokens.map(token => ({ id: token._id.toHexString(), name: token.name, createdAt: token.createdAt, lastUsedAt: token.lastUsedAt, revoked: token.revokedAt !== null })),
      // Made here, not in the shared hook: a password change has just given this session a new id and secret.
      csrfToken: reply.generateCsrf(),
      newToken: state.newToken ?? null,
      message: state.message ?? null,
      error: state.error ?? null,
      minLength: MIN_PASSWORD_LENGTH,
      email: (await accounts.require(username)).email ?? '',
      noindex: true
    })
  }

  app.get('/account', async (request, reply) => await accountPage(request, reply))

  app.post('/account/password', { ...small, schema: { body: PasswordBody } }, async (request, reply) => {
    const username = request.account?.username ?? ''
    try {
      await accounts.changePassword(username, request.body.current, request.body.password)
    } catch (error) {
      if (!(error instanceof AuthError)) throw error
      reply.code(400)
      return await accountPage(request, reply, { error: accountErrorText(request, error) })
    }
    await audit.record({ kind: 'password-changed', actor: username, target: username, ip: request.ip })
    // Other sessions of this account end (they signed in before the change); this one goes on with a new id.
    const account = await accounts.require(username)
    await signIn(request, account)
    return await accountPage(request, reply, { message: request.t('account.passwordChanged') })
  })

  app.post('/account/email', { ...small, schema: { body: EmailBody } }, async (request, reply) => {
    const username = request.account?.username ?? ''
    try {
      await accounts.setEmail(username, request.body.email)
    } catch (error) {
      if (!(error instanceof InvalidAccountInputError)) throw error
      reply.code(400)
      return await accountPage(request, reply, { error: request.t('account.badEmail') })
    }
    return await accountPage(request, reply, { message: request.t('account.emailSaved') })
  })

  app.post('/account/tokens', { ...small, schema: { body: NewTokenBody } }, async (request, reply) => {
    const username = request.account?.username ?? ''
    const { token, document } = await accounts.createToken(username, request.body.name)
    await audit.record({ kind: 'token-created', actor: username, target: document.name, ip: request.ip })
    reply.header('Cache-Control', 'no-store')
    return await accountPage(request, reply, { newToken: token })
  })

  app.post('/account/tokens/:id/revoke', { ...small, schema: { params: IdParams, body: EmptyBody } }, async (request, reply) => {
    const username = request.account?.username ?? ''
    if (await accounts.revokeToken(username, request.params.id)) {
      await audit.record({ kind: 'token-revoked', actor: username, target: request.params.id, ip: request.ip })
    }
    return await reply.redirect('/account', 303)
  })
}

function accountErrorText (request: FastifyRequest, error: unknown): string {
  if (error instanceof UsernameTakenError) return request.t('account.usernameTaken')
  if (error instanceof WrongPasswordError) return request.t('account.wrongPassword')
  if (error instanceof InvalidAccountInputError) {
    if (error.field === 'username') return request.t('account.badUsername')
    if (error.field === 'password') return request.t('account.badPassword', { min: MIN_PASSWORD_LENGTH })
    return request.t('error.badRequestText')
  }
  throw error
}
