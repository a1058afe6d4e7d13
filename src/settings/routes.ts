import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { Static } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import type { AuditLog } from '../auth/audit.ts'
import { render } from '../http/context.ts'
import type { MessageKey } from '../i18n/index.ts'
import { SettingsChange, SettingsForm } from './schemas.ts'
import { SETTING_NAMES, type SettingChange, type SiteSettings, type SiteSettingsService } from './site-settings.ts'

export interface SettingsRoutesOptions {
  settings: SiteSettingsService
  audit: AuditLog
}

/** The block list fits one form field; a whole list of hosts is more than the other admin forms hold. */
const SETTINGS_BODY_LIMIT = 128 * 1024

/** The settings page and `/api/settings`; admins only (see auth/access.ts). */
export async function settingsRoutes (parent: FastifyInstance, options: SettingsRoutesOptions): Promise<void> {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>()
  const { settings, audit } = options
  const limit = { bodyLimit: SETTINGS_BODY_LIMIT }

  /** Each changed setting is one entry in the audit log, with its old and new value. */
  const apply = async (request: FastifyRequest, changes: Static<typeof SettingsChange>): Promise<SettingChange[]> => {
    const actor = request.account?.username ?? null
    const changed = await settings.change(changes, actor)
    for (const { name, from, to } of changed) {
      await audit.record({ kind: 'setting-changed', actor, target: name, ip: request.ip, detail: `${JSON.stringify(from)} → ${JSON.stringify(to)}` })
    }
    return changed
  }

  const answer = () => ({ settings: settings.current(), sources: settings.sources() })

  const settingsPage = async (request: FastifyRequest, reply: FastifyReply, state: { error?: string, values?: SiteSettings } = {}) => {
    const t = request.t
    const values = state.values ?? settings.current()
    const sources = settings.sources()
    return await render(request, reply, 'admin-settings', {
      title: t('admin.settingsTitle'),
      values: { ...values, blockedDomains: values.blockedDomains.join('\n'), organisationIcon: values.organisationIcon ?? '', mapTileUrl: values.mapTileUrl ?? '' },
      sources: Object.fromEntries(SETTING_NAMES.map(name => [name, t(`settings.source.${sources[name]}`)])),
      followApprovals: (['auto', 'manual'] as const).map(value => ({ value, label: t(`settings.followApproval.${value}`) })),
      visibilities: (['local', 'unlisted', 'public'] as const).map(value => ({ value, label: t(`visibility.${value}`) })),
      signatureSpecs: (['draft-cavage', 'rfc9421'] as const).map(value => ({ value, label: t(`settings.signatureFirst.${value}`) })),
      error: state.error ?? null,
      noindex: true
    })
  }

  app.get('/admin/settings', async (request, reply) => await settingsPage(request, reply))

  app.post('/admin/settings', { ...limit, schema: { body: SettingsForm } }, async (request, reply) => {
    const change = changeFromForm(request.body)
    const error = Value.Errors(SettingsChange, change).First()
    if (error !== undefined) {
      const name = error.path.split('/')[1] ?? ''
      reply.code(400)
      const field = (SETTING_NAMES as readonly string[]).includes(name) ? request.t(`settings.${name}` as MessageKey) : name
      return await settingsPage(request, reply, { error: request.t('settings.invalid', { field, reason: error.message }), values: { ...settings.current(), ...change } as SiteSettings })
    }
    await apply(request, change)
    return await reply.redirect('/admin/settings', 303)
  })

  app.get('/api/settings', async () => answer())

  app.put('/api/settings', { ...limit, schema: { body: SettingsChange } }, async (request) => {
    const changed = await apply(request, request.body)
    return { ...answer(), changed: changed.map(change => change.name) }
  })
}

/** The form's text fields as a change: trimmed, empty URLs as none, the block list one host per line (or comma). */
export function changeFromForm (body: Static<typeof SettingsForm>): Static<typeof SettingsChange> {
  const url = (text: string): string | null => text.trim() === '' ? null : text.trim()
  const hosts = body.blockedDomains.split(/[\s,]+/).map(host => host.toLowerCase()).filter(host => host !== '')
  return {
    siteName: body.siteName.trim(),
    organisationName: body.organisationName.trim(),
    organisationSummary: body.organisationSummary.trim(),
    organisationIcon: url(body.organisationIcon),
    followApproval: body.followApproval as 'auto',
    indexable: body.indexable === 'on',
    reviewRequired: body.reviewRequired === 'on',
    mapTileUrl: url(body.mapTileUrl),
    mapTileAttribution: body.mapTileAttribution.trim(),
    blockedDomains: [...new Set(hosts)],
    defaultVisibility: body.defaultVisibility as 'local',
    ...(body.signatureFirst === undefined ? {} : { signatureFirst: body.signatureFirst as 'rfc9421' }),
    // Left out of the form, the limit stays as it is; anything but a whole number is refused by the rules.
    ...(body.uploadLimitMb === undefined ? {} : { uploadLimitMb: /^\s*\d+\s*$/.test(body.uploadLimitMb) ? Number(body.uploadLimitMb) : Number.NaN })
  }
}
