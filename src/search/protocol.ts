import type { FacetFilters, FacetName, SearchDocument, SearchHit } from './types.ts'

/** Messages between the search index and its worker threads. */
export type WorkerRequest =
  | { type: 'load', shard: number, file: string }
  | { type: 'apply', shard: number, file: string, upserts: SearchDocument[], removes: string[] }
  | { type: 'query', shards: number[], q: string, filters: FacetFilters, limit: number, includeLocal: boolean }
  | { type: 'snippets', items: Array<{ shard: number, id: string, terms: string[] }> }

export interface LoadResult { documents: Array<{ id: string, version: string, origin: string }> }
export interface ApplyResult { size: number }
/** Hits come without snippets: only the few on the shown page get one, in a second request. */
export type WorkerHit = SearchHit & { terms: string[] }
export interface WorkerQueryResult {
  hits: WorkerHit[]
  total: number
  facets: Record<FacetName, Record<string, number>>
  relaxed: boolean
}

export type WorkerResponse =
  | { id: number, ok: true, result: unknown }
  | { id: number, ok: false, error: { name: string, message: string, reason?: string } }
