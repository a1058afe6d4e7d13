import { idOf } from '../federation/remote-pages.ts'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { render } from '../http/context.ts'
import { formatDate } from '../i18n/index.ts'
import type { AccountService } from './accounts.ts'
import type { AuditLog } from './audit.ts'
import { LastAdminError } from './errors.ts'
import { ROLES } from './roles.ts'
import {
  BlockBody, EmptyBody, FollowBody, FollowRequestBody, FORM_BODY_LIMIT, InviteBody, RoleBody, UnblockBody, UsernameParams
} from './schemas.ts'

export interface AdminRoutesOptions {
  accounts: AccountService
  audit: AuditLog
  baseUrl: string
}

const AUDIT_LIMIT = 300
/** Given-up deliveries shown on the federation page, newest first. */
const FAILURES_SHOWN = 20

/** Accounts, federation (follows, follow requests, domain blocks) and the audit log; admins only (see access.ts). */
export async function adminRoutes (parent: FastifyInstance, options: AdminRoutesOptions): Promise<void> {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>()
  const { accounts, audit, baseUrl } = options
  const small = { bodyLimit: FORM_BODY_LIMIT }
  const actor = (request: FastifyRequest): string => request.account?.username ?? ''

  const accountsPage = async (request: FastifyRequest, reply: FastifyReply, state: { invitationLink?: string, error?: string } = {}) => {
    const t = request.t
    const list = await accounts.list()
    const invitations = await accounts.listInvitations()
    return await render(request, reply, 'admin-accounts', {
      title: t('admin.accountsTitle'),
      accounts: list.map(account => ({
        username: account.username,
        role: account.role,
        roleLabel: t(`role.${account.role}`),
        disabled: account.disabled,
        isSelf: account.username === actor(request),
        createdAt: account.createdAt
      })),
      roles: ROLES.map(role => ({ value: role, label: t(`role.${role}`) })),
      invitations: invitations.map(invitation => ({ role: t(`role.${invitation.role}`), createdBy: invitation.createdBy, expiresAt: invitation.expiresAt })),
      invitationLink: state.invitationLink ?? null,
      error: state.error ?? null,
      noindex: true
    })
  }

  app.get('/admin/accounts', async (request, reply) => await accountsPage(request, reply))

  app.post('/admin/accounts/:username/role', { ...small, schema: { params: UsernameParams, body: RoleBody } }, async (request, reply) => {
    try {
      const account = await accounts.setRole(request.params.username, request.body.role)
      await audit.record({ kind: 'role-changed', actor: actor(request), target: account.username, ip: request.ip, detail: request.body.role })
    } catch (error) {
      if (!(error instanceof LastAdminError)) throw error
      reply.code(409)
      return await accountsPage(request, reply, { error: request.t('admin.lastAdmin') })
    }
    return await reply.redirect('/admin/accounts', 303)
  })

  for (const disabled of [true, false]) {
    app.post(`/admin/accounts/:username/${disabled ? 'disable' : 'enable'}`, { ...small, schema: { params: UsernameParams, body: EmptyBody } }, async (request, reply) => {
      try {
        const account = await accounts.setDisabled(request.params.username, disabled)
        await audit.record({ kind: disabled ? 'account-disabled' : 'account-enabled', actor: actor(request), target: account.username, ip: request.ip })
      } catch (error) {
        if (!(error instanceof LastAdminError)) throw error
        reply.code(409)
        return await accountsPage(request, reply, { error: request.t('admin.lastAdmin') })
      }
      return await reply.redirect('/admin/accounts', 303)
    })
  }

  app.post('/admin/invitations', { ...small, schema: { body: InviteBody } }, async (request, reply) => {
    const { token } = await accounts.createInvitation({ role: request.body.role, createdBy: actor(request) })
    await audit.record({ kind: 'invitation-created', actor: actor(request), target: request.body.role, ip: request.ip })
    reply.header('Cache-Control', 'no-store')
    return await accountsPage(request, reply, { invitationLink: `${baseUrl}/invitations/${token}` })
  })

  const federationPage = async (request: FastifyRequest, reply: FastifyReply, state: { error?: string, message?: string } = {}) => {
    const federation = request.server.federation
    const us = await federation.core.actor()
    const [following, requested, followers, pending, blocks, failures] = await Promise.all([
      federation.follows.listFollowing(),
      federation.follows.listFollowRequests(),
      federation.follows.listFollowers(),
      federation.inbox.pendingFollows(us),
      federation.blocks.list(),
      federation.core.delivery.recentFailures(FAILURES_SHOWN)
    ])
    return await render(request, reply, 'admin-federation', {
      title: request.t('admin.federationTitle'),
      following,
      requested,
      followers,
      pending: pending.map(follow => ({ id: String(follow.id), actor: idOf(follow.actor) })),
      blocks,
      failures: failures.map(failure => ({ ...failure, when: formatDate(failure.at, request.locale) })),
      error: state.error ?? null,
      message: state.message ?? null,
      noindex: true
    })
  }

  /** Runs a federation action; what went wrong out there is shown on the page, not as a server error. */
  const federationAction = async (request: FastifyRequest, reply: FastifyReply, action: () => Promise<void>, audited: Parameters<AuditLog['record']>[0]) => {
    try {
      await action()
    } catch (error) {
      request.log.info({ err: error }, 'federation admin action failed')
      reply.code(400)
      return await federationPage(request, reply, { error: request.t('admin.federationFailed', { reason: (error as Error).message.slice(0, 300) }) })
    }
    await audit.record(audited)
    return await reply.redirect('/admin/federation', 303)
  }

  app.get('/admin/federation', async (request, reply) => await federationPage(request, reply))

  app.post('/admin/federation/follow', { ...small, schema: { body: FollowBody } }, async (request, reply) =>
    await federationAction(request, reply, async () => { await request.server.federation.follows.follow(request.body.target.trim()) },
      { kind: 'follow', actor: actor(request), target: request.body.target, ip: request.ip }))

  app.post('/admin/federation/unfollow', { ...small, schema: { body: FollowBody } }, async (request, reply) =>
    await federationAction(request, reply, async () => { await request.server.federation.follows.unfollow(request.body.target.trim()) },
      { kind: 'unfollow', actor: actor(request), target: request.body.target, ip: request.ip }))

  app.post('/admin/federation/requests/approve', { ...small, schema: { body: FollowRequestBody } }, async (request, reply) =>
    await federationAction(request, reply, async () => { await request.server.federation.inbox.approveFollow(request.body.id) },
      { kind: 'follow-approved', actor: actor(request), target: request.body.id, ip: request.ip }))

  app.post('/admin/federation/requests/reject', { ...small, schema: { body: FollowRequestBody } }, async (request, reply) =>
    await federationAction(request, reply, async () => { await request.server.federation.inbox.rejectFollow(request.body.id) },
      { kind: 'follow-rejected', actor: actor(request), target: request.body.id, ip: request.ip }))

  app.post('/admin/federation/blocks', { ...small, schema: { body: BlockBody } }, async (request, reply) =>
    await federationAction(request, reply, async () => { await request.server.federation.blocks.add(request.body.host, request.body.reason ?? '') },
      { kind: 'block-added', actor: actor(request), target: request.body.host, ip: request.ip, detail: request.body.reason ?? '' }))

  app.post('/admin/federation/blocks/remove', { ...small, schema: { body: UnblockBody } }, async (request, reply) =>
    await federationAction(request, reply, async () => { await request.server.federation.blocks.remove(request.body.host) },
      { kind: 'block-removed', actor: actor(request), target: request.body.host, ip: request.ip }))

  app.get('/admin/audit', async (request, reply) => {
    const entries = await audit.recent({ limit: AUDIT_LIMIT })
    return await render(request, reply, 'admin-audit', {
      title: request.t('admin.auditTitle'),
      entries: entries.map(entry => ({ ...entry, kindLabel: request.t(`audit.${entry.kind}`) })),
      noindex: true
    })
  })
}
