import type { FastifyInstance, FastifyRequest } from 'fastify'
import type {} from '../notifications/plugin.ts'
import fastifyPlugin from 'fastify-plugin'
import type { AppConfig } from '../config/index.ts'
import { showsHeader } from '../auth/access.ts'
import { hasRole } from '../auth/roles.ts'
import type { PageDocument } from '../wiki/model.ts'
import type { ExtrasPage } from '../wiki/page-extras.ts'
import { escapeHtml, slotName } from '../http/context.ts'
import { connectCommentFederation } from './federation.ts'
import { createFormTrap } from './form-trap.ts'
import { ensureCommentIndexes } from './model.ts'
import { commentRoutes } from './routes.ts'
import { createCommentService, type CommentService } from './service.ts'
import { threads } from './view.ts'

const FORM_STARTED_SLOT = slotName('experience-started')
const NOTICE_SLOT = slotName('experience-notice')

declare module 'fastify' {
  interface FastifyInstance {
    comments: CommentService
  }
}

/**
 * Conversation on pages: comments of signed-in people, replies from the fediverse, experiences
 * of people without an account, and the moderators' queue. After federation, whose inbox hands
 * it the replies and whose outbox sends its Notes.
 */
export const commentsPlugin = fastifyPlugin(async (app: FastifyInstance, options: { config: AppConfig }) => {
  const { config } = options
  await ensureCommentIndexes(app.store.db)
  const comments = createCommentService({ db: app.store.db, onError: error => { app.log.error({ err: error }, 'comment subscriber failed') } })
  app.decorate('comments', comments)
  const trap = await createFormTrap(app.store.db)

  // Kept pages show the comments: any visible change is a change of the page.
  for (const change of ['comment.shown', 'comment.hidden'] as const) {
    comments.events.on(change, () => {
      app.readerCache.clear()
      app.bodyCache.clear()
    })
  }
  const disconnect = connectCommentFederation({
    federation: app.federation,
    comments,
    wiki: app.wiki,
    baseUrl: config.baseUrl,
    publishFromFollowed: () => config.auth.comments.publishFromFollowed,
    log: { info: message => { app.log.info(message) }, warn: message => { app.log.warn(message) } }
  })
  app.addHook('onClose', async () => { disconnect() })

  // Moderators are told of each new item in the queue (notifications register after comments).
  comments.events.on('comment.pending', async ({ comment }) => {
    const notifications = (app as Partial<Pick<FastifyInstance, 'notifications'>>).notifications
    if (notifications === undefined) return
    const page = await app.wiki.pageById(comment.pageId)
    const moderators = (await app.auth.accounts.list()).filter(account => !account.disabled && hasRole(account.role, 'moderator')).slice(0, 500)
    const subject = { type: 'comment', id: comment._id.toHexString(), title: page?.title ?? '', href: '/moderation', visibility: 'local' }
    for (const moderator of moderators) await notifications.notify({ recipient: moderator.username, kind: `moderation.${comment.kind}`, subject, actor: comment.author.name })
  })

  // Moderators see in the header how many items wait for them, as reviewers see their queue.
  app.addHook('preHandler', async (request, reply) => {
    const account = request.account
    if (account === null || request.viaToken || !hasRole(account.role, 'moderator')) return
    const route = request.routeOptions.url ?? ''
    if (!showsHeader(route)) return
    reply.locals = { ...reply.locals, moderationCount: await comments.countPending() }
  })

  // The experience form is for people without an account; signed-in people comment.
  const asksExperiences = (request: FastifyRequest, page: ExtrasPage): boolean =>
    request.account === null && page.fields.type === 'lesson' && page.fields.visibility === 'public'

  app.pageExtras.push(async (request, page, view) => {
    // Comments belong to the page as it stands, not to a preview or an old revision.
    if (view !== 'page' || !('_id' in page)) return {}
    const pageId = (page as PageDocument)._id.toHexString()
    const username = request.account?.username ?? null
    const visible = await comments.forPage(pageId)
    return {
      comments: {
        threads: threads(visible.filter(comment => comment.kind !== 'experience'), username),
        experiences: threads(visible.filter(comment => comment.kind === 'experience'), username),
        canComment: request.account !== null,
        canModerate: request.account !== null && hasRole(request.account.role, 'moderator'),
        asksExperiences: asksExperiences(request, page),
        // The page's main part is kept for many views: these two are filled in on each one.
        formStarted: FORM_STARTED_SLOT,
        noticeSlot: NOTICE_SLOT
      }
    }
  })
  app.pageSlots.push((request, page) => {
    if (!asksExperiences(request, page)) return {}
    // People without an account have no session for a notice: the address carries it.
    const received = (request.query as { notice?: unknown }).notice === 'experience-received'
    return {
      [FORM_STARTED_SLOT]: trap.issue(page._id.toHexString()),
      [NOTICE_SLOT]: received ? `<p class="notice" role="status">${escapeHtml(request.t('comments.notice.experience'))}</p>` : ''
    }
  })

  await app.register(commentRoutes, {
    comments,
    wiki: app.wiki,
    federation: app.federation,
    audit: app.auth.audit,
    trap,
    baseUrl: config.baseUrl,
    experiencesPerTenMinutes: config.auth.comments.experiencesPerTenMinutes
  })
}, { name: 'praxiswiki-comments', fastify: '5.x', dependencies: ['praxiswiki-http', 'praxiswiki-auth', 'praxiswiki-wiki', 'praxiswiki-federation'] })
