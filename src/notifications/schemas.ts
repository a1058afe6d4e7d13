import { Type } from '@sinclair/typebox'

/** Forms of the notifications pages; unknown fields are refused (the CSRF token is taken off before). */
const strict = { additionalProperties: false } as const

export const ListQuery = Type.Object({ page: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })) }, strict)
export const IdParams = Type.Object({ id: Type.String({ minLength: 24, maxLength: 24, pattern: '^[0-9a-f]{24}$' }) }, strict)
export const SecretParams = Type.Object({ secret: Type.String({ minLength: 1, maxLength: 200 }) }, strict)
// A missing body reaches validation as null.
export const EmptyBody = Type.Union([Type.Object({}, strict), Type.Null()])
/** Watch or stop watching a page (by its slug), a tag or a field of practice. */
export const WatchBody = Type.Object({
  kind: Type.Union([Type.Literal('page'), Type.Literal('tag'), Type.Literal('field')]),
  key: Type.String({ minLength: 1, maxLength: 200, pattern: '^(?=.*\\S)[^\\u0000-\\u001f\\u007f]+$' }),
  watch: Type.Union([Type.Literal('yes'), Type.Literal('no')])
}, strict)
// An unticked box sends nothing, so the form may arrive empty.
export const PreferencesBody = Type.Union([Type.Object({ watchEdited: Type.Optional(Type.Literal('yes')) }, strict), Type.Null()])
