import type { FastifyInstance } from 'fastify'
import type { AppConfig } from '../config/index.ts'
import type { WikiService } from '../wiki/service.ts'
import { createAccountService, type AccountService } from './accounts.ts'
import { adminRoutes } from './admin-routes.ts'
import { createAuditLog, type AuditLog } from './audit.ts'
import { createLockout } from './lockout.ts'
import { registerAuth } from './plugin.ts'
import { reviewRoutes } from '../wiki/review-routes.ts'
import { accountRoutes, type SetupState } from './routes.ts'
import { randomToken } from './secrets.ts'

export { createAccountService, type AccountService } from './accounts.ts'
export { ROUTE_ACCESS, accessFor } from './access.ts'
export { ForbiddenError, NotSignedInError, AuthError } from './errors.ts'
export { canSeeVisibility } from './roles.ts'
export { carriesCredentials } from './plugin.ts'

export interface Auth {
  accounts: AccountService
  audit: AuditLog
  /** The set-up link while no admin exists (print it at start); null otherwise. */
  setupLink: () => Promise<string | null>
  /** Every route registered after auth, as `METHOD url`: tests check each has an entry in ROUTE_ACCESS. */
  routes: () => string[]
}

declare module 'fastify' {
  interface FastifyInstance {
    auth: Auth
  }
}

/** Sign-in per requests attempted from one address in a minute; the lock-out counts failures on top. */
const LOGIN_RATE_LIMIT = 30

/**
 * Accounts and security: sessions, CSRF, headers and access checks on the root
 * (so they cover every route registered after), then the account, admin and
 * review pages. Call before registering the app's other routes.
 */
export async function setupAuth (app: FastifyInstance, options: { config: AppConfig, wiki: WikiService }): Promise<Auth> {
  const { config } = options
  const db = app.store.db
  const accounts = createAccountService({ db, invitationDays: config.auth.invitationDays })
  const audit = createAuditLog({ db })
  const lockout = createLockout({ db, maxAccountFailures: config.auth.maxAccountFailures, maxAddressFailures: config.auth.maxAddressFailures, windowMs: config.auth.lockWindowMs })
  await accounts.ensureIndexes()
  await audit.ensureIndexes()
  await lockout.ensureIndexes()
  // Lives only in this process: each start without an admin prints a fresh link.
  const setup: SetupState = { token: await accounts.hasAdmin() ? null : randomToken() }

  const routes = new Set<string>()
  app.addHook('onRoute', route => {
    for (const method of Array.isArray(route.method) ? route.method : [route.method]) routes.add(`${method} ${route.url}`)
  })
  await registerAuth(app, { config: config.auth, db, accounts, mapTileUrl: config.lessons.mapTileUrl, sweeps: { 'sign-in failures': lockout.sweep } })
  await app.register(accountRoutes, { accounts, audit, lockout, setup, loginRateLimit: LOGIN_RATE_LIMIT })
  await app.register(adminRoutes, { accounts, audit, baseUrl: config.baseUrl })
  await app.register(reviewRoutes, { wiki: options.wiki, audit, reviewRequired: config.auth.reviewRequired })

  const auth: Auth = {
    accounts,
    audit,
    setupLink: async () => {
      if (setup.token === null || await accounts.hasAdmin()) return null
      return `${config.baseUrl}/setup?token=${setup.token}`
    },
    routes: () => [...routes].sort()
  }
  app.decorate('auth', auth)
  return auth
}
