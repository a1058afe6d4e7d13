import type { FastifyInstance } from 'fastify'
import { wantsHtml } from '../http/error-handler.ts'

/** People go to the login page and come back; programs get a 401. */
export function registerAuthErrorPages (app: FastifyInstance): void {
  app.errorPages.set('not-signed-in', async (_error, request, reply) => {
    if (!wantsHtml(request)) {
      reply.code(401).header('WWW-Authenticate', 'Bearer')
      return await reply.send({ error: 'not-signed-in', message: request.t('error.notSignedIn') })
    }
    // After signing in, a read returns to where it was; a form post starts again from its page.
    const next = request.method === 'GET' ? request.url : '/'
    return await reply.redirect(`/login?next=${encodeURIComponent(next)}`, 303)
  })
}
