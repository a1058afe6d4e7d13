import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import {
  AccountNotFoundError, ForbiddenError, InvalidAccountInputError, InvalidLinkError, LastAdminError, NotSignedInError,
  UsernameTakenError
} from '../auth/errors.ts'
import { LessonValidationError, PersonalDataError } from '../lessons/errors.ts'
import { findingTexts, problemTexts } from '../lessons/view.ts'
import { FrontMatterError } from '../markdown/front-matter.ts'
import type { MessageKey } from '../i18n/index.ts'
import { SearchNotReadyError, SearchQueryTooLongError } from '../search/errors.ts'
import { diffTexts } from '../wiki/diff.ts'
import {
  EditConflictError, InvalidSlugError, MissingTitleError, NothingToReviewError, PageDeletedError, PageNotFoundError,
  RevisionNotFoundError, SelfApprovalError
} from '../wiki/errors.ts'
import { render } from './context.ts'

interface ErrorAnswer {
  status: number
  code: string
  heading: MessageKey
  message: string
  details?: string[]
}

/** The one place where errors become HTTP answers. Nothing internal reaches the client. */
export function registerErrorHandler (app: FastifyInstance): void {
  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    const t = request.t
    if (error instanceof NotSignedInError) return await notSignedIn(request, reply)
    if (error instanceof EditConflictError) return await conflict(error, request, reply)
    if (error instanceof PageDeletedError && wantsHtml(request)) {
      reply.code(410)
      return await render(request, reply, 'deleted', { title: t('deleted.title'), page: error.page, noindex: true })
    }
    if (error instanceof PageNotFoundError && wantsHtml(request)) {
      reply.code(404)
      return await render(request, reply, 'missing', { title: t('missing.title'), slug: error.slug, titleQuery: '', noindex: true })
    }
    const answer = classify(error, request)
    if (answer.status >= 500) request.log.error({ err: error }, 'request failed')
    reply.code(answer.status)
    if (!wantsHtml(request)) {
      return await reply.send({ error: answer.code, message: answer.message, ...(answer.details === undefined ? {} : { details: answer.details }) })
    }
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
  if (error instanceof FrontMatterError) {
    return { status: 400, code: 'invalid-front-matter', heading: 'error.badRequest', message: t('error.frontMatter', { line: error.line, reason: error.reason }) }
  }
  if (error instanceof LessonValidationError) {
    return { status: 400, code: 'invalid-lesson', heading: 'error.badRequest', message: t('error.invalidLesson'), details: problemTexts(t, error.problems) }
  }
  if (error instanceof PersonalDataError) {
    return { status: 422, code: 'personal-data-found', heading: 'publication.heading', message: t('error.personalData'), details: findingTexts(t, error.findings) }
  }
  if (error instanceof MissingTitleError) return { status: 400, code: 'missing-title', heading: 'error.badRequest', message: t('error.missingTitle') }
  if (error instanceof InvalidSlugError) return { status: 400, code: 'invalid-slug', heading: 'error.badRequest', message: t('error.invalidSlug', { slug: error.slug }) }
  if (error instanceof PageNotFoundError) return { status: 404, code: 'page-not-found', heading: 'error.notFound', message: t('missing.explanation', { slug: error.slug }) }
  if (error instanceof RevisionNotFoundError) return { status: 404, code: 'revision-not-found', heading: 'error.notFound', message: t('error.revisionNotFound') }
  if (error instanceof PageDeletedError) return { status: 410, code: 'page-deleted', heading: 'error.notFound', message: t('error.gone') }
  if (error instanceof SearchQueryTooLongError) return { status: 400, code: 'query-too-long', heading: 'error.badRequest', message: t('search.tooLong', { limit: error.limit }) }
  if (error instanceof ForbiddenError) return { status: 403, code: 'forbidden', heading: 'error.forbidden', message: t('error.forbiddenText') }
  if (error instanceof SelfApprovalError) return { status: 403, code: 'own-publication', heading: 'error.forbidden', message: t('review.ownPage') }
  if (error instanceof NothingToReviewError) return { status: 409, code: 'nothing-to-review', heading: 'error.badRequest', message: t('review.nothing') }
  if (error instanceof InvalidLinkError) return { status: 404, code: 'invalid-link', heading: 'error.notFound', message: t('error.invalidLink') }
  if (error instanceof AccountNotFoundError) return { status: 404, code: 'account-not-found', heading: 'error.notFound', message: t('error.accountNotFound') }
  if (error instanceof UsernameTakenError) return { status: 409, code: 'username-taken', heading: 'error.badRequest', message: t('account.usernameTaken') }
  if (error instanceof LastAdminError) return { status: 409, code: 'last-admin', heading: 'error.badRequest', message: t('admin.lastAdmin') }
  if (error instanceof InvalidAccountInputError) return { status: 400, code: 'invalid-account', heading: 'error.badRequest', message: t('error.badRequestText'), details: [error.message] }
  if (error.code === 'FST_CSRF_MISSING_SECRET' || error.code === 'FST_CSRF_INVALID_TOKEN') {
    return { status: 403, code: 'invalid-csrf-token', heading: 'error.forbidden', message: t('error.csrf') }
  }
  if (error instanceof SearchNotReadyError) return { status: 503, code: 'index-loading', heading: 'search.title', message: t('search.loading') }
  // Percent-encoding that is not UTF-8 (e.g. %C3%28), caught by a parser that decodes it (Express's query string).
  if (error instanceof URIError) return { status: 400, code: 'bad-encoding', heading: 'error.badRequest', message: t('error.badRequestText') }
  if (error.validation !== undefined) {
    return { status: 400, code: 'invalid-request', heading: 'error.badRequest', message: t('error.badRequestText'), details: error.validation.map(item => `${item.instancePath || error.validationContext || ''} ${item.message ?? ''}`.trim()) }
  }
  const status = typeof error.statusCode === 'number' ? error.statusCode : 500
  if (status === 413) return { status, code: 'too-large', heading: 'error.tooLarge', message: t('error.tooLargeText') }
  if (status === 429) return { status, code: 'too-many-requests', heading: 'error.tooMany', message: t('error.tooManyText') }
  if (status === 415) return { status, code: 'unsupported-media-type', heading: 'error.badRequest', message: t('error.unsupported') }
  // Fastify's own 4xx errors (bad JSON, bad URL encoding…) are the client's; keep their status.
  if (status >= 400 && status < 500) return { status, code: 'bad-request', heading: 'error.badRequest', message: t('error.badRequestText') }
  return { status: 500, code: 'internal', heading: 'error.server', message: t('error.serverText') }
}

async function conflict (error: EditConflictError, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  reply.code(409)
  const { page, revision } = error.current
  if (!wantsHtml(request)) {
    return await reply.send({ error: 'edit-conflict', message: request.t('error.conflict'), currentRevision: page.revisionId.toHexString(), baseRevision: error.baseRevisionId })
  }
  return await render(request, reply, 'conflict', {
    title: request.t('conflict.title'),
    page,
    current: revision,
    proposedSource: error.proposedSource,
    diff: diffTexts(revision.source, error.proposedSource),
    noindex: true
  })
}

/** People go to the login page and come back; programs get a 401. */
async function notSignedIn (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  if (!wantsHtml(request)) {
    reply.code(401).header('WWW-Authenticate', 'Bearer')
    return await reply.send({ error: 'not-signed-in', message: request.t('error.notSignedIn') })
  }
  // After signing in, a read returns to where it was; a form post starts again from its page.
  const next = request.method === 'GET' ? request.url : '/'
  return await reply.redirect(`/login?next=${encodeURIComponent(next)}`, 303)
}

/** JSON for the API and for clients that ask for it; HTML for people. */
export function wantsHtml (request: FastifyRequest): boolean {
  if (request.url.startsWith('/api/')) return false
  const accept = request.headers.accept ?? ''
  if (accept.includes('text/html')) return true
  return !/application\/(?:[\w.+-]*\+)?json/.test(accept)
}
