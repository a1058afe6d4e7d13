import { mkdir, readdir, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { LRUCache } from 'lru-cache'
import { EventBus } from '../events/index.ts'
import { SearchNotReadyError } from './errors.ts'
import { WorkerError, WorkerPool } from './pool.ts'
import type { ApplyResult, HitsResult, LoadResult, RankedMatch, WorkerQueryResult } from './protocol.ts'
import { compareMatches } from './shard.ts'
import { emptyFacets, FACET_NAMES, type FacetName, type Facets, type QueryAnswer, type QueryRequest, type SearchDocument, type SearchHit } from './types.ts'

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

export type SearchState = 'loading' | 'ready' | 'closed'

export interface SearchStatus {
  state: SearchState
  documents: number
  shards: number
  /** Changes waiting for their shard to be rebuilt. */
  pending: number
  /** Shards read from disk at start. */
  loadedShards: number
  /** Shards built since start. */
  builtShards: number
  /** Shard files found damaged or of an old format, and therefore rebuilt. */
  discardedShards: number
  generation: number
}

export interface IndexUpdatedEvent { shard: number, upserted: string[], removed: string[], generation: number }

export interface SearchEvents extends Record<string, unknown> {
  /** A shard was rebuilt: queries from now on see these changes. */
  'index.updated': IndexUpdatedEvent
  'index.ready': SearchStatus
}

interface ShardChanges { upserts: Map<string, SearchDocument>, removes: Set<string> }
interface Known { shard: number, version: string, origin: string }

const SHARD_FILE = /^shard-(\d{4,})\.bin$/
/** Shard files of format 1, which held whole pages as JSON; they are replaced at start. */
const LEGACY_SHARD_FILE = /^shard-(\d{4,})\.json$/
const DEFAULT_SHARD_SIZE = 500
const DEFAULT_DEBOUNCE_MS = 100
const DOCUMENT_BATCH = 200
const YIELD_EVERY = 200
/** Documents per message to a worker: cloning a whole shard's pages at once stalls the event loop. */
const STAGE_CHUNK = 25

export function shardFileName (shard: number): string {
  return `shard-${String(shard).padStart(4, '0')}.bin`
}

/** Deletes every shard file, so the next start builds the index from the sources. */
export async function removeShardFiles (dir: string): Promise<number> {
  let names: string[]
  try {
    names = await readdir(dir)
  } catch {
    return 0
  }
  const files = names.filter(name => SHARD_FILE.test(name) || LEGACY_SHARD_FILE.test(name) || name.endsWith('.tmp'))
  for (const name of files) await rm(path.join(dir, name), { force: true })
  return files.length
}

const silentLog: SearchLog = { info: () => {}, warn: () => {}, error: () => {} }
const yieldToEventLoop = async (): Promise<void> => { await new Promise(resolve => setImmediate(resolve)) }

export type SearchIndex = ReturnType<typeof createSearchIndex>

/**
 * Full-text search over shards that live in worker threads. This side keeps only which
 * document is in which shard; changes are batched per shard, and only touched shards are
 * rebuilt. Results of the shards are merged by score.
 */
export function createSearchIndex (options: SearchIndexOptions) {
  const sources = [...(options.sources ?? [])]
  const shardSize = options.shardSize ?? DEFAULT_SHARD_SIZE
  const debounceMs = options.debounceMs ?? DEFAULT_DEBOUNCE_MS
  const log = options.log ?? silentLog
  const workerCount = options.workers ?? Math.max(1, Math.min(4, os.availableParallelism()))
  const events = new EventBus<SearchEvents>({ onError: (error) => { log.error({ err: error }, 'search event subscriber failed') } })
  const cache = new LRUCache<string, QueryAnswer>({ max: options.cacheSize ?? 500 })

  const known = new Map<string, Known>()
  const shardSizes = new Map<number, number>()
  const liveShards = new Set<number>()
  const pending = new Map<number, ShardChanges>()
  const inFlight = new Set<number>()
  /** Changes that arrived before the shards were loaded, replayed once they are. */
  const early: Array<{ upsert: SearchDocument } | { remove: string }> = []
  /** Ids changed by callers while start-up compares the index with the sources. */
  let touched: Set<string> | null = null
  let shardsLoaded = false
  let holdFlush = false
  let timer: NodeJS.Timeout | null = null
  let settledWaiters: Array<() => void> = []
  let drainWaiters: Array<() => void> = []
  const counters = { loadedShards: 0, builtShards: 0, discardedShards: 0, generation: 0 }
  let state: SearchState = 'loading'
  let pool: WorkerPool | null = null
  // A function, so TypeScript does not assume the state cannot change across an await.
  const isClosed = (): boolean => state === 'closed'

  function status (): SearchStatus {
    let waiting = early.length
    for (const changes of pending.values()) waiting += changes.upserts.size + changes.removes.size
    return { state, documents: known.size, shards: liveShards.size, pending: waiting, ...counters }
  }

  function workers (): WorkerPool {
    if (pool === null) throw new Error('the search index is not started')
    return pool
  }

  function changesOf (shard: number): ShardChanges {
    let changes = pending.get(shard)
    if (changes === undefined) {
      changes = { upserts: new Map(), removes: new Set() }
      pending.set(shard, changes)
    }
    return changes
  }

  /** The lowest shard with room, so shards fill up before a new one starts. */
  function assignShard (): number {
    for (let shard = 0; ; shard++) {
      const size = shardSizes.get(shard) ?? 0
      if (size < shardSize) return shard
    }
  }

  function stage (document: SearchDocument): void {
    const current = known.get(document.id)
    const shard = current?.shard ?? assignShard()
    if (current === undefined) shardSizes.set(shard, (shardSizes.get(shard) ?? 0) + 1)
    known.set(document.id, { shard, version: document.version, origin: document.origin })
    const changes = changesOf(shard)
    changes.removes.delete(document.id)
    changes.upserts.set(document.id, document)
    // A full batch for one shard will not grow any more: build it now and keep memory flat.
    if (changes.upserts.size >= shardSize && !inFlight.has(shard)) flushShard(shard)
    else schedule()
  }

  function unstage (id: string): void {
    const current = known.get(id)
    if (current === undefined) return
    known.delete(id)
    shardSizes.set(current.shard, (shardSizes.get(current.shard) ?? 1) - 1)
    const changes = changesOf(current.shard)
    changes.upserts.delete(id)
    changes.removes.add(id)
    schedule()
  }

  function schedule (): void {
    if (timer !== null || holdFlush || state === 'closed') return
    timer = setTimeout(() => { timer = null; flush() }, debounceMs)
  }

  function flush (): void {
    if (timer !== null) { clearTimeout(timer); timer = null }
    for (const shard of [...pending.keys()]) {
      if (!inFlight.has(shard)) flushShard(shard)
    }
    checkSettled()
  }

  function flushShard (shard: number): void {
    const changes = pending.get(shard)
    if (changes === undefined) return
    pending.delete(shard)
    inFlight.add(shard)
    void applyToShard(shard, changes).finally(() => {
      inFlight.delete(shard)
      if (pending.has(shard)) {
        if (holdFlush) return checkSettled()
        flushShard(shard)
      }
      checkSettled()
    })
  }

  async function applyToShard (shard: number, changes: ShardChanges): Promise<void> {
    const upserted = [...changes.upserts.keys()]
    const removed = [...changes.removes]
    try {
      const worker = workers().workerOf(shard)
      const upserts = [...changes.upserts.values()]
      let start = 0
      for (; upserts.length - start > STAGE_CHUNK; start += STAGE_CHUNK) {
        // Messages to one worker arrive in order, so `apply` finds all of these staged;
        // a worker that cannot take them fails the `apply` too, which is where it is reported.
        workers().send(worker, { type: 'stage', shard, upserts: upserts.slice(start, start + STAGE_CHUNK) }).catch(() => {})
        await yieldToEventLoop()
      }
      const result = await workers().send<ApplyResult>(worker, {
        type: 'apply', shard, file: path.join(options.dir, shardFileName(shard)), upserts: upserts.slice(start), removes: removed
      })
      if (result.size > 0) liveShards.add(shard)
      else liveShards.delete(shard)
      counters.builtShards++
      counters.generation++
      cache.clear()
      events.emit('index.updated', { shard, upserted, removed, generation: counters.generation })
    } catch (error) {
      if (state === 'closed') return
      // The worker keeps its previous index; the sources still have the pages, so the
      // next start (or reindex) brings them in. Nothing is lost for good.
      log.error({ err: error, shard }, 'rebuilding a search shard failed')
    }
  }

  function drained (): boolean {
    return state === 'closed' || (pending.size === 0 && inFlight.size === 0 && timer === null)
  }

  function idle (): boolean {
    return drained() && state !== 'loading'
  }

  function checkSettled (): void {
    if (drained()) {
      const waiters = drainWaiters
      drainWaiters = []
      for (const resolve of waiters) resolve()
    }
    if (!idle()) return
    const waiters = settledWaiters
    settledWaiters = []
    for (const resolve of waiters) resolve()
  }

  async function loadShards (): Promise<void> {
    await mkdir(options.dir, { recursive: true })
    const names = await readdir(options.dir)
    for (const name of names) {
      if (name.endsWith('.tmp')) await rm(path.join(options.dir, name), { force: true })
      if (LEGACY_SHARD_FILE.test(name)) {
        // Its pages are missing from `known`, so comparing with the sources indexes them again.
        counters.discardedShards++
        log.warn({ file: name, reason: 'old-format' }, 'search shard unusable; rebuilding it from the pages')
        await rm(path.join(options.dir, name), { force: true })
      }
    }
    const numbers = names.map(name => SHARD_FILE.exec(name)?.[1]).filter((value): value is string => value !== undefined).map(Number)
    await Promise.all(numbers.map(async shard => {
      const file = path.join(options.dir, shardFileName(shard))
      try {
        const result = await workers().send<LoadResult>(workers().workerOf(shard), { type: 'load', shard, file })
        result.ids.forEach((id, index) => known.set(id, { shard, version: result.versions[index] ?? '', origin: result.origins[index] ?? '' }))
        shardSizes.set(shard, result.ids.length)
        if (result.ids.length > 0) liveShards.add(shard)
        counters.loadedShards++
      } catch (error) {
        if (state === 'closed') return
        // Its documents are missing from `known` now, so comparing with the sources brings them back.
        counters.discardedShards++
        const reason = error instanceof WorkerError ? (error.reason ?? error.message) : String(error)
        log.warn({ shard, file, reason }, 'search shard unusable; rebuilding it from the pages')
        await rm(file, { force: true })
      }
    }))
  }

  /** Brings the index in line with the sources: new and changed documents in, vanished ones out. */
  async function reconcile (): Promise<void> {
    touched = new Set()
    holdFlush = true
    try {
      const seen = new Set<string>()
      for (const source of sources) {
        const stale: string[] = []
        let count = 0
        for await (const { id, version } of source.versions()) {
          if (state === 'closed') return
          seen.add(id)
          if (!touched.has(id) && known.get(id)?.version !== version) stale.push(id)
          if (++count % YIELD_EVERY === 0) await yieldToEventLoop()
        }
        for (let start = 0; start < stale.length; start += DOCUMENT_BATCH) {
          for await (const document of source.documents(stale.slice(start, start + DOCUMENT_BATCH))) {
            if (state === 'closed') return
            if (!touched.has(document.id)) stage(document)
          }
          await yieldToEventLoop()
        }
      }
      for (const [id, entry] of [...known]) {
        if (!seen.has(id) && !touched.has(id) && sources.some(source => source.covers(entry.origin))) unstage(id)
      }
    } finally {
      touched = null
      holdFlush = false
    }
  }

  async function start (): Promise<void> {
    pool = new WorkerPool(workerCount, error => { log.error({ err: error }, 'a search worker failed') })
    const began = Date.now()
    await loadShards()
    shardsLoaded = true
    for (const change of early.splice(0)) {
      if ('upsert' in change) stage(change.upsert)
      else unstage(change.remove)
    }
    await reconcile()
    if (isClosed()) return
    flush()
    // Ready means every page is findable: wait for the shards that had to be built.
    if (!drained()) await new Promise<void>(resolve => { drainWaiters.push(resolve) })
    if (isClosed()) return
    state = 'ready'
    log.info({ ...status(), milliseconds: Date.now() - began }, 'search index ready')
    events.emit('index.ready', status())
    checkSettled()
  }

  /** The shown page's results with snippets, from the workers that hold them. */
  async function fetchHits (q: string, matches: RankedMatch[]): Promise<SearchHit[]> {
    const byWorker = new Map<number, number[]>()
    matches.forEach((match, index) => {
      const worker = workers().workerOf(match.shard)
      byWorker.set(worker, [...(byWorker.get(worker) ?? []), index])
    })
    const hits: Array<SearchHit | null> = matches.map(() => null)
    await Promise.all([...byWorker].map(async ([worker, indexes]) => {
      const items = indexes.map(index => matches[index] as RankedMatch).map(({ shard, id, score }) => ({ shard, id, score }))
      const found = await workers().send<HitsResult>(worker, { type: 'hits', q, items })
      indexes.forEach((index, at) => { hits[index] = found[at] ?? null })
    }))
    // A page rebuilt away between the two requests is left out rather than shown empty.
    return hits.filter((hit): hit is SearchHit => hit !== null)
  }

  const ready = start().catch(error => {
    log.error({ err: error }, 'the search index could not start')
    throw error
  })
  // A failed start is reported through `ready`; it must not crash the process on its own.
  ready.catch(() => {})

  return {
    events,
    /** Resolves when the index has loaded, caught up with the sources and can answer queries. */
    ready,
    status,

    upsert (document: SearchDocument): void {
      assertDocument(document)
      if (state === 'closed') return
      touched?.add(document.id)
      if (!shardsLoaded) early.push({ upsert: document })
      else stage(document)
    },

    remove (id: string): void {
      if (state === 'closed') return
      touched?.add(id)
      if (!shardsLoaded) early.push({ remove: id })
      else unstage(id)
    },

    /** Resolves once every change made so far is searchable. */
    async settled (): Promise<void> {
      if (idle()) return
      await new Promise<void>(resolve => { settledWaiters.push(resolve) })
    },

    /** Lets a source that appears after start (federation) be read, and compared with the index. */
    async addSource (source: DocumentSource): Promise<void> {
      sources.push(source)
      await ready
      await reconcile()
      flush()
    },

    async query (request: QueryRequest): Promise<QueryAnswer> {
      if (state !== 'ready') throw new SearchNotReadyError(status())
      const includeLocal = request.includeLocal ?? false
      const key = JSON.stringify([request.q, Object.entries(request.filters).sort(), request.offset, request.limit, includeLocal])
      const cached = cache.get(key)
      if (cached !== undefined) return cached
      const generation = counters.generation
      const byWorker = new Map<number, number[]>()
      for (const shard of liveShards) {
        const worker = workers().workerOf(shard)
        byWorker.set(worker, [...(byWorker.get(worker) ?? []), shard])
      }
      const limit = request.offset + request.limit
      const answers = await Promise.all([...byWorker].map(async ([worker, shards]) =>
        await workers().send<WorkerQueryResult>(worker, { type: 'query', shards, q: request.q, filters: request.filters, limit, includeLocal })))
      const merged = mergeAnswers(answers, request)
      const answer: QueryAnswer = { hits: await fetchHits(request.q, merged.matches), total: merged.total, facets: merged.facets, relaxed: merged.relaxed }
      // A query that raced with an update must not be remembered as the new state.
      if (generation === counters.generation) cache.set(key, answer)
      return answer
    },

    async close (): Promise<void> {
      if (state === 'closed') return
      // Changes not yet built are not lost: the sources have them, and the next start compares.
      state = 'closed'
      if (timer !== null) { clearTimeout(timer); timer = null }
      checkSettled()
      await pool?.close()
    }
  }
}

function mergeAnswers (answers: WorkerQueryResult[], request: QueryRequest): Omit<QueryAnswer, 'hits'> & { matches: RankedMatch[] } {
  const matches = answers.flatMap(answer => answer.matches).sort(compareMatches)
  const facets: Facets = emptyFacets()
  for (const name of FACET_NAMES) facets[name] = mergeCounts(answers.map(answer => answer.facets[name]), name)
  return {
    matches: matches.slice(request.offset, request.offset + request.limit),
    total: answers.reduce((sum, answer) => sum + answer.total, 0),
    facets,
    relaxed: answers.some(answer => answer.relaxed)
  }
}

const FACET_LIMIT = 30

function mergeCounts (counts: Array<Record<string, number>>, name: FacetName): Facets[FacetName] {
  const total = new Map<string, number>()
  for (const part of counts) {
    for (const [value, count] of Object.entries(part)) total.set(value, (total.get(value) ?? 0) + count)
  }
  const list = [...total].map(([value, count]) => ({ value, count }))
  // Years read best in order; everything else by how many pages have it.
  if (name === 'year') list.sort((a, b) => b.value.localeCompare(a.value))
  else list.sort((a, b) => b.count - a.count || a.value.localeCompare(b.value))
  return list.slice(0, FACET_LIMIT)
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
