import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { render } from '../http/context.ts'
import type { WikiService } from './service.ts'
import type { AuditLog } from '../auth/audit.ts'
import { FORM_BODY_LIMIT } from '../auth/schemas.ts'
import { noticeAfterApproval } from './save-notices.ts'
import { ApproveBody, SlugParams } from './schemas.ts'

/** The four-eyes review queue: pages whose wider visibility waits for a second person. */
export async function reviewRoutes (parent: FastifyInstance, options: { wiki: WikiService, audit: AuditLog, reviewRequired: () => boolean }): Promise<void> {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>()
  const { wiki, audit } = options

  app.get('/review', async (request, reply) => {
    const entries = await wiki.pendingReviews()
    const reviewer = request.account?.username ?? ''
    return await render(request, reply, 'review', {
      title: request.t('review.title'),
      reviewRequired: options.reviewRequired(),
      pages: entries.map(({ page, approvedRevisionId, authors }) => {
        const revision = page.revisionId.toHexString()
        return {
          slug: page.slug,
          title: page.title,
          // The form names this revision: a later edit makes the approval outdated instead of letting it out unseen.
          revision,
          // What goes out: the changes since the last approved text, or the whole text if none was approved.
          whatHref: approvedRevisionId === null
            ? `/wiki/${page.slug}/revisions/${revision}`
            : `/wiki/${page.slug}/diff?from=${approvedRevisionId.toHexString()}&to=${revision}`,
          whatLabel: request.t(approvedRevisionId === null ? 'review.wholeText' : 'review.changes'),
          current: request.t(`visibility.${page.fields.visibility}`),
          requested: request.t(`visibility.${page.review?.requested ?? 'local'}`),
          requestedBy: page.review?.requestedBy ?? '',
          requestedAt: page.review?.requestedAt ?? page.updatedAt,
          // Changes the reviewer wrote part of are listed, without the button: someone else must approve.
          canApprove: !authors.includes(reviewer)
        }
      }),
      noindex: true
    })
  })

  app.post('/review/:slug/approve', { bodyLimit: FORM_BODY_LIMIT, schema: { params: SlugParams, body: ApproveBody } }, async (request, reply) => {
    const reviewer = request.account?.username ?? ''
    const page = await wiki.approvePublication(request.params.slug, { reviewer, revisionId: request.body.revision })
    await audit.record({ kind: 'publication-approved', actor: reviewer, target: page.slug, ip: request.ip, detail: page.fields.visibility })
    noticeAfterApproval(request, page)
    return await reply.redirect('/review', 303)
  })
}
