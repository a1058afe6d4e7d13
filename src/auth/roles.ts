/** Each role can do everything the roles before it can. */
export const ROLES = ['reader', 'editor', 'reviewer', 'moderator', 'admin'] as const
export type Role = typeof ROLES[number]

/** What a route asks of the person: `anyone` includes anonymous visitors, `member` any signed-in account. */
export type Access = 'anyone' | 'member' | Role

export function isRole (value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value)
}

export function hasRole (role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed)
}

/** Whether an account with this role (null: anonymous) may use a route with this access. */
export function allows (access: Access, role: Role | null): boolean {
  if (access === 'anyone') return true
  if (role === null) return false
  if (access === 'member') return true
  return hasRole(role, access)
}

/** Local pages (the default) are for signed-in accounts; public and unlisted ones for everybody. */
export function canSeeVisibility (visibility: string, role: Role | null): boolean {
  return visibility !== 'local' || role !== null
}
