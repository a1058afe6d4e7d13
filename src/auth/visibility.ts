import type { FastifyRequest } from 'fastify'
import { NotSignedInError } from './errors.ts'
import { canSeeVisibility } from './roles.ts'

/** Whether this request may see local pages: any signed-in account may, anonymous visitors may not. */
export function seesLocalPages (request: FastifyRequest): boolean {
  return request.account !== null
}

/** A local page asked for without signing in: the person is sent to sign in (a program gets a 401). */
export function assertCanRead (request: FastifyRequest, page: { fields: { visibility: string } }): void {
  if (!canSeeVisibility(page.fields.visibility, request.account?.role ?? null)) throw new NotSignedInError()
}

/** The name revisions record for the signed-in account. */
export function authorOf (request: FastifyRequest): string | null {
  return request.account?.username ?? null
}
