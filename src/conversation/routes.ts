import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { AuditLog } from '../auth/audit.ts'
import { FORM_BODY_LIMIT } from '../auth/schemas.ts'
import { hasRole } from '../auth/roles.ts'
import { assertCanRead } from '../auth/visibility.ts'
import type { Federation } from '../federation/index.ts'
import { wantsActivityJson } from '../federation/index.ts'
import { isOutward } from '../federation/articles.ts'
import { render } from '../http/context.ts'
import { setNotice } from '../http/notice.ts'
import { findPersonalDataInTurns } from '../publishing/personal-data.ts'
import { findingTexts } from '../publishing/errors.ts'
import type { PageDocument } from '../wiki/model.ts'
import type { WikiService } from '../wiki/service.ts'
import { SlugParams } from '../wiki/schemas.ts'
import { CommentNotFoundError, ExperienceRefusedError } from './errors.ts'
import { conversationIri } from '../federation/conversations.ts'
import { commentIri, noteOfComment } from './federation.ts'
import type { FormTrap } from './form-trap.ts'
import { CommentBody, CommentIdParams, CommentsQuery, EditBody, ExperienceBody, PageIdParams } from './schemas.ts'
import type { CommentService, Deciding } from './service.ts'
import { commentJson } from './view.ts'
import type { CommentDocument } from './model.ts'

export interface CommentRoutesOptions {
  comments: CommentService
  wiki: WikiService
  federation: Federation
  audit: AuditLog
  trap: FormTrap
  baseUrl: string
  /** Experiences one address may send in ten minutes. */
  experiencesPerTenMinutes: number
}

const ACTIVITY_JSON = 'application/activity+json; charset=utf-8'

const KIND_LABELS = { local: 'moderation.kind.local', remote: 'moderation.kind.remote', experience: 'moderation.kind.experience' } as const

const MODERATION_NOTICES = { approved: 'moderation.notice.approved', rejected: 'moderation.notice.rejected', blocked: 'moderation.notice.blocked' } as const

function deciding (request: FastifyRequest): Deciding {
  const account = request.account
  return { username: account?.username ?? '', moderator: account !== null && hasRole(account.role, 'moderator') }
}

/** Comments on pages, the experiences of people without an account, and the moderators' queue. */
export async function commentRoutes (parent: FastifyInstance, options: CommentRoutesOptions): Promise<void> {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>()
  const { comments, wiki, audit, baseUrl } = options

  async function readablePage (request: FastifyRequest, slug: string): Promise<PageDocument> {
    const page = await wiki.requirePage(slug)
    assertCanRead(request, page)
    return page
  }

  async function pageOf (request: FastifyRequest, pageId: string): Promise<PageDocument> {
    const page = await wiki.pageById(pageId)
    if (page === null || page.deletedAt !== null) throw new CommentNotFoundError(pageId)
    assertCanRead(request, page)
    return page
  }

  const addComment = async (request: FastifyRequest<{ Params: { slug: string }, Body: { text: string, parent?: string } }>): Promise<{ page: PageDocument, comment: CommentDocument }> => {
    const page = await readablePage(request, request.params.slug)
    const comment = await comments.addLocal({ pageId: page._id.toHexString(), username: request.account?.username ?? '', markdown: request.body.text, parentId: request.body.parent })
    return { page, comment }
  }

  app.post('/api/pages/:slug/comments', { schema: { params: SlugParams, body: CommentBody } }, async (request, reply) => {
    const { comment } = await addComment(request)
    return await reply.code(201).send(commentJson(comment))
  })

  app.post('/wiki/:slug/comments', { bodyLimit: FORM_BODY_LIMIT, schema: { params: SlugParams, body: CommentBody } }, async (request, reply) => {
    const { page, comment } = await addComment(request)
    setNotice(request, { key: 'comments.notice.added' })
    return await reply.redirect(`/wiki/${page.slug}#comment-${comment._id.toHexString()}`, 303)
  })

  app.post('/comments/:id/edit', { bodyLimit: FORM_BODY_LIMIT, schema: { params: CommentIdParams, body: EditBody } }, async (request, reply) => {
    const comment = await comments.edit(request.params.id, deciding(request), request.body.text)
    const page = await pageOf(request, comment.pageId)
    return await reply.redirect(`/wiki/${page.slug}#comment-${comment._id.toHexString()}`, 303)
  })

  app.post('/comments/:id/delete', { bodyLimit: FORM_BODY_LIMIT, schema: { params: CommentIdParams } }, async (request, reply) => {
    const by = deciding(request)
    const comment = await comments.remove(request.params.id, by)
    if (comment.author.username !== by.username) await audit.record({ kind: 'comment-deleted', actor: by.username, target: comment._id.toHexString(), ip: request.ip, detail: comment.author.name })
    const page = await wiki.pageById(comment.pageId)
    const back = request.headers.referer?.includes('/moderation') === true || page === null ? '/moderation' : `/wiki/${page.slug}`
    return await reply.redirect(back, 303)
  })

  // No account, no session, so no CSRF token: a forged submission could only add an anonymous
  // experience, which a moderator reads first anyway.
  app.post('/wiki/:slug/experiences', {
    bodyLimit: FORM_BODY_LIMIT,
    schema: { params: SlugParams, body: ExperienceBody },
    config: { rateLimit: { max: options.experiencesPerTenMinutes, timeWindow: '10 minutes' }, withoutCsrf: true }
  }, async (request, reply) => {
    const page = await wiki.requirePage(request.params.slug)
    if (page.fields.visibility !== 'public' || page.fields.type !== 'lesson') throw new CommentNotFoundError(request.params.slug)
    const pageId = page._id.toHexString()
    // Robots fill in every field; people do not see this one.
    if ((request.body.website ?? '') !== '') throw new ExperienceRefusedError('honeypot')
    const problem = options.trap.problem(pageId, request.body.started)
    if (problem !== null) {
      request.log.info({ problem }, 'experience form refused')
      throw new ExperienceRefusedError(problem)
    }
    const findings = await findPersonalDataInTurns(request.body.text)
    const comment = await comments.addExperience({
      pageId,
      name: request.body.name?.trim() || request.t('comments.experience.anonymous'),
      markdown: request.body.text,
      flags: findingTexts(request.t, findings)
    })
    return await reply.redirect(`/wiki/${page.slug}?notice=experience-received#experience-form`, 303)
      .header('X-Comment-Id', comment._id.toHexString())
  })

  app.get('/moderation', async (request, reply) => {
    const queue = await comments.queue()
    const pages = new Map<string, PageDocument | null>()
    for (const item of queue) if (!pages.has(item.pageId)) pages.set(item.pageId, await wiki.pageById(item.pageId))
    return await render(request, reply, 'moderation', {
      title: request.t('moderation.title'),
      items: queue.map(item => ({
        ...commentJson(item),
        createdAt: item.createdAt,
        markdown: item.markdown,
        kindLabel: request.t(KIND_LABELS[item.kind]),
        actorId: item.author.actorId ?? null,
        host: item.author.actorId === undefined ? null : new URL(item.author.actorId).hostname,
        page: pages.get(item.pageId) ?? null
      })),
      noindex: true
    })
  })

  for (const decision of ['approve', 'reject'] as const) {
    const status = decision === 'approve' ? 'approved' : 'rejected'
    const decide = async (request: FastifyRequest<{ Params: { id: string } }>): Promise<ReturnType<typeof commentJson>> => {
      const by = deciding(request)
      const comment = await comments.decide(request.params.id, by, status)
      await audit.record({ kind: decision === 'approve' ? 'comment-approved' : 'comment-rejected', actor: by.username, target: comment._id.toHexString(), ip: request.ip, detail: `${comment.kind}: ${comment.author.name}` })
      return commentJson(comment)
    }
    app.post(`/moderation/:id/${decision}`, { bodyLimit: FORM_BODY_LIMIT, schema: { params: CommentIdParams } }, async (request, reply) => {
      await decide(request)
      setNotice(request, { key: MODERATION_NOTICES[status] })
      return await reply.redirect('/moderation', 303)
    })
    app.post(`/api/comments/:id/${decision}`, { schema: { params: CommentIdParams } }, async (request) => await decide(request))
  }

  app.post('/moderation/:id/block', { bodyLimit: FORM_BODY_LIMIT, schema: { params: CommentIdParams } }, async (request, reply) => {
    const by = deciding(request)
    const comment = await comments.require(request.params.id)
    const actorId = comment.author.actorId
    if (actorId === undefined) throw new CommentNotFoundError(request.params.id)
    const rejected = await comments.blockAuthor(actorId, by)
    await audit.record({ kind: 'comment-author-blocked', actor: by.username, target: actorId, ip: request.ip, detail: `${rejected} waiting replies rejected` })
    setNotice(request, { key: MODERATION_NOTICES.blocked })
    return await reply.redirect('/moderation', 303)
  })

  app.post('/moderation/:id/block-domain', { bodyLimit: FORM_BODY_LIMIT, schema: { params: CommentIdParams } }, async (request, reply) => {
    const by = deciding(request)
    const comment = await comments.require(request.params.id)
    const actorId = comment.author.actorId
    if (actorId === undefined) throw new CommentNotFoundError(request.params.id)
    const host = new URL(actorId).hostname
    if (await options.federation.blocks.add(host, `replies (${by.username})`)) await audit.record({ kind: 'block-added', actor: by.username, target: host, ip: request.ip, detail: 'from the moderation queue' })
    await comments.blockAuthor(actorId, by)
    setNotice(request, { key: MODERATION_NOTICES.blocked })
    return await reply.redirect('/moderation', 303)
  })

  app.get('/api/pages/:slug/comments', { schema: { params: SlugParams, querystring: CommentsQuery } }, async (request) => {
    const page = await readablePage(request, request.params.slug)
    const status = request.query.status ?? 'approved'
    if (status === 'pending' && !deciding(request).moderator) throw new CommentNotFoundError('pending')
    const found = await comments.forPage(page._id.toHexString(), status)
    return { page: page.slug, status, comments: found.map(commentJson) }
  })

  // For other servers: a local comment as a Note; for people, its place on the page.
  app.get('/comments/:id', { schema: { params: CommentIdParams } }, async (request, reply) => {
    const comment = await comments.require(request.params.id)
    const page = await wiki.pageById(comment.pageId)
    if (page === null || page.deletedAt !== null || comment.deletedAt !== null || comment.status !== 'approved' || comment.kind !== 'local') throw new CommentNotFoundError(request.params.id)
    assertCanRead(request, page)
    reply.header('Vary', 'Accept')
    if (!wantsActivityJson(request.headers.accept)) return await reply.redirect(`/wiki/${page.slug}#comment-${comment._id.toHexString()}`, 303)
    if (!isOutward(page.fields.visibility)) throw new CommentNotFoundError(request.params.id)
    const { note } = await noteOfComment({ comment, page, federation: options.federation, comments, baseUrl })
    return await reply.type(ACTIVITY_JSON).send({ '@context': 'https://www.w3.org/ns/activitystreams', ...note })
  })

  /** The conversation of a public or unlisted page, for software that shows whole threads (FEP-7888). */
  async function outwardPage (pageId: string): Promise<PageDocument> {
    const page = await wiki.pageById(pageId)
    if (page === null || page.deletedAt !== null || !isOutward(page.fields.visibility)) throw new CommentNotFoundError(pageId)
    return page
  }

  app.get('/conversations/:pageId', { schema: { params: PageIdParams } }, async (request, reply) => {
    const page = await outwardPage(request.params.pageId)
    const visible = await comments.forPage(request.params.pageId)
    const items = [options.federation.publisher.articleIdOf(request.params.pageId), ...visible.map(comment => comment.kind === 'remote' && comment.objectId !== null ? comment.objectId : commentIri(baseUrl, comment._id.toHexString()))]
    return await reply.type(ACTIVITY_JSON).header('Vary', 'Accept').send({
      '@context': 'https://www.w3.org/ns/activitystreams',
      id: conversationIri(baseUrl, request.params.pageId),
      type: 'OrderedCollection',
      attributedTo: (await options.federation.core.actor()).id,
      url: `${baseUrl}/wiki/${page.slug}`,
      totalItems: items.length,
      orderedItems: items
    })
  })

  app.get('/conversations/:pageId/replies', { schema: { params: PageIdParams } }, async (request, reply) => {
    await outwardPage(request.params.pageId)
    const replies = await comments.approvedReplies(request.params.pageId, null)
    const items = replies.map(comment => comment.kind === 'remote' && comment.objectId !== null ? comment.objectId : commentIri(baseUrl, comment._id.toHexString()))
    return await reply.type(ACTIVITY_JSON).send({
      '@context': 'https://www.w3.org/ns/activitystreams',
      id: `${conversationIri(baseUrl, request.params.pageId)}/replies`,
      type: 'Collection',
      totalItems: items.length,
      items
    })
  })
}
