import type { SearchStatus } from './search-index.ts'

/** The index is still loading or rebuilding after start; search answers 503 until it is ready. */
export class SearchNotReadyError extends Error {
  constructor (readonly status: SearchStatus) {
    super('the search index is loading')
    this.name = 'SearchNotReadyError'
  }
}

/** A query longer than anyone types; refused rather than cut, so nobody gets results for half a query. */
export class SearchQueryTooLongError extends Error {
  constructor (readonly length: number, readonly limit: number) {
    super(`the search query has ${length} characters; at most ${limit} are allowed`)
    this.name = 'SearchQueryTooLongError'
  }
}
