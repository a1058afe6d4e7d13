import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { render } from '../http/context.ts'
import { wantsHtml } from '../http/error-handler.ts'
import { conflictMerge, conflictView } from './conflict-view.ts'
import { EditConflictError, PageDeletedError, PageNotFoundError } from './errors.ts'
import { fieldName } from './merge.ts'

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
    const merge = conflictMerge({ merge: error.merge, current: revision, proposedSource: error.proposedSource })
    // What overlaps, part by part: a field with its three values (null where absent), or lines of the text.
    const conflicts = merge.conflicts.map(part => part.kind === 'field'
      ? { kind: 'field', field: fieldName(part.path), base: part.base ?? null, theirs: part.theirs ?? null, yours: part.yours ?? null }
      : { kind: 'text', bodyLine: part.baseStart + 1, base: part.base, theirs: part.theirs, yours: part.yours })
    return await reply.send({
      error: 'edit-conflict',
      message: request.t('error.conflict'),
      currentRevision: page.revisionId.toHexString(),
      baseRevision: error.baseRevisionId,
      merged: error.merge !== null,
      coarse: merge.coarse,
      conflicts
    })
  }
  // The change description typed with the save is offered again.
  const body = request.body
  const message = typeof body === 'object' && body !== null && 'message' in body && typeof body.message === 'string' ? body.message : ''
  return await render(request, reply, 'conflict', conflictView(request, {
    page,
    current: revision,
    merge: error.merge,
    mergeBase: error.merge === null ? '' : error.baseRevisionId ?? '',
    proposedSource: error.proposedSource,
    message
  }))
}
