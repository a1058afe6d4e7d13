import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import Negotiator from 'negotiator'
import type { MessageKey } from '../i18n/index.ts'
import { render } from './context.ts'
import { AppError, headingFor } from './errors.ts'

const JSON_TYPE = /^application\/(?:[\w.+-]*\+)?json$/

interface ErrorAnswer {
  status: number
  code: string
  heading: MessageKey
  message: string
  details?: string[] | undefined
}

/**
 * A page of its own for one error code (the edit conflict, a deleted page); it may
 * answer, or return undefined to leave the error to the generic answer.
 */
export type ErrorPage = (error: AppError, request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined>

declare module 'fastify' {
  interface FastifyInstance {
    /** Error pages by error code; a domain adds those its errors need. */
    errorPages: Map<string, ErrorPage>
  }
}

/**
 * The one place where errors become HTTP answers. Domain errors say their own status,
 * code and message (see AppError), so this knows no domain. Nothing internal reaches the client.
 */
export function registerErrorHandler (app: FastifyInstance): void {
  const errorPages = new Map<string, ErrorPage>()
  app.decorate('errorPages', errorPages)

  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    if (error instanceof AppError) {
      const page = errorPages.get(error.code)
      const answered = page === undefined ? undefined : await page(error, request, reply)
      if (answered !== undefined) return answered
    }
    const answer = classify(error, request)
    if (answer.status >= 500) request.log.error({ err: error }, 'request failed')
    reply.code(answer.status)
    if (!wantsHtml(request)) {
      return await reply.send({ error: answer.code, message: answer.message, ...(answer.details === undefined ? {} : { details: answer.details }) })
    }
    const t = request.t
    return await render(request, reply, 'error', { title: t(answer.heading), heading: t(answer.heading), message: answer.message, details: answer.details, noindex: true })
  })

  app.setNotFoundHandler(async (request, reply) => {
    reply.code(404)
    const t = request.t
    if (!wantsHtml(request)) return await reply.send({ error: 'not-found', message: t('error.notFoundText') })
    return await render(request, reply, 'error', { title: t('error.notFound'), heading: t('error.notFound'), message: t('error.notFoundText'), noindex: true })
  })
}

function classify (error: FastifyError, request: FastifyRequest): ErrorAnswer {
  const t = request.t
  if (error instanceof AppError) {
    return { status: error.statusCode, code: error.code, heading: error.heading(), message: t(error.messageKey, error.messageParams()), details: error.details(t) }
  }
  if (error.code === 'FST_CSRF_MISSING_SECRET' || error.code === 'FST_CSRF_INVALID_TOKEN') {
    return { status: 403, code: 'invalid-csrf-token', heading: 'error.forbidden', message: t('error.csrf') }
  }
  // Percent-encoding that is not UTF-8 (e.g. %C3%28), caught by a parser that decodes it (Express's query string).
  if (error instanceof URIError) return { status: 400, code: 'bad-encoding', heading: 'error.badRequest', message: t('error.badRequestText') }
  if (error.validation !== undefined) {
    return { status: 400, code: 'invalid-request', heading: 'error.badRequest', message: t('error.badRequestText'), details: error.validation.map(item => `${item.instancePath || error.validationContext || ''} ${item.message ?? ''}`.trim()) }
  }
  const status = typeof error.statusCode === 'number' ? error.statusCode : 500
  if (status === 413) return { status, code: 'too-large', heading: headingFor(status), message: t('error.tooLargeText') }
  if (status === 429) return { status, code: 'too-many-requests', heading: headingFor(status), message: t('error.tooManyText') }
  if (status === 415) return { status, code: 'unsupported-media-type', heading: 'error.badRequest', message: t('error.unsupported') }
  // Fastify's own 4xx errors (bad JSON, bad URL encoding…) are the client's; keep their status.
  if (status >= 400 && status < 500) return { status, code: 'bad-request', heading: 'error.badRequest', message: t('error.badRequestText') }
  return { status: 500, code: 'internal', heading: 'error.server', message: t('error.serverText') }
}

/** JSON for the API and for clients that ask for it; HTML for people. */
export function wantsHtml (request: FastifyRequest): boolean {
  if (request.url.startsWith('/api/')) return false
  // JSON comes in too many +json types to offer each, so the client's own ranking of the
  // types it names decides; `*/*` and other types are no reason to leave HTML.
  const preferred = new Negotiator(request).mediaTypes().map(type => type.toLowerCase()).find(type => type === 'text/html' || JSON_TYPE.test(type))
  return preferred === undefined || preferred === 'text/html'
}
