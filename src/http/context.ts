import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type {} from '@fastify/view'
import { formatDate, formatDateToSecond, formatNumber, type Locale, type Translate } from '../i18n/index.ts'
import { localeLinks, registerLocale } from './locale.ts'

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

/** Renders a template with the shared context; `title` names the page in the browser tab. */
export async function render (
  request: FastifyRequest,
  reply: FastifyReply,
  template: string,
  data: Record<string, unknown> & { title: string }
): Promise<FastifyReply> {
  const context = request.server.viewContext(request)
  const html = await reply.viewAsync(template, { ...context, ...data })
  // Encoded once here rather than by each of the ETag hash, the compressor and the socket.
  return reply.type('text/html; charset=utf-8').send(Buffer.from(html))
}
