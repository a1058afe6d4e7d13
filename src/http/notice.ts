import type { FastifyRequest } from 'fastify'
import type {} from '@fastify/session'
import type { MessageKey, MessageParams } from '../i18n/index.ts'

/** A message and its parameters, kept until the next page is shown. */
export interface Notice {
  key: MessageKey
  params?: MessageParams
}

declare module 'fastify' {
  interface Session {
    /** What the last change did, for the next page this person sees (see setNotice). */
    notice?: Notice
  }
}

/**
 * Says what a change did ("Saved, and merged with revision 7 by anna"), on the next page the
 * person sees: call it before answering a form with a redirect, and the page after the
 * redirect shows the message at the top of its content, once, as a `role="status"` notice in
 * the reader's language. The message key must be in both catalogues (src/i18n); parameters
 * are plain strings and numbers, since the notice waits in the person's session.
 *
 * Only signed-in people have a session; for others (API tokens, which get JSON) it does nothing.
 */
export function setNotice (request: FastifyRequest, notice: Notice): void {
  const session = sessionOf(request)
  if (session === null) return
  session.notice = notice.params === undefined ? { key: notice.key } : { key: notice.key, params: notice.params }
}

/** The waiting notice, taken out of the session so it shows once; render() calls it for every page. */
export function takeNotice (request: FastifyRequest): Notice | null {
  const session = sessionOf(request)
  const notice = session?.notice
  if (session === null || notice === undefined) return null
  delete session.notice
  return notice
}

function sessionOf (request: FastifyRequest): FastifyRequest['session'] | null {
  // The session plugin decorates requests only when accounts are set up; tests may build without it.
  return (request as { session?: FastifyRequest['session'] }).session ?? null
}
