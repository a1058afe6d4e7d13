import type { FastifyInstance } from 'fastify'
import fastifyPlugin from 'fastify-plugin'
import type { AppConfig } from '../config/index.ts'
import { createAccountService, type AccountService } from './accounts.ts'
import { adminRoutes } from './admin-routes.ts'
import { createAuditLog, type AuditLog } from './audit.ts'
import { registerAuthErrorPages } from './error-pages.ts'
import { createLockout } from './lockout.ts'
import { registerAuth } from './plugin.ts'
import { accountRoutes, type SetupState } from './routes.ts'
import { randomToken } from './secrets.ts'

export { createAccountService, type AccountService } from './accounts.ts'
export { ROUTE_ACCESS, accessFor } from './access.ts'
export { ForbiddenError, NotSignedInError, AuthError } from './errors.ts'
export { canSeeVisibility } from './roles.ts'
export { carriesCredentials, formTokenCheck } from './plugin.ts'
export { withoutSecrets } from './secret-urls.ts'

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
 * Accounts and security: sessions, CSRF and access checks on the root (so they cover
 * every route registered after), then the account and admin pages.
 */
async function setupAuth (app: FastifyInstance, options: { config: AppConfig, now?: () => Date }): Promise<void> {
  const { config } = options
  const db = app.store.db
  const accounts = createAccountService({ db, invitationDays: config.auth.invitationDays })
  const audit = createAuditLog({ db })
  const lockout = createLockout({ db, maxAccountFailures: config.auth.maxAccountFailures, maxAddressFailures: config.auth.maxAddressFailures, windowMs: config.auth.lockWindowMs, now: options.now })
  await accounts.ensureIndexes()
  await audit.ensureIndexes()
  await lockout.ensureIndexes()
  // Lives only in this process: each start without an admin prints a fresh link.
  const setup: SetupState = { token: await accounts.hasAdmin() ? null : randomToken() }

  const routes = new Set<string>()
  app.addHook('onRoute', route => {
    for (const method of Array.isArray(route.method) ? route.method : [route.method]) routes.add(`${method} ${route.url}`)
  })
  registerAuthErrorPages(app)
  await registerAuth(app, { config: config.auth, db, accounts, sweeps: { 'sign-in failures': lockout.sweep } })
  await app.register(accountRoutes, { accounts, audit, lockout, setup, loginRateLimit: LOGIN_RATE_LIMIT })
  await app.register(adminRoutes, { accounts, audit, baseUrl: config.baseUrl })

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
}

/** Accounts and security as a plugin on the root; every domain with routes depends on it. */
export const authPlugin = fastifyPlugin(setupAuth, { name: 'praxiswiki-auth', dependencies: ['praxiswiki-http'] })
