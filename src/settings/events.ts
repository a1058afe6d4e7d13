import type { SettingChange, SiteSettings } from './model.ts'

/** What the settings emit; the domains that apply a setting outside a request (the actor's profile, kept pages) listen. */
export interface SettingsEvents extends Record<string, unknown> {
  /** An admin changed settings; `changes` names only the ones whose value is different now. */
  'settings.changed': { changes: SettingChange[], settings: Readonly<SiteSettings> }
}
