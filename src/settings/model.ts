/** The settings an admin may change in the browser; each starts from its environment variable. */
export interface SiteSettings {
  siteName: string
  organisationName: string
  organisationSummary: string
  organisationIcon: string | null
  followApproval: 'auto' | 'manual'
  /** Whether the organisation says `indexable` and `discoverable`: its pages and profile may be found by search. */
  indexable: boolean
  reviewRequired: boolean
  mapTileUrl: string | null
  mapTileAttribution: string
  blockedDomains: string[]
  defaultVisibility: 'local' | 'unlisted' | 'public'
  signatureFirst: 'draft-cavage' | 'rfc9421'
  uploadLimitMb: number
}

export type SettingName = keyof SiteSettings

/** In the order the page and the API show them. */
export const SETTING_NAMES: readonly SettingName[] = [
  'siteName', 'organisationName', 'organisationSummary', 'organisationIcon', 'followApproval', 'indexable',
  'reviewRequired', 'mapTileUrl', 'mapTileAttribution', 'blockedDomains', 'defaultVisibility',
  'signatureFirst', 'uploadLimitMb'
]

/** The organisation actor's profile: a change to any of these is sent to the followers. */
export const PROFILE_SETTINGS: readonly SettingName[] = ['organisationName', 'organisationSummary', 'organisationIcon', 'followApproval', 'indexable']

export interface SettingChange {
  name: SettingName
  from: unknown
  to: unknown
}
