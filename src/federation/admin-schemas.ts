import { Type } from '@sinclair/typebox'

/** Forms of the federation admin page; unknown fields are refused (the CSRF token is taken off before). */
const strict = { additionalProperties: false } as const

export const FollowBody = Type.Object({ target: Type.String({ minLength: 1, maxLength: 500 }) }, strict)
export const FollowScopeBody = Type.Object({
  target: Type.String({ minLength: 1, maxLength: 2000 }),
  scope: Type.Union([Type.Literal('lessons'), Type.Literal('pages')])
}, strict)
export const FollowRequestBody = Type.Object({ id: Type.String({ minLength: 1, maxLength: 2000 }) }, strict)
export const BlockBody = Type.Object({ host: Type.String({ minLength: 1, maxLength: 300 }), reason: Type.Optional(Type.String({ maxLength: 500 })) }, strict)
export const UnblockBody = Type.Object({ host: Type.String({ minLength: 1, maxLength: 300 }) }, strict)
