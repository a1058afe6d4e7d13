import type { MessageKey, MessageParams, Translate } from '../i18n/index.ts'

/**
 * An expected failure that knows its own HTTP answer: a status, a stable `code` that API
 * clients can rely on, and a message key for the person. Each domain declares its errors
 * by extending this, so the one error handler maps them without knowing any domain.
 */
export abstract class AppError extends Error {
  abstract readonly statusCode: number
  abstract readonly code: string
  /** The message shown to the person (and sent as `message` in JSON). */
  abstract readonly messageKey: MessageKey

  constructor (message: string) {
    super(message)
    this.name = new.target.name
  }

  /** Values for the message's placeholders. */
  messageParams (): MessageParams {
    return {}
  }

  /** The heading of the error page; by default one per kind of status. */
  heading (): MessageKey {
    return headingFor(this.statusCode)
  }

  /** Lines listed under the message (which fields were wrong, what was found). */
  details (_t: Translate): string[] | undefined {
    return undefined
  }
}

export function headingFor (status: number): MessageKey {
  if (status === 401 || status === 403) return 'error.forbidden'
  if (status === 404 || status === 410) return 'error.notFound'
  if (status === 413) return 'error.tooLarge'
  if (status === 429) return 'error.tooMany'
  if (status >= 500) return 'error.server'
  return 'error.badRequest'
}
