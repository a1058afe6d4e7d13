import type { Db } from 'mongodb'
import { Value } from '@sinclair/typebox/value'
import type { AppConfig } from '../config/index.ts'
import type { EventBus } from '../events/index.ts'
import type { SettingsEvents } from './events.ts'
import { SETTING_NAMES, type SettingChange, type SettingName, type SiteSettings } from './model.ts'
import { SettingsChange } from './schemas.ts'

export { PROFILE_SETTINGS, SETTING_NAMES, type SettingChange, type SettingName, type SiteSettings } from './model.ts'

/** Where a value comes from: saved on the settings page (or `/api/settings`), or the environment (and its default). */
export type SettingSource = 'browser' | 'environment'

export type SiteSettingsService = Awaited<ReturnType<typeof createSiteSettings>>

interface StoredSettings {
  _id: string
  values: Partial<SiteSettings>
  updatedAt: Date
  updatedBy: string | null
}

/** The values the environment gives, before anything was changed in the browser. */
export function initialSettings (config: AppConfig): SiteSettings {
  return {
    siteName: config.siteName,
    organisationName: config.federation.organisationName,
    organisationSummary: config.federation.organisationSummary,
    organisationIcon: config.federation.organisationIcon ?? null,
    followApproval: config.federation.followApproval,
    indexable: config.federation.indexable,
    reviewRequired: config.auth.reviewRequired,
    mapTileUrl: config.lessons.mapTileUrl ?? null,
    mapTileAttribution: config.lessons.mapTileAttribution,
    blockedDomains: config.federation.blockedDomains,
    defaultVisibility: config.defaultVisibility,
    signatureFirst: config.federation.signatureFirst,
    uploadLimitMb: config.uploadLimitMb
  }
}

/**
 * The live settings: the environment's values, overridden by those saved in the browser
 * (one document in `siteSettings`; the `settings` collection keeps the session secret).
 * A saved value wins over the environment at every start after, since the admin chose it
 * later and can see where each value comes from. Readers call `current()` per request.
 */
export async function createSiteSettings (options: { db: Db, initial: SiteSettings, events: EventBus<SettingsEvents>, log?: { warn: (message: string) => void } }) {
  const collection = options.db.collection<StoredSettings>('siteSettings')
  const saved = keptValues((await collection.findOne({ _id: 'site' }))?.values ?? {}, options.log)
  let settings: SiteSettings = { ...options.initial, ...saved }

  /**
   * Stores the values that differ from the current ones, all in one write, and tells the
   * listeners. `changes` must have passed the SettingsChange schema.
   */
  async function change (changes: Partial<SiteSettings>, by: string | null): Promise<SettingChange[]> {
    const changed: SettingChange[] = []
    const set: Record<string, unknown> = { updatedAt: new Date(), updatedBy: by }
    for (const name of SETTING_NAMES) {
      const value = changes[name]
      if (value === undefined || same(value, settings[name])) continue
      changed.push({ name, from: settings[name], to: value })
      set[`values.${name}`] = value
    }
    if (changed.length === 0) return changed
    await collection.updateOne({ _id: 'site' }, { $set: set as Partial<StoredSettings> }, { upsert: true })
    for (const { name } of changed) saved[name] = changes[name] as never
    settings = { ...options.initial, ...saved }
    options.events.emit('settings.changed', { changes: changed, settings })
    return changed
  }

  return {
    current: (): Readonly<SiteSettings> => settings,
    sources: (): Record<SettingName, SettingSource> => Object.fromEntries(SETTING_NAMES.map(name => [name, name in saved ? 'browser' : 'environment'])) as Record<SettingName, SettingSource>,
    change
  }
}

function same (one: unknown, other: unknown): boolean {
  return JSON.stringify(one) === JSON.stringify(other)
}

/** Saved values that still pass today's rules; one that does not (a restored old backup) is left to the environment. */
function keptValues (values: Partial<SiteSettings>, log?: { warn: (message: string) => void }): Partial<SiteSettings> {
  const kept: Partial<SiteSettings> = {}
  for (const name of SETTING_NAMES) {
    if (!(name in values)) continue
    const one = { [name]: values[name] }
    if (Value.Check(SettingsChange, one)) Object.assign(kept, one)
    else log?.warn(`the saved setting ${name} is not valid any more; the environment's value is used`)
  }
  return kept
}
