import path from 'node:path'
import { setImmediate as yieldToEventLoop } from 'node:timers/promises'
import { changesOf, workersOf, type IndexState, type ShardChanges } from './index-state.ts'
import { WorkerExitedError } from './pool.ts'
import type { ApplyResult } from './protocol.ts'
import { shardFileName } from './shard-directory.ts'
import type { SearchDocument } from './types.ts'

/** Documents per message to a worker: cloning a whole shard's pages at once stalls the event loop. */
const STAGE_CHUNK = 25

export type WriteBatch = ReturnType<typeof createWriteBatch>

/**
 * Collects changes per shard for `debounceMs`, then has the workers rebuild only the
 * touched shards, one build per shard at a time.
 */
export function createWriteBatch (index: IndexState, debounceMs: number) {
  const inFlight = new Set<number>()
  let holdFlush = false
  let timer: NodeJS.Timeout | null = null
  let settledWaiters: Array<() => void> = []
  let drainWaiters: Array<() => void> = []

  /** The lowest shard with room, so shards fill up before a new one starts. */
  function assignShard (): number {
    for (let shard = 0; ; shard++) {
      const size = index.shardSizes.get(shard) ?? 0
      if (size < index.shardSize) return shard
    }
  }

  function stage (document: SearchDocument): void {
    const current = index.known.get(document.id)
    const shard = current?.shard ?? assignShard()
    if (current === undefined) index.shardSizes.set(shard, (index.shardSizes.get(shard) ?? 0) + 1)
    index.known.set(document.id, { shard, version: document.version, origin: document.origin })
    const changes = changesOf(index, shard)
    changes.removes.delete(document.id)
    changes.upserts.set(document.id, document)
    // A full batch for one shard will not grow any more: build it now and keep memory flat.
    if (changes.upserts.size >= index.shardSize && !inFlight.has(shard)) flushShard(shard)
    else schedule()
  }

  function unstage (id: string): void {
    const current = index.known.get(id)
    if (current === undefined) return
    index.known.delete(id)
    index.shardSizes.set(current.shard, (index.shardSizes.get(current.shard) ?? 1) - 1)
    const changes = changesOf(index, current.shard)
    changes.upserts.delete(id)
    changes.removes.add(id)
    schedule()
  }

  function schedule (): void {
    if (timer !== null || holdFlush || index.state === 'closed') return
    timer = setTimeout(() => { timer = null; flush() }, debounceMs)
  }

  function flush (): void {
    stopTimer()
    for (const shard of [...index.pending.keys()]) {
      if (!inFlight.has(shard)) flushShard(shard)
    }
    checkSettled()
  }

  function stopTimer (): void {
    if (timer !== null) { clearTimeout(timer); timer = null }
  }

  function flushShard (shard: number): void {
    const worker = workersOf(index).workerOf(shard)
    // A replacement worker does not hold the shard yet: building now would start it from
    // nothing and lose every page not in this batch. The changes wait for the recovery.
    if (index.recovering.has(worker)) return
    const changes = index.pending.get(shard)
    if (changes === undefined) return
    index.pending.delete(shard)
    // Nobody can build it; the sources still have the pages, and the next start compares.
    if (index.stopped.has(worker)) return
    inFlight.add(shard)
    void applyToShard(shard, changes).finally(() => {
      inFlight.delete(shard)
      if (index.pending.has(shard)) {
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
      const workers = workersOf(index)
      const worker = workers.workerOf(shard)
      const incarnation = workers.incarnationOf(worker)
      const upserts = [...changes.upserts.values()]
      let start = 0
      for (; upserts.length - start > STAGE_CHUNK; start += STAGE_CHUNK) {
        // Messages to one worker arrive in order, so `apply` finds all of these staged;
        // a worker that cannot take them fails the `apply` too, which is where it is reported.
        workers.send(worker, { type: 'stage', shard, upserts: upserts.slice(start, start + STAGE_CHUNK) }, incarnation).catch(() => {})
        await yieldToEventLoop()
      }
      const result = await workers.send<ApplyResult>(worker, {
        type: 'apply', shard, file: path.join(index.dir, shardFileName(shard)), upserts: upserts.slice(start), removes: removed
      }, incarnation)
      if (result.size > 0) index.liveShards.add(shard)
      else index.liveShards.delete(shard)
      index.counters.builtShards++
      index.counters.generation++
      index.cache.clear()
      index.events.emit('index.updated', { shard, upserted, removed, generation: index.counters.generation })
    } catch (error) {
      if (index.state === 'closed') return
      // The crash is reported once, by the pool; the replacement builds these changes.
      if (error instanceof WorkerExitedError) return requeue(shard, changes)
      // The worker keeps its previous index; the sources still have the pages, so the
      // next start (or reindex) brings them in. Nothing is lost for good.
      index.log.error({ err: error, shard }, 'rebuilding a search shard failed')
    }
  }

  /** Puts back changes a crashed worker never built, under any made since: the newer word on a page wins. */
  function requeue (shard: number, changes: ShardChanges): void {
    const newer = index.pending.get(shard)
    const decided = (id: string): boolean => newer !== undefined && (newer.upserts.has(id) || newer.removes.has(id))
    const merged = changesOf(index, shard)
    for (const [id, document] of changes.upserts) if (!decided(id)) merged.upserts.set(id, document)
    for (const id of changes.removes) if (!decided(id)) merged.removes.add(id)
  }

  /** Builds what waited for a worker; while start compares with the sources, it builds everything at the end. */
  function flushUnlessHeld (): void {
    if (holdFlush) checkSettled()
    else flush()
  }

  function drained (): boolean {
    return index.state === 'closed' || (index.pending.size === 0 && inFlight.size === 0 && timer === null)
  }

  /** Settled: every change is built and every worker can answer for its shards. */
  function idle (): boolean {
    return drained() && index.state !== 'loading' && (index.state === 'closed' || index.recovering.size === 0)
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

  return {
    stage,
    unstage,
    flush,
    flushUnlessHeld,
    checkSettled,
    idle,
    /** While held, changes collect and nothing is built: start compares with the sources first. */
    hold (held: boolean): void { holdFlush = held },
    /** Resolves when no change waits or is being built. */
    async drained (): Promise<void> {
      if (!drained()) await new Promise<void>(resolve => { drainWaiters.push(resolve) })
    },
    /** Resolves once every change made so far is searchable. */
    async settled (): Promise<void> {
      if (idle()) return
      await new Promise<void>(resolve => { settledWaiters.push(resolve) })
    },
    /** Changes not yet built are not lost on close: the sources have them, and the next start compares. */
    close (): void {
      stopTimer()
      checkSettled()
    }
  }
}
