import type { FastifyInstance, FastifyRequest } from 'fastify'
import fastifyPlugin from 'fastify-plugin'
import type { AppConfig } from '../config/index.ts'
import { isFederationPath } from '../auth/access.ts'
import { hasRole } from '../auth/roles.ts'
import type { PageDocument } from '../wiki/model.ts'
import { connectCommentFederation } from './federation.ts'
import { createFormTrap } from './form-trap.ts'
import { ensureCommentIndexes } from './model.ts'
import { commentRoutes } from './routes.ts'
import { createCommentService, type CommentService } from './service.ts'
import { threads } from './view.ts'

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
  for (const change of ['comment.shown', 'comment.hidden'] as const) comments.events.on(change, () => { app.readerCache.clear() })
  const disconnect = connectCommentFederation({
    federation: app.federation,
    comments,
    wiki: app.wiki,
    baseUrl: config.baseUrl,
    publishFromFollowed: () => config.auth.comments.publishFromFollowed,
    log: { info: message => { app.log.info(message) }, warn: message => { app.log.warn(message) } }
  })
  app.addHook('onClose', async () => { disconnect() })

  // Moderators see in the header how many items wait for them, as reviewers see their queue.
  app.addHook('preHandler', async (request, reply) => {
    const account = request.account
    if (account === null || request.viaToken || !hasRole(account.role, 'moderator')) return
    const route = request.routeOptions.url ?? ''
    if (route.startsWith('/static/') || route.startsWith('/api/') || isFederationPath(route)) return
    reply.locals = { ...reply.locals, moderationCount: await comments.countPending() }
  })

  app.pageExtras.push(async (request: FastifyRequest, page: PageDocument) => {
    const pageId = page._id.toHexString()
    const username = request.account?.username ?? null
    const visible = await comments.forPage(pageId)
    const experiences = visible.filter(comment => comment.kind === 'experience')
    const conversation = visible.filter(comment => comment.kind !== 'experience')
    const asksExperiences = page.fields.type === 'lesson' && page.fields.visibility === 'public'
    const said = (request.query as { notice?: unknown }).notice
    return {
      comments: {
        // People without an account have no session for a notice: the address carries it.
        notice: said === 'experience-received' ? request.t('comments.notice.experience') : '',
        threads: threads(conversation, username),
        experiences: threads(experiences, username),
        canComment: request.account !== null,
        canModerate: request.account !== null && hasRole(request.account.role, 'moderator'),
        asksExperiences,
        formStarted: asksExperiences ? trap.issue(pageId) : ''
      }
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
