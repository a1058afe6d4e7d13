import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { authorOf } from '../auth/visibility.ts'
import { render } from '../http/context.ts'
import { FrontMatterError } from '../markdown/front-matter.ts'
import { conflictMerge, conflictView, type PartChoice } from './conflict-view.ts'
import { mergeSources, resolveMerge, type ConflictChoice } from './merge.ts'
import { saveFeedback } from './save-feedback.ts'
import { mergeNoteFor, noticeAfterSave } from './save-notices.ts'
import { ResolveBody, SlugParams } from './schemas.ts'
import type { WikiService } from './service.ts'

/**
 * The conflict view's form: a decision for each conflicting part (their version, one's own, or
 * one's own text), sent as a normal form. The merge is made again from the three revisions it
 * names, the decisions fill its conflicts, and the result is saved on the revision the view
 * showed as current, so a save that came in meanwhile is merged with it or shown as a conflict again.
 */
export async function conflictRoutes (parent: FastifyInstance, options: { wiki: WikiService }): Promise<void> {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>()
  const { wiki } = options

  app.post('/wiki/:slug/resolve', { schema: { params: SlugParams, body: ResolveBody } }, async (request, reply) => {
    const { slug } = request.params
    const body = request.body
    const page = await wiki.requirePage(slug)
    const current = await wiki.getRevision(slug, body.baseRevision)
    const base = body.mergeBase === '' ? null : await wiki.getRevision(slug, body.mergeBase)
    const merge = conflictMerge({ merge: base === null ? null : mergeSources(base.source, current.source, body.yours), current, proposedSource: body.yours })
    const fields = body as Record<string, unknown>
    const choices = merge.conflicts.map((_, index) => fields[`choice-${index}`] as PartChoice | undefined ?? null)
    const texts = merge.conflicts.map((_, index) => fields[`text-${index}`] as string | undefined)
    const state = { page: { ...page, revisionId: current._id }, current, merge, mergeBase: body.mergeBase, proposedSource: body.yours, message: body.message ?? '', choices, texts }
    const missing = choices.flatMap((choice, index) => choice === null ? [index + 1] : [])
    if (missing.length > 0) {
      reply.code(400)
      return await render(request, reply, 'conflict', conflictView(request, { ...state, missing }))
    }
    const decided = choices.map((choice, index): ConflictChoice => choice === 'edited' ? { text: texts[index] ?? '' } : { take: choice === 'theirs' ? 'theirs' : 'yours' })
    try {
      const source = resolveMerge(merge, decided)
      const result = await wiki.savePage(slug, { source, baseRevisionId: current._id.toHexString(), message: body.message ?? '', author: authorOf(request), confirmPublication: body.confirmPublication === 'yes', mergeNote: mergeNoteFor(request) })
      noticeAfterSave(request, result)
      return await reply.redirect(`/wiki/${result.page.slug}`, 303)
    } catch (error) {
      const feedback = saveFeedback(request, error)
      if (feedback === null && !(error instanceof FrontMatterError)) throw error
      reply.code(feedback?.status ?? 400)
      const text = feedback === null ? request.t((error as FrontMatterError).messageKey, (error as FrontMatterError).messageParams()) : [feedback.error, ...feedback.details].join(' ')
      return await render(request, reply, 'conflict', { ...conflictView(request, { ...state, error: text }), findings: feedback?.findings ?? [] })
    }
  })
}
