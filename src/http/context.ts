import { createHash, randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type {} from '@fastify/view'
import { formatDate, formatDateToSecond, formatNumber, type Locale, type Translate } from '../i18n/index.ts'
import type { BodyCache } from './body-cache.ts'
import { sendEncoded } from './reader-cache.ts'
import { localeLinks, registerLocale } from './locale.ts'
import { takeNotice } from './notice.ts'

/** What every template can use besides its own data. */
export interface ViewContext {
  t: Translate
  locale: Locale
  siteName: string
  stylesheet: string
  path: string
  date: (date: Date) => string
  /** The date with seconds, where two revisions may fall in one minute. */
  dateToSecond: (date: Date) => string
  number: (value: number) => string
  /** The footer's language switch. */
  localeLinks: Array<{ locale: Locale, href: string, current: boolean }>
  escape: (text: string) => string
}

export function escapeHtml (text: string): string {
  return text.replace(/[&<>"']/g, character => `&#${character.charCodeAt(0)};`)
}

/**
 * Picks the reader's language per request and hands templates their shared context.
 * The stylesheet URL carries a hash of its content, so it can be cached for a year.
 */
export function registerViewContext (app: FastifyInstance, options: { siteName: () => string, stylesheetPath: string }): void {
  const hash = createHash('sha256').update(readFileSync(options.stylesheetPath)).digest('hex').slice(0, 12)
  const stylesheet = `/static/style.css?v=${hash}`

  registerLocale(app)

  app.decorate('viewContext', (request: FastifyRequest): ViewContext => ({
    t: request.t,
    locale: request.locale,
    siteName: options.siteName(),
    stylesheet,
    path: request.url.split('?')[0] ?? '/',
    date: (date: Date) => formatDate(date, request.locale),
    dateToSecond: (date: Date) => formatDateToSecond(date, request.locale),
    number: (value: number) => formatNumber(value, request.locale),
    localeLinks: localeLinks(request),
    escape: escapeHtml
  }))
}

declare module 'fastify' {
  interface FastifyInstance {
    viewContext: (request: FastifyRequest) => ViewContext
  }
}

/** Renders a template with the shared context and any notice waiting from the last change (notice.ts); `title` names the page in the browser tab. */
export async function render (
  request: FastifyRequest,
  reply: FastifyReply,
  template: string,
  data: Record<string, unknown> & { title: string }
): Promise<FastifyReply> {
  const context = request.server.viewContext(request)
  const html = await reply.viewAsync(template, { ...context, notice: takeNotice(request), ...data })
  // Encoded once here rather than by each of the ETag hash, the compressor and the socket.
  return reply.type('text/html; charset=utf-8').send(Buffer.from(html))
}

export interface FramedPage {
  /** The template of the main part; it names no layout, since the frame is added here. */
  template: string
  /** What the frame needs: the page's title, and whether search engines may index it. */
  frame: { title: string, noindex?: boolean }
  /** The main part's data, asked for only when the part is not kept. */
  data: () => Promise<Record<string, unknown>>
  /**
   * Where the page is kept: its main part under `key` (which must name the reader, or
   * the kinds of reader, it was rendered for), and, given the id of the signed-in
   * person's session, the whole answer for that session and address.
   */
  keep?: { cache: BodyCache, key: string, session: string | null }
  /**
   * Per-request values inside a kept main part: each key (made with `slotName`) stands in the
   * main part and is replaced on every view (a form's time stamp, a notice for someone without
   * a session). Only for readers without a session: their answers are never kept whole.
   */
  slots?: Record<string, string>
}

const SLOT_PREFIX = `slot-${randomBytes(12).toString('hex')}-`

/** A placeholder nobody can write into a page: the process's random prefix and a name. */
export function slotName (name: string): string {
  return `${SLOT_PREFIX}${name}`
}

/** Kept main parts are shared by the sessions of one account: their forms carry this, and each view its own token. */
const CSRF_SLOT = slotName('csrf')

function fillSlots (html: string, slots: Record<string, string>): string {
  if (!html.includes(SLOT_PREFIX)) return html
  let filled = html
  for (const [name, value] of Object.entries(slots)) filled = filled.replaceAll(name, value)
  return filled
}

/**
 * Renders a page's main part (or takes it from the cache) and then the layout around it,
 * which holds everything personal: the account's name and abilities and the CSRF token.
 */
export async function renderFramed (request: FastifyRequest, reply: FastifyReply, page: FramedPage): Promise<FastifyReply> {
  const context = { ...request.server.viewContext(request), ...page.frame }
  const notice = takeNotice(request)
  const csrfToken = typeof reply.locals?.csrfToken === 'string' ? reply.locals.csrfToken : ''
  const make = async (): Promise<string> => await reply.viewAsync(page.template, { ...context, csrfToken: CSRF_SLOT, ...await page.data() })
  const framed = async (): Promise<Buffer> => {
    const body = page.keep === undefined ? await make() : await page.keep.cache.body(page.keep.key, make)
    return Buffer.from(await reply.viewAsync('layout', { ...context, notice, body: fillSlots(body, { ...page.slots, [CSRF_SLOT]: csrfToken }) }))
  }
  reply.type('text/html; charset=utf-8')
  // A notice is shown once: that answer is not kept for the next view.
  if (page.keep === undefined || page.keep.session === null || notice !== null) return reply.send(await framed())
  // What the frame shows besides the session's own person: the counts of what waits for them.
  const locals = reply.locals as Record<string, unknown> | undefined
  const frameState = JSON.stringify([locals?.reviewCount, locals?.moderationCount, locals?.unreadNotifications])
  const answer = await page.keep.cache.answer(`${page.keep.session}\n${frameState}\n${page.keep.key}\n${request.url}`, framed)
  return sendEncoded(request, reply, answer)
}
