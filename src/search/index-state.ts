import type { LRUCache } from 'lru-cache'
import type { EventBus } from '../events/index.ts'
import type { WorkerPool } from './pool.ts'
import type { QueryAnswer, SearchDocument, SearchState, SearchStatus } from './types.ts'

/**
 * Where the index gets every document from when it starts (to notice what changed
 * while it was not listening) and when a shard must be rebuilt. The wiki is one source;
 * federation adds one for remote pages.
 */
export interface DocumentSource {
  name: string
  /** True for the origins this source is the truth for: their documents that it no longer lists are removed. */
  covers: (origin: string) => boolean
  /** The id and version of every live document; cheap, read at every start. */
  versions: () => AsyncIterable<{ id: string, version: string }>
  /** Full documents for these ids; ids that are gone are skipped. */
  documents: (ids: string[]) => AsyncIterable<SearchDocument>
}

export interface SearchLog {
  info: (details: object, message: string) => void
  warn: (details: object, message: string) => void
  error: (details: object, message: string) => void
}

export interface IndexUpdatedEvent { shard: number, upserted: string[], removed: string[], generation: number }

export interface SearchEvents extends Record<string, unknown> {
  /** A shard was rebuilt: queries from now on see these changes. */
  'index.updated': IndexUpdatedEvent
  'index.ready': SearchStatus
  /** A crashed worker's replacement holds all of that worker's shards again. */
  'worker.recovered': { worker: number }
  /** A worker crashed too often and stays stopped. */
  'worker.stopped': { worker: number, crashes: number }
}

export interface ShardChanges { upserts: Map<string, SearchDocument>, removes: Set<string> }
export interface Known { shard: number, version: string, origin: string }

/**
 * What the parts of the search index share. This side keeps only which document is in
 * which shard, the changes waiting to be built, and which workers can answer.
 */
export interface IndexState {
  /** Shard files live here: `DATA_DIR/search`. */
  readonly dir: string
  readonly sources: DocumentSource[]
  /** Most documents in one shard. */
  readonly shardSize: number
  readonly log: SearchLog
  readonly events: EventBus<SearchEvents>
  readonly cache: LRUCache<string, QueryAnswer>
  readonly known: Map<string, Known>
  readonly shardSizes: Map<number, number>
  readonly liveShards: Set<number>
  readonly pending: Map<number, ShardChanges>
  /**
   * Workers whose replacement has not yet loaded the crashed worker's shards, each with
   * the replacement's incarnation: a later crash supersedes an earlier recovery.
   */
  readonly recovering: Map<number, number>
  /** Workers the pool gave up on: their shards cannot be searched or rebuilt until a restart. */
  readonly stopped: Set<number>
  readonly counters: { loadedShards: number, builtShards: number, discardedShards: number, generation: number }
  state: SearchState
  pool: WorkerPool | null
}

export function workersOf (index: IndexState): WorkerPool {
  if (index.pool === null) throw new Error('the search index is not started')
  return index.pool
}

// A function, so TypeScript does not assume the state cannot change across an await.
export function isClosed (index: IndexState): boolean {
  return index.state === 'closed'
}

/** The changes waiting for a shard, made empty when there are none yet. */
export function changesOf (index: IndexState, shard: number): ShardChanges {
  let changes = index.pending.get(shard)
  if (changes === undefined) {
    changes = { upserts: new Map(), removes: new Set() }
    index.pending.set(shard, changes)
  }
  return changes
}
