import { Type, type TString } from '@sinclair/typebox'
import { SettingsSchema } from '../config/index.ts'

const env = SettingsSchema.properties

/** An environment variable's length and pattern rules, without its default (a partial change must not fill in the others). */
function sameRules (schema: TString, extra: { maxLength?: number } = {}): TString {
  const rules: Record<string, unknown> = { ...extra }
  for (const key of ['minLength', 'maxLength', 'pattern'] as const) if (schema[key] !== undefined) rules[key] = schema[key]
  return Type.String(rules)
}

/** A host name as the domain blocks compare it: lower case, no scheme, port or path. */
const Host = Type.String({ maxLength: 253, pattern: '^(localhost|[a-z0-9-]+(\\.[a-z0-9-]+)+)$' })
/** URLs are bounded here although the environment's are not: a browser can send any length. */
const URL_LIMIT = { maxLength: 2000 }

/**
 * A change to the settings, by the API or (converted) by the form: the same rules as
 * the environment variables, every field optional, unknown fields refused. `null`
 * removes the organisation's icon or the map.
 */
export const SettingsChange = Type.Object({
  siteName: Type.Optional(sameRules(env.SITE_NAME)),
  organisationName: Type.Optional(sameRules(env.ORGANISATION_NAME)),
  organisationSummary: Type.Optional(sameRules(env.ORGANISATION_SUMMARY)),
  organisationIcon: Type.Optional(Type.Union([sameRules(env.ORGANISATION_ICON, URL_LIMIT), Type.Null()])),
  followApproval: Type.Optional(Type.Union(env.FEDERATION_FOLLOW_APPROVAL.anyOf)),
  indexable: Type.Optional(Type.Boolean()),
  reviewRequired: Type.Optional(Type.Boolean()),
  mapTileUrl: Type.Optional(Type.Union([sameRules(env.MAP_TILE_URL, URL_LIMIT), Type.Null()])),
  mapTileAttribution: Type.Optional(sameRules(env.MAP_TILE_ATTRIBUTION)),
  blockedDomains: Type.Optional(Type.Array(Host, { maxItems: 1000, uniqueItems: true })),
  defaultVisibility: Type.Optional(Type.Union(env.DEFAULT_VISIBILITY.anyOf)),
  signatureFirst: Type.Optional(Type.Union(env.FEDERATION_SIGNATURE_FIRST.anyOf)),
  uploadLimitMb: Type.Optional(Type.Integer({ minimum: env.UPLOAD_LIMIT_MB.minimum, maximum: env.UPLOAD_LIMIT_MB.maximum }))
}, { additionalProperties: false })

/** The settings form: every field as text (the CSRF token is taken off before); `toChange` makes a SettingsChange of it. */
export const SettingsForm = Type.Object({
  siteName: Type.String({ maxLength: 200 }),
  organisationName: Type.String({ maxLength: 200 }),
  organisationSummary: Type.String({ maxLength: 1000 }),
  organisationIcon: Type.String({ maxLength: 2000 }),
  followApproval: Type.String({ maxLength: 20 }),
  indexable: Type.Optional(Type.Literal('on')),
  reviewRequired: Type.Optional(Type.Literal('on')),
  mapTileUrl: Type.String({ maxLength: 2000 }),
  mapTileAttribution: Type.String({ maxLength: 1000 }),
  blockedDomains: Type.String({ maxLength: 100_000 }),
  defaultVisibility: Type.String({ maxLength: 20 }),
  signatureFirst: Type.Optional(Type.String({ maxLength: 20 })),
  uploadLimitMb: Type.Optional(Type.String({ maxLength: 10 }))
}, { additionalProperties: false })
