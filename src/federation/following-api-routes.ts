import { createHash } from 'node:crypto'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { AuditLog } from '../auth/audit.ts'
import { FORM_BODY_LIMIT } from '../auth/schemas.ts'
import { FOLLOW_SCOPES, type FollowScope, type FollowScopes } from './follow-scopes.ts'
import { FollowError, type Follows } from './follows.ts'

export interface FollowingApiRoutesOptions {
  follows: Follows
  followScopes: FollowScopes
  audit: AuditLog
}

export interface FollowEntry {
  /** Stable and opaque: made from the actor's URL, for `DELETE /api/federation/following/<id>`. */
  id: string
  actor: string
  /** `accepted` once the other side said yes; `requested` while it has not answered. */
  state: 'accepted' | 'requested'
  scope: FollowScope
}

export function followIdOf (actorId: string): string {
  return createHash('sha256').update(actorId).digest('hex').slice(0, 24)
}

/** Every follow of this wiki with its state and what it takes, for the API and the admin page. */
export async function followEntries (follows: Follows, followScopes: FollowScopes): Promise<FollowEntry[]> {
  const [following, requested, scopes] = await Promise.all([follows.listFollowing(), follows.listFollowRequests(), followScopes.all()])
  const entry = (actor: string, state: FollowEntry['state']): FollowEntry => ({ id: followIdOf(actor), actor, state, scope: scopes.get(actor) ?? 'lessons' })
  return [...following.map(actor => entry(actor, 'accepted')), ...requested.filter(actor => !following.includes(actor)).map(actor => entry(actor, 'requested'))]
}

const Scope = Type.Union(FOLLOW_SCOPES.map(scope => Type.Literal(scope)))
const FollowRequest = Type.Object({
  actor: Type.String({ minLength: 1, maxLength: 500, pattern: '\\S' }),
  scope: Type.Optional(Scope)
}, { additionalProperties: false })
const ScopeChange = Type.Object({ scope: Scope }, { additionalProperties: false })
const FollowParams = Type.Object({ id: Type.String({ pattern: '^[0-9a-f]{24}$' }) })

/**
 * Following through the API, for scripts and tests: the same actions as the admin page,
 * answered as JSON. Admins only (see auth/access.ts).
 */
export async function followingApiRoutes (parent: FastifyInstance, options: FollowingApiRoutesOptions): Promise<void> {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>()
  const { follows, followScopes, audit } = options
  const small = { bodyLimit: FORM_BODY_LIMIT }
  const who = (request: FastifyRequest): string => request.account?.username ?? ''
  const failure = (error: unknown): { status: number, body: { error: string } } => ({
    // What the other server did wrong is no error of ours: never a 500 for it.
    status: error instanceof FollowError ? error.status : 502,
    body: { error: (error as Error).message.slice(0, 300) }
  })
  const entryById = async (id: string): Promise<FollowEntry | undefined> => (await followEntries(follows, followScopes)).find(entry => entry.id === id)

  app.get('/api/federation/following', async () => ({ following: await followEntries(follows, followScopes) }))

  app.post('/api/federation/following', { ...small, schema: { body: FollowRequest } }, async (request, reply) => {
    let followed: Awaited<ReturnType<Follows['follow']>>
    try {
      followed = await follows.follow(request.body.actor.trim(), request.body.scope)
    } catch (error) {
      const { status, body } = failure(error)
      return await reply.code(status).send(body)
    }
    if (!followed.alreadyFollowing) await audit.record({ kind: 'follow', actor: who(request), target: followed.actorId, ip: request.ip })
    const entry = (await entryById(followIdOf(followed.actorId))) ?? { id: followIdOf(followed.actorId), actor: followed.actorId, state: 'requested', scope: await followScopes.scopeOf(followed.actorId) }
    return await reply.code(202).send(entry)
  })

  app.patch('/api/federation/following/:id', { ...small, schema: { params: FollowParams, body: ScopeChange } }, async (request, reply) => {
    const entry = await entryById(request.params.id)
    if (entry === undefined) return await reply.code(404).send({ error: 'this wiki does not follow that organisation' })
    if (await followScopes.set(entry.actor, request.body.scope)) {
      await audit.record({ kind: 'follow-scope', actor: who(request), target: entry.actor, ip: request.ip, detail: request.body.scope })
    }
    return { ...entry, scope: request.body.scope }
  })

  app.delete('/api/federation/following/:id', { schema: { params: FollowParams } }, async (request, reply) => {
    const entry = await entryById(request.params.id)
    if (entry === undefined) return await reply.code(404).send({ error: 'this wiki does not follow that organisation' })
    try {
      await follows.unfollow(entry.actor)
    } catch (error) {
      const { status, body } = failure(error)
      return await reply.code(status).send(body)
    }
    await audit.record({ kind: 'unfollow', actor: who(request), target: entry.actor, ip: request.ip })
    return { id: entry.id, actor: entry.actor, state: 'withdrawn' }
  })
}
