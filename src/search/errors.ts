import { AppError } from '../http/errors.ts'
import type { MessageParams } from '../i18n/index.ts'
import type { SearchStatus } from './types.ts'

/** The index is still loading or rebuilding after start; search answers 503 until it is ready. */
export class SearchNotReadyError extends AppError {
  readonly statusCode = 503
  readonly code = 'index-loading'
  readonly messageKey = 'search.loading'
  constructor (readonly status: SearchStatus) {
    super('the search index is loading')
  }

  override heading () { return 'search.title' as const }
}

/** A query longer than anyone types; refused rather than cut, so nobody gets results for half a query. */
export class SearchQueryTooLongError extends AppError {
  readonly statusCode = 400
  readonly code = 'query-too-long'
  readonly messageKey = 'search.tooLong'
  constructor (readonly length: number, readonly limit: number) {
    super(`the search query has ${length} characters; at most ${limit} are allowed`)
  }

  override messageParams (): MessageParams { return { limit: this.limit } }
}
