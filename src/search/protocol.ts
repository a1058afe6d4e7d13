import type { FacetFilters, FacetName, SearchDocument, SearchHit } from './types.ts'

/** Messages between the search index and its worker threads. */
export type WorkerRequest =
  | { type: 'load', shard: number, file: string }
  /** Part of a shard's next change, sent ahead in small pieces so no single message stalls the sender. */
  | { type: 'stage', shard: number, upserts: SearchDocument[] }
  | { type: 'apply', shard: number, file: string, upserts: SearchDocument[], removes: string[] }
  | { type: 'query', shards: number[], q: string, filters: FacetFilters, limit: number, includeLocal: boolean }
  /** `q` again, so the worker can tell which words of each page matched. */
  | { type: 'hits', q: string, items: HitRequest[] }
  /** How much of its heap the worker uses, to say what holds a large instance's memory. */
  | { type: 'memory' }

export interface LoadResult { ids: string[], versions: string[], origins: string[] }
export interface ApplyResult { size: number }
/** A ranked match, without the page's data: only the few on the shown page are fetched, in a second request. */
export interface RankedMatch { shard: number, id: string, score: number, updatedAt: string }
export type HitRequest = Omit<RankedMatch, 'updatedAt'>
export interface WorkerQueryResult {
  /** The best `limit` matches of the worker's shards, best first. */
  matches: RankedMatch[]
  total: number
  facets: Record<FacetName, Record<string, number>>
  relaxed: boolean
}
/** Null for a page that left its shard between the query and this request. */
export type HitsResult = Array<SearchHit | null>
/** A worker's V8 heap, in bytes, and how many shards it holds. */
export interface WorkerMemory { usedHeap: number, totalHeap: number, shards: number }

export type WorkerResponse =
  | { id: number, ok: true, result: unknown }
  | { id: number, ok: false, error: { name: string, message: string, reason?: string } }
