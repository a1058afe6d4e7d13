import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { render } from '../http/context.ts'
import type { AccountService } from './accounts.ts'
import type { AuditLog } from './audit.ts'
import { LastAdminError } from './errors.ts'
import { ROLES } from './roles.ts'
import { EmptyBody, FORM_BODY_LIMIT, IdParams, InviteBody, RoleBody, UsernameParams } from './schemas.ts'

export interface AdminRoutesOptions {
  accounts: AccountService
  audit: AuditLog
  baseUrl: string
}

const AUDIT_LIMIT = 300

/** Accounts and the audit log; admins only (see access.ts). */
export async function adminRoutes (parent: FastifyInstance, options: AdminRoutesOptions): Promise<void> {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>()
  const { accounts, audit, baseUrl } = options
  const small = { bodyLimit: FORM_BODY_LIMIT }
  const actor = (request: FastifyRequest): string => request.account?.username ?? ''

  const accountsPage = async (request: FastifyRequest, reply: FastifyReply, state: { invitationLink?: string, message?: string, error?: string } = {}) => {
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
      invitations: invitations.map(invitation => ({
        id: invitation._id.toHexString(),
        label: invitation.label ?? '',
        role: t(`role.${invitation.role}`),
        createdBy: invitation.createdBy,
        expiresAt: invitation.expiresAt
      })),
      invitationLink: state.invitationLink ?? null,
      message: state.message ?? null,
      error: state.error ?? null,
      noindex: true
    })
  }

  app.get('/admin/accounts', async (request, reply) => await accountsPage(request, reply))

  // Forms without JavaScript: the first post asks, naming both roles and what the new one may do; the second, with confirm=yes, changes.
  app.post('/admin/accounts/:username/role', { ...small, schema: { params: UsernameParams, body: RoleBody } }, async (request, reply) => {
    const t = request.t
    const { role, confirm } = request.body
    const account = await accounts.require(request.params.username)
    if (account.role === role) return await reply.redirect('/admin/accounts', 303)
    const names = { name: account.username, from: t(`role.${account.role}`), to: t(`role.${role}`) }
    if (confirm !== 'yes') {
      return await render(request, reply, 'admin-role-confirm', {
        title: t('admin.confirmRoleTitle'),
        username: account.username,
        role,
        question: t('admin.confirmRoleQuestion', names),
        may: t(`admin.roleMay.${role}`),
        noindex: true
      })
    }
    let changed: boolean
    try {
      changed = (await accounts.setRole(account.username, role)).changed
    } catch (error) {
      if (!(error instanceof LastAdminError)) throw error
      reply.code(409)
      return await accountsPage(request, reply, { error: t('admin.lastAdmin') })
    }
    // Another admin may have made the same change a moment before: then there is nothing to record.
    if (!changed) return await reply.redirect('/admin/accounts', 303)
    await audit.record({ kind: 'role-changed', actor: actor(request), target: account.username, ip: request.ip, detail: `${account.role} → ${role}` })
    return await accountsPage(request, reply, { message: t('admin.roleChanged', names) })
  })

  for (const disabled of [true, false]) {
    app.post(`/admin/accounts/:username/${disabled ? 'disable' : 'enable'}`, { ...small, schema: { params: UsernameParams, body: EmptyBody } }, async (request, reply) => {
      try {
        const { account, changed } = await accounts.setDisabled(request.params.username, disabled)
        if (changed) await audit.record({ kind: disabled ? 'account-disabled' : 'account-enabled', actor: actor(request), target: account.username, ip: request.ip })
      } catch (error) {
        if (!(error instanceof LastAdminError)) throw error
        reply.code(409)
        return await accountsPage(request, reply, { error: request.t('admin.lastAdmin') })
      }
      return await reply.redirect('/admin/accounts', 303)
    })
  }

  app.post('/admin/invitations', { ...small, schema: { body: InviteBody } }, async (request, reply) => {
    const { token, document } = await accounts.createInvitation({ role: request.body.role, createdBy: actor(request), label: request.body.label })
    await audit.record({ kind: 'invitation-created', actor: actor(request), target: request.body.role, ip: request.ip, detail: document.label })
    reply.header('Cache-Control', 'no-store')
    return await accountsPage(request, reply, { invitationLink: `${baseUrl}/invitations/${token}` })
  })

  app.post('/admin/invitations/:id/revoke', { ...small, schema: { params: IdParams, body: EmptyBody } }, async (request, reply) => {
    const invitation = await accounts.revokeInvitation(request.params.id)
    // One already used, expired or revoked (a second click) changes nothing and leaves no entry.
    if (invitation !== null) {
      await audit.record({ kind: 'invitation-revoked', actor: actor(request), target: invitation.role, ip: request.ip, detail: invitation.label ?? '' })
    }
    return await reply.redirect('/admin/accounts', 303)
  })

  app.get('/admin/audit', async (request, reply) => {
    const entries = await audit.recent({ limit: AUDIT_LIMIT })
    return await render(request, reply, 'admin-audit', {
      title: request.t('admin.auditTitle'),
      entries: entries.map(entry => ({ ...entry, kindLabel: request.t(`audit.${entry.kind}`) })),
      noindex: true
    })
  })
}
