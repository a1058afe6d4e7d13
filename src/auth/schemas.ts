import { Type } from '@sinclair/typebox'
import { MAX_INVITATION_LABEL } from './accounts.ts'
import { MAX_PASSWORD_LENGTH } from './passwords.ts'
import { ROLES } from './roles.ts'

/** Forms of accounts and administration; unknown fields are refused (the CSRF token is taken off before). */
const strict = { additionalProperties: false } as const

const Username = Type.String({ minLength: 1, maxLength: 40 })
const Password = Type.String({ minLength: 1, maxLength: MAX_PASSWORD_LENGTH })
const Next = Type.Optional(Type.String({ maxLength: 2000 }))
export const RoleValue = Type.Union(ROLES.map(role => Type.Literal(role)))

export const LoginQuery = Type.Object({ next: Next }, strict)
export const LoginBody = Type.Object({ username: Username, password: Password, next: Next }, strict)
export const SetupQuery = Type.Object({ token: Type.Optional(Type.String({ maxLength: 200 })) }, strict)
export const SetupBody = Type.Object({ token: Type.String({ maxLength: 200 }), username: Username, password: Password }, strict)
export const TokenParams = Type.Object({ token: Type.String({ minLength: 1, maxLength: 200 }) }, strict)
export const InvitationBody = Type.Object({ username: Username, password: Password }, strict)
export const PasswordBody = Type.Object({ current: Password, password: Password }, strict)
export const EmailBody = Type.Object({ email: Type.String({ maxLength: 300 }) }, strict)
export const NewTokenBody = Type.Object({ name: Type.String({ maxLength: 100 }) }, strict)
export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 24 }) }, strict)
// A missing body reaches validation as null.
export const EmptyBody = Type.Union([Type.Object({}, strict), Type.Null()])
export const UsernameParams = Type.Object({ username: Username }, strict)
// Without `confirm` a role change only asks; the confirmation page sends it back with `confirm=yes`.
export const RoleBody = Type.Object({ role: RoleValue, confirm: Type.Optional(Type.Literal('yes')) }, strict)
export const InviteBody = Type.Object({ role: RoleValue, label: Type.Optional(Type.String({ maxLength: MAX_INVITATION_LABEL })) }, strict)

/** Small forms need little room: a tight limit per route, far below the app-wide one. */
export const FORM_BODY_LIMIT = 16 * 1024
