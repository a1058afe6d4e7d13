import os from 'node:os'
import type { Worker } from 'node:worker_threads'
import { LRUCache } from 'lru-cache'
import { EventBus } from '../events/index.ts'
import { SearchNotReadyError } from './errors.ts'
import { isClosed, workersOf, type DocumentSource, type IndexState, type SearchEvents, type SearchLog } from './index-state.ts'
import { WorkerExitedError, WorkerPool } from './pool.ts'
import type { WorkerMemory } from './protocol.ts'
import { answerFromWorkers } from './query-fanout.ts'
import { createReconciler } from './reconcile.ts'
import { createRecovery } from './recovery.ts'
import { loadShards } from './startup.ts'
import type { QueryAnswer, QueryRequest, SearchDocument, SearchStatus } from './types.ts'
import { createWriteBatch } from './write-batch.ts'
export type { DocumentSource, IndexUpdatedEvent, SearchEvents, SearchLog } from './index-state.ts'
export { removeShardFiles, shardFileName } from './shard-directory.ts'
export type { SearchState, SearchStatus } from './types.ts'

export interface SearchIndexOptions {
  /** Shard files live here: `DATA_DIR/search`. */
  dir: string
  sources?: DocumentSource[]
  /** Worker threads; default: one per CPU, at most four. */
  workers?: number
  /** Most documents in one shard; rebuilding a shard costs time in proportion to it. */
  shardSize?: number
  /** How long changes are collected before the touched shards are rebuilt. */
  debounceMs?: number
  cacheSize?: number
  log?: SearchLog
}

const DEFAULT_SHARD_SIZE = 500
const DEFAULT_DEBOUNCE_MS = 100

const silentLog: SearchLog = { info: () => {}, warn: () => {}, error: () => {} }

export type SearchIndex = ReturnType<typeof createSearchIndex>

/**
 * Full-text search over shards that live in worker threads. This side keeps only which
 * document is in which shard; changes are batched per shard, and only touched shards are
 * rebuilt. Results of the shards are merged by score.
 */
export function createSearchIndex (options: SearchIndexOptions) {
  const log = options.log ?? silentLog
  const workerCount = options.workers ?? Math.max(1, Math.min(4, os.availableParallelism()))
  const index: IndexState = {
    dir: options.dir,
    sources: [...(options.sources ?? [])],
    shardSize: options.shardSize ?? DEFAULT_SHARD_SIZE,
    log,
    events: new EventBus<SearchEvents>({ onError: (error) => { log.error({ err: error }, 'search event subscriber failed') } }),
    cache: new LRUCache<string, QueryAnswer>({ max: options.cacheSize ?? 500 }),
    known: new Map(),
    shardSizes: new Map(),
    liveShards: new Set(),
    pending: new Map(),
    recovering: new Map(),
    stopped: new Set(),
    counters: { loadedShards: 0, builtShards: 0, discardedShards: 0, generation: 0 },
    state: 'loading',
    pool: null
  }
  const batch = createWriteBatch(index, options.debounceMs ?? DEFAULT_DEBOUNCE_MS)
  const reconciler = createReconciler(index, batch)
  /** Changes that arrived before the shards were loaded, replayed once they are. */
  const early: Array<{ upsert: SearchDocument } | { remove: string }> = []
  let shardsLoaded = false
  let markLoaded = (): void => {}
  const loaded = new Promise<void>(resolve => { markLoaded = resolve })
  const recovery = createRecovery(index, batch, reconciler, { loaded, shardsLoaded: () => shardsLoaded })

  function status (): SearchStatus {
    let waiting = early.length
    for (const changes of index.pending.values()) waiting += changes.upserts.size + changes.removes.size
    return { state: index.state, documents: index.known.size, shards: index.liveShards.size, pending: waiting, ...index.counters, recoveringWorkers: [...index.recovering.keys()], stoppedWorkers: [...index.stopped] }
  }

  async function start (): Promise<void> {
    index.pool = new WorkerPool({ size: workerCount, onCrash: recovery.onWorkerCrash })
    const began = Date.now()
    try {
      await loadShards(index)
    } finally {
      markLoaded()
    }
    shardsLoaded = true
    if (isClosed(index)) return
    for (const change of early.splice(0)) {
      if ('upsert' in change) batch.stage(change.upsert)
      else batch.unstage(change.remove)
    }
    await reconciler.reconcile()
    if (isClosed(index)) return
    batch.flush()
    // Ready means every page is findable: wait for the shards that had to be built.
    await batch.drained()
    if (isClosed(index)) return
    index.state = 'ready'
    log.info({ ...status(), milliseconds: Date.now() - began }, 'search index ready')
    index.events.emit('index.ready', status())
    batch.checkSettled()
  }

  /** Comparisons for sources added after start; close waits for them, as it waits for start. */
  const lateReconciles = new Set<Promise<void>>()
  const ready = start().catch(error => {
    log.error({ err: error }, 'the search index could not start')
    throw error
  })
  // A failed start is reported through `ready`; it must not crash the process on its own.
  ready.catch(() => {})

  return {
    events: index.events,
    /** Resolves when the index has loaded, caught up with the sources and can answer queries. */
    ready,
    status,

    upsert (document: SearchDocument): void {
      assertDocument(document)
      if (index.state === 'closed') return
      reconciler.touch(document.id)
      if (!shardsLoaded) early.push({ upsert: document })
      else batch.stage(document)
    },

    remove (id: string): void {
      if (index.state === 'closed') return
      reconciler.touch(id)
      if (!shardsLoaded) early.push({ remove: id })
      else batch.unstage(id)
    },

    /** Resolves once every change made so far is searchable. */
    settled: batch.settled,

    /** Lets a source that appears after start (federation) be read, and compared with the index. */
    async addSource (source: DocumentSource): Promise<void> {
      index.sources.push(source)
      await ready
      if (isClosed(index)) return
      const reconciling = reconciler.reconcile()
      lateReconciles.add(reconciling)
      try {
        await reconciling
      } finally {
        lateReconciles.delete(reconciling)
      }
      batch.flush()
    },

    /**
     * Fails fast with SearchNotReadyError (HTTP 503 with Retry-After) while a worker is
     * recovering or stopped, rather than waiting: reloading shards can take seconds, a
     * stopped worker never comes back, and a held request would only keep a connection.
     */
    async query (request: QueryRequest): Promise<QueryAnswer> {
      if (index.state !== 'ready' || index.recovering.size > 0 || index.stopped.size > 0) throw new SearchNotReadyError(status())
      try {
        return await answerFromWorkers(index, request)
      } catch (error) {
        // A worker that died while answering: the same answer as during its recovery.
        if (error instanceof WorkerExitedError) throw new SearchNotReadyError(status())
        throw error
      }
    },

    /** Each worker's heap: the loaded shards are most of it. Null for a worker that cannot answer now. */
    async memory (): Promise<Array<WorkerMemory | null>> {
      const pool = index.pool
      if (pool === null) return []
      return await Promise.all(Array.from({ length: pool.size }, async (_, worker) => await pool.send<WorkerMemory>(worker, { type: 'memory' }).catch(() => null)))
    },

    /** For tests that kill a worker's thread, to see the index recover from a real crash. */
    workerThreadForTests (worker: number): Worker {
      return workersOf(index).threadForTests(worker)
    },

    async close (): Promise<void> {
      if (index.state === 'closed') return
      // Changes not yet built are not lost: the sources have them, and the next start compares.
      index.state = 'closed'
      batch.close()
      // Start and late comparisons stop at their next step; until they have, they may still read
      // the sources, so the store must stay open (a command that closes at once, like a refused
      // `npm run follow`, would otherwise see them fail against a closed store).
      await Promise.allSettled([ready, ...lateReconciles])
      await index.pool?.close()
    }
  }
}

/** Documents also come from federation; a malformed one is a programming error caught here, not in a worker. */
function assertDocument (document: SearchDocument): void {
  const strings: Array<keyof SearchDocument> = ['id', 'url', 'title', 'summary', 'body', 'language', 'origin', 'visibility', 'updatedAt', 'version']
  for (const key of strings) {
    if (typeof document[key] !== 'string') throw new TypeError(`search document field ${key} must be a string`)
  }
  if (document.id === '') throw new TypeError('search document id must not be empty')
  if (!Array.isArray(document.tags) || document.tags.some(tag => typeof tag !== 'string')) throw new TypeError('search document tags must be a list of strings')
}
