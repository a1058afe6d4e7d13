import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { render } from '../http/context.ts'
import { wantsHtml } from '../http/error-handler.ts'
import { diffTexts } from './diff.ts'
import { EditConflictError, PageDeletedError, PageNotFoundError } from './errors.ts'

/** The wiki's own error pages: the edit conflict with both texts, a deleted page, a missing page to create. */
export function registerWikiErrorPages (app: FastifyInstance): void {
  app.errorPages.set('edit-conflict', async (error, request, reply) => {
    if (!(error instanceof EditConflictError)) return undefined
    return await conflict(error, request, reply)
  })
  app.errorPages.set('page-deleted', async (error, request, reply) => {
    if (!(error instanceof PageDeletedError) || !wantsHtml(request)) return undefined
    reply.code(410)
    return await render(request, reply, 'deleted', { title: request.t('deleted.title'), page: error.page, noindex: true })
  })
  app.errorPages.set('page-not-found', async (error, request, reply) => {
    if (!(error instanceof PageNotFoundError) || !wantsHtml(request)) return undefined
    reply.code(404)
    return await render(request, reply, 'missing', { title: request.t('missing.title'), slug: error.slug, titleQuery: '', noindex: true })
  })
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
