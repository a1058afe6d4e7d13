import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'
import type { Role } from '../src/auth/roles.ts'
import { buildApp } from '../src/app.ts'
import { loadConfig } from '../src/config/index.ts'

export type Inject = (options: InjectOptions | string) => Promise<LightMyRequestResponse>

export interface TestApp {
  /** `app.inject` sends requests as the signed-in admin (session cookie and CSRF token) unless `signedIn: false`. */
  app: FastifyInstance
  dataDir: string
  /** Requests without any session, as an anonymous visitor. */
  anonymous: Inject
  /** The admin that `app.inject` is signed in as; null with `signedIn: false`. */
  admin: SignedIn | null
  close: () => Promise<void>
}

export interface SignedIn {
  username: string
  password: string
  role: Role
  cookie: string
  csrfToken: string
  /** Requests as this account: its cookie, and its CSRF token in a header on every request. */
  inject: Inject
}

export const TEST_PASSWORD = 'correct horse battery staple'

/**
 * A fresh app on its own temporary data dir; `close` stops it and removes the dir.
 * Editing needs an account since issue 8, so by default an admin is created in the
 * store and `app.inject` carries its session and CSRF token.
 */
export async function startTestApp (env: Record<string, string> = {}, options: { signedIn?: boolean } = {}): Promise<TestApp> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'praxiswiki-test-'))
  // A smaller actor key than production's 4096 bits keeps start-up fast in tests.
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', BASE_URL: 'http://wiki.test', FEDERATION_KEY_BITS: '2048', ...env })
  const app = await buildApp(config, { logger: false })
  const anonymous: Inject = app.inject.bind(app) as Inject
  let admin: SignedIn | null = null
  if (options.signedIn !== false) {
    admin = await signIn(app, anonymous, 'admin', 'admin')
    // Existing tests post forms with plain `app.inject`: let them do so as the admin.
    app.inject = admin.inject as unknown as FastifyInstance['inject']
  }
  return {
    app,
    dataDir,
    anonymous,
    admin,
    close: async () => {
      await app.close()
      await rm(dataDir, { recursive: true, force: true })
    }
  }
}

/** Creates an account directly in the store and signs it in through the login form. */
export async function signIn (app: FastifyInstance, anonymous: Inject, username: string, role: Role, password = TEST_PASSWORD): Promise<SignedIn> {
  if (await app.auth.accounts.byUsername(username) === null) await app.auth.accounts.create({ username, password, role })
  return await logIn(anonymous, username, password, role)
}

/** Signs in with the login form, as a browser would: fetch the form (and its token), post it, keep the new cookie. */
export async function logIn (anonymous: Inject, username: string, password: string, role: Role = 'editor'): Promise<SignedIn> {
  const page = await anonymous({ url: '/login' })
  const formCookie = cookieOf(page)
  const formToken = csrfTokenOf(page.body)
  const response = await anonymous({ method: 'POST', url: '/login', headers: { cookie: formCookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ _csrf: formToken, username, password }).toString() })
  if (response.statusCode !== 303) throw new Error(`signing in ${username} answered ${response.statusCode}: ${response.body.slice(0, 300)}`)
  const cookie = cookieOf(response)
  const account = await anonymous({ url: '/account', headers: { cookie } })
  const csrfToken = csrfTokenOf(account.body)
  const inject: Inject = async (options) => {
    const given = typeof options === 'string' ? { url: options } : options
    return await anonymous({ ...given, headers: { cookie, 'x-csrf-token': csrfToken, ...given.headers } })
  }
  return { username, password, role, cookie, csrfToken, inject }
}

/** The session cookie a response sets, as a request header value. */
export function cookieOf (response: LightMyRequestResponse): string {
  const header = response.headers['set-cookie']
  const list = Array.isArray(header) ? header : header === undefined ? [] : [header]
  const session = list.find(line => line.startsWith('praxiswiki_session='))
  if (session === undefined) throw new Error(`no session cookie in ${JSON.stringify(list)}`)
  return session.split(';')[0] ?? ''
}

export function csrfTokenOf (html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html)
  if (match === null) throw new Error('no CSRF token in the page')
  return match[1] ?? ''
}

export function form (fields: Record<string, string>): { payload: string, headers: Record<string, string> } {
  return {
    payload: new URLSearchParams(fields).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' }
  }
}

export function pageSource (title: string, body: string, extra = ''): string {
  return `---\ntitle: ${title}\n${extra}---\n${body}\n`
}

/** Creates a page through the form and returns its slug and current revision id. */
export async function createPage (app: FastifyInstance, title: string, body: string, extra = ''): Promise<{ slug: string, revision: string }> {
  const response = await app.inject({ method: 'POST', url: '/wiki', ...form({ title, source: pageSource(title, body, extra) }) })
  if (response.statusCode !== 303) throw new Error(`creating ${title} answered ${response.statusCode}: ${response.body.slice(0, 500)}`)
  const slug = String(response.headers.location).replace('/wiki/', '')
  return { slug, revision: await currentRevision(app, slug) }
}

export async function currentRevision (app: FastifyInstance, slug: string): Promise<string> {
  const response = await app.inject({ method: 'GET', url: `/api/pages/${slug}` })
  return response.json<{ revision: string }>().revision
}

/** The little of a Playwright page that signing in needs (kept structural, so this file needs no browser). */
interface BrowserPage {
  goto: (url: string) => Promise<unknown>
  fill: (selector: string, value: string) => Promise<void>
  click: (selector: string) => Promise<void>
  waitForURL: (url: string) => Promise<void>
}

/** Signs a real browser in through the login form, as the test app's admin unless told otherwise. */
export async function signInBrowser (page: BrowserPage, base: string, account: { username: string, password: string }): Promise<void> {
  await page.goto(`${base}/login`)
  await page.fill('#username', account.username)
  await page.fill('#password', account.password)
  await page.click('form.account-form button[type="submit"]')
  await page.waitForURL(`${base}/`)
}
