import { AppError } from '../http/errors.ts'
import type { MessageParams } from '../i18n/index.ts'

export class TooManyWatchesError extends AppError {
  readonly statusCode = 422
  readonly code = 'too-many-watches'
  readonly messageKey = 'notifications.tooManyWatches'
  constructor (readonly limit: number) { super(`at most ${limit} watches per person`) }
  override messageParams (): MessageParams { return { limit: this.limit } }
}

/** A feed address whose secret matches no person's (never made, or revoked). */
export class UnknownFeedError extends AppError {
  readonly statusCode = 404
  readonly code = 'unknown-feed'
  readonly messageKey = 'notifications.unknownFeed'
  constructor () { super('no feed at this address') }
}
