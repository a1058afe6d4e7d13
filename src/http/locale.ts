import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { parse as parseCookies } from 'cookie'
import { LOCALES, isLocale, negotiateLocale, translator, type Locale, type Translate } from '../i18n/index.ts'
import { sameSitePath } from './return-path.ts'

export const LOCALE_COOKIE = 'locale'
const ONE_YEAR_SECONDS = 365 * 24 * 60 * 60

declare module 'fastify' {
  interface FastifyRequest {
    /** The interface language: the account's setting, then the `locale` cookie, then Accept-Language. */
    locale: Locale
    t: Translate
  }
}

// The cookie and header cannot change during a request, so they are read once;
// the account can still arrive later (sessions load it in a hook of their own).
const preferences = new WeakMap<FastifyRequest, Locale>()

function accountLocale (request: FastifyRequest): Locale | undefined {
  // Accounts (issue 8) may set `request.account.locale`; read it without depending on their types.
  const account = (request as { account?: { locale?: unknown } | null }).account
  return isLocale(account?.locale) ? account.locale : undefined
}

function cookieLocale (request: FastifyRequest): Locale | undefined {
  const header = request.headers.cookie
  if (header === undefined || header === '') return undefined
  const value = parseCookies(header)[LOCALE_COOKIE]
  return isLocale(value) ? value : undefined
}

export function chooseLocale (request: FastifyRequest): Locale {
  const fromAccount = accountLocale(request)
  if (fromAccount !== undefined) return fromAccount
  let preference = preferences.get(request)
  if (preference === undefined) {
    preference = cookieLocale(request) ?? negotiateLocale(request.headers['accept-language'])
    preferences.set(request, preference)
  }
  return preference
}

/** Links that switch the interface language and come back to the same address. */
export function localeLinks (request: FastifyRequest): Array<{ locale: Locale, href: string, current: boolean }> {
  const current = request.locale
  return LOCALES.map(locale => ({
    locale,
    href: `/locale?set=${locale}&return=${encodeURIComponent(sameSitePath(request.url))}`,
    current: locale === current
  }))
}

/** Request decorators for the reader's language and headers that say which one was chosen. */
export function registerLocale (app: FastifyInstance): void {
  app.decorateRequest('locale', { getter (this: FastifyRequest) { return chooseLocale(this) } })
  app.decorateRequest('t', { getter (this: FastifyRequest) { return translator(chooseLocale(this)) } })
  // Assets are the same in every language.
  const localised = (request: FastifyRequest) => !request.url.startsWith('/static/')
  app.addHook('onRequest', async (request, reply) => {
    if (localised(request)) reply.header('Vary', 'Accept-Language, Cookie')
  })
  app.addHook('onSend', async (request, reply) => {
    if (localised(request) && !reply.hasHeader('Content-Language')) reply.header('Content-Language', request.locale)
  })
}

const LocaleQuery = Type.Object({
  set: Type.Union(LOCALES.map(locale => Type.Literal(locale))),
  return: Type.Optional(Type.String({ maxLength: 2000 }))
})

/** `GET /locale?set=en&return=/wiki/x`: a plain link in the footer, so it works without JavaScript. */
export async function localeRoutes (parent: FastifyInstance): Promise<void> {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>()
  app.get('/locale', { schema: { querystring: LocaleQuery } }, async (request, reply) => {
    // A signed-in person's choice is kept with the account, which wins over the cookie.
    const account = (request as { account?: { username: string } | null }).account
    if (account) await request.server.auth.accounts.setLocale(account.username, request.query.set)
    const secure = request.protocol === 'https' ? '; Secure' : ''
    reply.header('Set-Cookie', `${LOCALE_COOKIE}=${request.query.set}; Path=/; Max-Age=${ONE_YEAR_SECONDS}; SameSite=Lax; HttpOnly${secure}`)
    reply.header('Cache-Control', 'no-store')
    return await reply.redirect(sameSitePath(request.query.return), 303)
  })
}
