import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { render } from '../http/context.ts'
import type { AccountService } from './accounts.ts'
import type { AuditLog } from './audit.ts'
import { LastAdminError } from './errors.ts'
import { ROLES } from './roles.ts'
import { EmptyBody, FORM_BODY_LIMIT, InviteBody, RoleBody, UsernameParams } from './schemas.ts'

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

  app.get('/admin/audit', async (request, reply) => {
    const entries = await audit.recent({ limit: AUDIT_LIMIT })
    return await render(request, reply, 'admin-audit', {
      title: request.t('admin.auditTitle'),
      entries: entries.map(entry => ({ ...entry, kindLabel: request.t(`audit.${entry.kind}`) })),
      noindex: true
    })
  })
}
