import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { AuditLog } from '../auth/audit.ts'
import { FORM_BODY_LIMIT } from '../auth/schemas.ts'
import { BlockBody, FollowBody, FollowRequestBody, FollowScopeBody, UnblockBody } from './admin-schemas.ts'
import type { FollowScopes } from './follow-scopes.ts'
import { followEntries } from './following-api-routes.ts'
import { render } from '../http/context.ts'
import { formatDate } from '../i18n/index.ts'
import type { DomainBlocks } from './blocks.ts'
import type { FederationCore } from './core.ts'
import type { Follows } from './follows.ts'
import type { InboxHandler } from './inbox.ts'
import { idOf } from './remote-pages.ts'
import { actorCards } from './actor-cards.ts'

export interface FederationAdminRoutesOptions {
  core: FederationCore
  follows: Follows
  inbox: InboxHandler
  blocks: DomainBlocks
  followScopes: FollowScopes
  audit: AuditLog
  /** This wiki's own handle (wiki@host), shown to copy. */
  ownHandle: string
}

/** Given-up deliveries shown on the federation page, newest first. */
const FAILURES_SHOWN = 20

/** Follows, follow requests, domain blocks and given-up deliveries; admins only (see auth/access.ts). */
export async function federationAdminRoutes (parent: FastifyInstance, options: FederationAdminRoutesOptions): Promise<void> {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>()
  const { core, follows, inbox, blocks, followScopes, audit } = options
  const small = { bodyLimit: FORM_BODY_LIMIT }
  const actor = (request: FastifyRequest): string => request.account?.username ?? ''

  const federationPage = async (request: FastifyRequest, reply: FastifyReply, state: { error?: string, message?: string } = {}) => {
    const us = await core.actor()
    const [entries, followers, pending, blockList, failures] = await Promise.all([
      followEntries(follows, followScopes),
      follows.listFollowers(),
      inbox.pendingFollows(us),
      blocks.list(),
      core.delivery.recentFailures(FAILURES_SHOWN)
    ])
    const pendingActors = pending.map(follow => idOf(follow.actor))
    const accepted = entries.filter(entry => entry.state === 'accepted')
    const requested = entries.filter(entry => entry.state === 'requested').map(entry => entry.actor)
    const [followingCards, requestedCards, followerCards, pendingCards] = await Promise.all(
      [accepted.map(entry => entry.actor), requested, followers, pendingActors].map(ids => actorCards(core.apex, ids)))
    return await render(request, reply, 'admin-federation', {
      title: request.t('admin.federationTitle'),
      ownHandle: options.ownHandle,
      // Shown by name and handle, each with what the admin chose to take from it.
      following: (followingCards ?? []).map((card, index) => ({ ...card, scope: accepted[index]?.scope ?? 'lessons' })),
      requested: requestedCards,
      followers: followerCards,
      pending: pending.map((follow, index) => ({ id: String(follow.id), actor: pendingCards?.[index] })),
      blocks: blockList,
      failures: failures.map(failure => ({ ...failure, when: formatDate(failure.at, request.locale) })),
      error: state.error ?? null,
      message: state.message ?? null,
      noindex: true
    })
  }

  /**
   * Runs a federation action; what went wrong out there is shown on the page, not as a server error.
   * An action that says it changed nothing (false) leaves no audit entry.
   */
  const federationAction = async (request: FastifyRequest, reply: FastifyReply, action: () => Promise<boolean>, audited: Parameters<AuditLog['record']>[0]) => {
    let changed: boolean
    try {
      changed = await action()
    } catch (error) {
      request.log.info({ err: error }, 'federation admin action failed')
      reply.code(400)
      return await federationPage(request, reply, { error: request.t('admin.federationFailed', { reason: (error as Error).message.slice(0, 300) }) })
    }
    if (changed) await audit.record(audited)
    return await reply.redirect('/admin/federation', 303)
  }

  app.get('/admin/federation', async (request, reply) => await federationPage(request, reply))

  app.post('/admin/federation/follow', { ...small, schema: { body: FollowBody } }, async (request, reply) =>
    await federationAction(request, reply, async () => !(await follows.follow(request.body.target.trim())).alreadyFollowing,
      { kind: 'follow', actor: actor(request), target: request.body.target, ip: request.ip }))

  app.post('/admin/federation/unfollow', { ...small, schema: { body: FollowBody } }, async (request, reply) =>
    await federationAction(request, reply, async () => { await follows.unfollow(request.body.target.trim()); return true },
      { kind: 'unfollow', actor: actor(request), target: request.body.target, ip: request.ip }))

  app.post('/admin/federation/scope', { ...small, schema: { body: FollowScopeBody } }, async (request, reply) =>
    await federationAction(request, reply, async () => await followScopes.set(request.body.target, request.body.scope),
      { kind: 'follow-scope', actor: actor(request), target: request.body.target, ip: request.ip, detail: request.body.scope }))

  app.post('/admin/federation/requests/approve', { ...small, schema: { body: FollowRequestBody } }, async (request, reply) =>
    await federationAction(request, reply, async () => { await inbox.approveFollow(request.body.id); return true },
      { kind: 'follow-approved', actor: actor(request), target: request.body.id, ip: request.ip }))

  app.post('/admin/federation/requests/reject', { ...small, schema: { body: FollowRequestBody } }, async (request, reply) =>
    await federationAction(request, reply, async () => { await inbox.rejectFollow(request.body.id); return true },
      { kind: 'follow-rejected', actor: actor(request), target: request.body.id, ip: request.ip }))

  app.post('/admin/federation/blocks', { ...small, schema: { body: BlockBody } }, async (request, reply) =>
    await federationAction(request, reply, async () => await blocks.add(request.body.host, request.body.reason ?? ''),
      { kind: 'block-added', actor: actor(request), target: request.body.host, ip: request.ip, detail: request.body.reason ?? '' }))

  app.post('/admin/federation/blocks/remove', { ...small, schema: { body: UnblockBody } }, async (request, reply) =>
    await federationAction(request, reply, async () => await blocks.remove(request.body.host),
      { kind: 'block-removed', actor: actor(request), target: request.body.host, ip: request.ip }))
}
