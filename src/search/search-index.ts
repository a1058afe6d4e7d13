import { mkdir, readdir, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { setImmediate as yieldToEventLoop } from 'node:timers/promises'
import type { Worker } from 'node:worker_threads'
import { LRUCache } from 'lru-cache'
import { EventBus } from '../events/index.ts'
import { SearchNotReadyError } from './errors.ts'
import { WorkerError, WorkerExitedError, WorkerPool, type WorkerCrash } from './pool.ts'
import type { ApplyResult, HitsResult, LoadResult, RankedMatch, WorkerQueryResult } from './protocol.ts'
import { compareMatches } from './shard.ts'
import { emptyFacets, FACET_NAMES, type FacetName, type Facets, type QueryAnswer, type QueryRequest, type SearchDocument, type SearchHit, type SearchState, type SearchStatus } from './types.ts'
export type { SearchState, SearchStatus } from './types.ts'

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
/** Tries to load one shard at start while its worker keeps crashing; the pool stops such a worker sooner. */
const START_LOAD_ATTEMPTS = 5

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
  /** Settles when start has read the shard files (or given up), so recovery does not race with it. */
  let markLoaded = (): void => {}
  const loaded = new Promise<void>(resolve => { markLoaded = resolve })
  /**
   * Workers whose replacement has not yet loaded the crashed worker's shards, each with
   * the replacement's incarnation: a later crash supersedes an earlier recovery.
   */
  const recovering = new Map<number, number>()
  /** Workers the pool gave up on: their shards cannot be searched or rebuilt until a restart. */
  const stopped = new Set<number>()
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
    return { state, documents: known.size, shards: liveShards.size, pending: waiting, ...counters, recoveringWorkers: [...recovering.keys()], stoppedWorkers: [...stopped] }
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
    const worker = workers().workerOf(shard)
    // A replacement worker does not hold the shard yet: building now would start it from
    // nothing and lose every page not in this batch. The changes wait for the recovery.
    if (recovering.has(worker)) return
    const changes = pending.get(shard)
    if (changes === undefined) return
    pending.delete(shard)
    // Nobody can build it; the sources still have the pages, and the next start compares.
    if (stopped.has(worker)) return
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
      const incarnation = workers().incarnationOf(worker)
      const upserts = [...changes.upserts.values()]
      let start = 0
      for (; upserts.length - start > STAGE_CHUNK; start += STAGE_CHUNK) {
        // Messages to one worker arrive in order, so `apply` finds all of these staged;
        // a worker that cannot take them fails the `apply` too, which is where it is reported.
        workers().send(worker, { type: 'stage', shard, upserts: upserts.slice(start, start + STAGE_CHUNK) }, incarnation).catch(() => {})
        await yieldToEventLoop()
      }
      const result = await workers().send<ApplyResult>(worker, {
        type: 'apply', shard, file: path.join(options.dir, shardFileName(shard)), upserts: upserts.slice(start), removes: removed
      }, incarnation)
      if (result.size > 0) liveShards.add(shard)
      else liveShards.delete(shard)
      counters.builtShards++
      counters.generation++
      cache.clear()
      events.emit('index.updated', { shard, upserted, removed, generation: counters.generation })
    } catch (error) {
      if (state === 'closed') return
      // The crash is reported once, by the pool; the replacement builds these changes.
      if (error instanceof WorkerExitedError) return requeue(shard, changes)
      // The worker keeps its previous index; the sources still have the pages, so the
      // next start (or reindex) brings them in. Nothing is lost for good.
      log.error({ err: error, shard }, 'rebuilding a search shard failed')
    }
  }

  /** Puts back changes a crashed worker never built, under any made since: the newer word on a page wins. */
  function requeue (shard: number, changes: ShardChanges): void {
    const newer = pending.get(shard)
    const decided = (id: string): boolean => newer !== undefined && (newer.upserts.has(id) || newer.removes.has(id))
    const merged = changesOf(shard)
    for (const [id, document] of changes.upserts) if (!decided(id)) merged.upserts.set(id, document)
    for (const id of changes.removes) if (!decided(id)) merged.removes.add(id)
  }

  function drained (): boolean {
    return state === 'closed' || (pending.size === 0 && inFlight.size === 0 && timer === null)
  }

  /** Settled: every change is built and every worker can answer for its shards. */
  function idle (): boolean {
    return drained() && state !== 'loading' && (state === 'closed' || recovering.size === 0)
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
    await Promise.all((await shardsOnDisk()).map(async shard => {
      const result = await loadAtStart(shard)
      // A discarded shard's documents are missing from `known`, so comparing with the sources brings them back.
      if (result === null) return
      result.ids.forEach((id, index) => known.set(id, { shard, version: result.versions[index] ?? '', origin: result.origins[index] ?? '' }))
      shardSizes.set(shard, result.ids.length)
      if (result.ids.length > 0) liveShards.add(shard)
      counters.loadedShards++
    }))
  }

  async function shardsOnDisk (): Promise<number[]> {
    const names = await readdir(options.dir)
    return names.map(name => SHARD_FILE.exec(name)?.[1]).filter((value): value is string => value !== undefined).map(Number)
  }

  /**
   * Start must know every shard's documents before it compares with the sources, or it
   * would index them a second time elsewhere: a load that a crash cut off is sent again
   * to the replacement. A worker the pool stopped makes start fail (search answers 503).
   */
  async function loadAtStart (shard: number): Promise<LoadResult | null> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await loadShardFile(shard)
      } catch (error) {
        if (isClosed()) return null
        if (!(error instanceof WorkerExitedError) || stopped.has(error.worker) || attempt >= START_LOAD_ATTEMPTS) throw error
      }
    }
  }

  /**
   * Loads a shard file into its worker. A damaged, missing or old-format file is deleted
   * and null returned, so the shard is built again from the pages; a crash is thrown.
   */
  async function loadShardFile (shard: number, incarnation?: number): Promise<LoadResult | null> {
    const file = path.join(options.dir, shardFileName(shard))
    try {
      return await workers().send<LoadResult>(workers().workerOf(shard), { type: 'load', shard, file }, incarnation)
    } catch (error) {
      if (state === 'closed' || error instanceof WorkerExitedError) throw error
      counters.discardedShards++
      const reason = error instanceof WorkerError ? (error.reason ?? error.message) : String(error)
      log.warn({ shard, file, reason }, 'search shard unusable; rebuilding it from the pages')
      await rm(file, { force: true })
      return null
    }
  }

  function onWorkerCrash ({ worker, error, incarnation, restarted, crashes }: WorkerCrash): void {
    if (isClosed()) return
    if (!restarted) {
      recovering.delete(worker)
      stopped.add(worker)
      log.error({ err: error, worker, crashes }, `search worker ${worker} crashed ${crashes} times within a minute and is not restarted again; search answers 503 until the server restarts`)
      events.emit('worker.stopped', { worker, crashes })
      // Changes waiting for its shards can never be built now (the sources keep the pages).
      flushUnlessHeld()
      return
    }
    log.error({ err: error, worker }, `search worker ${worker} crashed; a new one loads its shards again`)
    recovering.set(worker, incarnation)
    void recover(worker, incarnation)
  }

  /**
   * Loads a crashed worker's shards into its replacement, from the files the start-up
   * reads too: they hold exactly what the worker had, since a build is saved before it
   * is used. Changes since are waiting in `pending` and are built on top afterwards. A
   * shard whose file is missing or damaged is built again from the sources, as at start.
   */
  async function recover (worker: number, incarnation: number): Promise<void> {
    // Start loads the files itself and sends a load that a crash cut off again; after
    // that, the replacement may still lack shards loaded before the crash.
    await loaded
    const current = (): boolean => shardsLoaded && !isClosed() && recovering.get(worker) === incarnation
    if (!current()) return
    try {
      const onDisk = await shardsOnDisk()
      // A shard never built yet has all its documents waiting in `pending`.
      const shards = [...new Set([...onDisk, ...liveShards])].filter(shard => workers().workerOf(shard) === worker)
      const unusable: number[] = []
      await Promise.all(shards.map(async shard => {
        if (!onDisk.includes(shard)) {
          // Deleted under us: unlike at start, its documents are still in `known`.
          counters.discardedShards++
          log.warn({ shard, reason: 'missing' }, 'search shard unusable; rebuilding it from the pages')
          unusable.push(shard)
        } else if (await loadShardFile(shard, incarnation) === null) {
          unusable.push(shard)
        }
      }))
      for (const shard of unusable) {
        if (!current()) return
        await restageFromSources(shard)
      }
    } catch (error) {
      // A later crash started its own recovery (or stopped the worker); closing ends all of them.
      if (error instanceof WorkerExitedError || !current()) return
      // As when a rebuild fails: the sources keep the pages, and the next start compares.
      log.error({ err: error, worker }, `search worker ${worker} could not get all its shards back`)
    }
    if (!current()) return
    recovering.delete(worker)
    log.info({ worker }, `search worker ${worker} holds its shards again`)
    events.emit('worker.recovered', { worker })
    flushUnlessHeld()
  }

  /** Builds what waited for a worker; while start compares with the sources, it builds everything at the end. */
  function flushUnlessHeld (): void {
    if (holdFlush) checkSettled()
    else flush()
  }

  /** Stages, from the sources, every document the index places in a shard whose file was lost. */
  async function restageFromSources (shard: number): Promise<void> {
    const ids = [...known].filter(([, entry]) => entry.shard === shard).map(([id]) => id)
    for (const source of sources) {
      for (let start = 0; start < ids.length; start += DOCUMENT_BATCH) {
        for await (const document of source.documents(ids.slice(start, start + DOCUMENT_BATCH))) {
          if (isClosed()) return
          // A change that arrived meanwhile is as new as the source or newer; a page removed meanwhile stays out.
          if (known.get(document.id)?.shard !== shard || pending.get(shard)?.upserts.has(document.id) === true) continue
          changesOf(shard).upserts.set(document.id, document)
        }
        await yieldToEventLoop()
      }
    }
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
    pool = new WorkerPool({ size: workerCount, onCrash: onWorkerCrash })
    const began = Date.now()
    try {
      await loadShards()
    } finally {
      markLoaded()
    }
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
  async function fetchHits (q: string, matches: RankedMatch[], incarnations: number[]): Promise<SearchHit[]> {
    const byWorker = new Map<number, number[]>()
    matches.forEach((match, index) => {
      const worker = workers().workerOf(match.shard)
      byWorker.set(worker, [...(byWorker.get(worker) ?? []), index])
    })
    const hits: Array<SearchHit | null> = matches.map(() => null)
    await Promise.all([...byWorker].map(async ([worker, indexes]) => {
      const items = indexes.map(index => matches[index] as RankedMatch).map(({ shard, id, score }) => ({ shard, id, score }))
      const found = await workers().send<HitsResult>(worker, { type: 'hits', q, items }, incarnations[worker])
      indexes.forEach((index, at) => { hits[index] = found[at] ?? null })
    }))
    // A page rebuilt away between the two requests is left out rather than shown empty.
    return hits.filter((hit): hit is SearchHit => hit !== null)
  }

  /** Merges the best matches of every worker, then fetches the shown page's hits. */
  async function answerFromWorkers (request: QueryRequest): Promise<QueryAnswer> {
    const includeLocal = request.includeLocal ?? false
    const key = JSON.stringify([request.q, Object.entries(request.filters).sort(), request.offset, request.limit, includeLocal])
    const cached = cache.get(key)
    if (cached !== undefined) return cached
    const generation = counters.generation
    const incarnations = Array.from({ length: workers().size }, (_, worker) => workers().incarnationOf(worker))
    const byWorker = new Map<number, number[]>()
    for (const shard of liveShards) {
      const worker = workers().workerOf(shard)
      byWorker.set(worker, [...(byWorker.get(worker) ?? []), shard])
    }
    const limit = request.offset + request.limit
    const answers = await Promise.all([...byWorker].map(async ([worker, shards]) =>
      await workers().send<WorkerQueryResult>(worker, { type: 'query', shards, q: request.q, filters: request.filters, limit, includeLocal }, incarnations[worker])))
    const merged = mergeAnswers(answers, request)
    const answer: QueryAnswer = { hits: await fetchHits(request.q, merged.matches, incarnations), total: merged.total, facets: merged.facets, relaxed: merged.relaxed }
    // A query that raced with an update must not be remembered as the new state.
    if (generation === counters.generation) cache.set(key, answer)
    return answer
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

    /**
     * Fails fast with SearchNotReadyError (HTTP 503 with Retry-After) while a worker is
     * recovering or stopped, rather than waiting: reloading shards can take seconds, a
     * stopped worker never comes back, and a held request would only keep a connection.
     */
    async query (request: QueryRequest): Promise<QueryAnswer> {
      if (state !== 'ready' || recovering.size > 0 || stopped.size > 0) throw new SearchNotReadyError(status())
      try {
        return await answerFromWorkers(request)
      } catch (error) {
        // A worker that died while answering: the same answer as during its recovery.
        if (error instanceof WorkerExitedError) throw new SearchNotReadyError(status())
        throw error
      }
    },

    /** For tests that kill a worker's thread, to see the index recover from a real crash. */
    workerThreadForTests (worker: number): Worker {
      return workers().threadForTests(worker)
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
