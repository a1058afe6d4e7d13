import { isClosed, workersOf, type IndexState } from './index-state.ts'
import { WorkerExitedError, type WorkerCrash } from './pool.ts'
import type { Reconciler } from './reconcile.ts'
import { shardsOnDisk } from './shard-directory.ts'
import { loadShardFile } from './startup.ts'
import type { WriteBatch } from './write-batch.ts'

/** Where start-up is, as recovery must know it. */
export interface StartProgress {
  /** Settles when start has read the shard files (or given up), so recovery does not race with it. */
  loaded: Promise<void>
  shardsLoaded: () => boolean
}

/** What the index does when the pool reports a crashed worker: reload its shards into the replacement, or give it up. */
export function createRecovery (index: IndexState, batch: WriteBatch, reconciler: Reconciler, start: StartProgress) {
  function onWorkerCrash ({ worker, error, incarnation, restarted, crashes }: WorkerCrash): void {
    if (isClosed(index)) return
    if (!restarted) {
      index.recovering.delete(worker)
      index.stopped.add(worker)
      index.log.error({ err: error, worker, crashes }, `search worker ${worker} crashed ${crashes} times within a minute and is not restarted again; search answers 503 until the server restarts`)
      index.events.emit('worker.stopped', { worker, crashes })
      // Changes waiting for its shards can never be built now (the sources keep the pages).
      batch.flushUnlessHeld()
      return
    }
    index.log.error({ err: error, worker }, `search worker ${worker} crashed; a new one loads its shards again`)
    index.recovering.set(worker, incarnation)
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
    await start.loaded
    const current = (): boolean => start.shardsLoaded() && !isClosed(index) && index.recovering.get(worker) === incarnation
    if (!current()) return
    try {
      const onDisk = await shardsOnDisk(index.dir)
      // A shard never built yet has all its documents waiting in `pending`.
      const shards = [...new Set([...onDisk, ...index.liveShards])].filter(shard => workersOf(index).workerOf(shard) === worker)
      const unusable: number[] = []
      await Promise.all(shards.map(async shard => {
        if (!onDisk.includes(shard)) {
          // Deleted under us: unlike at start, its documents are still in `known`.
          index.counters.discardedShards++
          index.log.warn({ shard, reason: 'missing' }, 'search shard unusable; rebuilding it from the pages')
          unusable.push(shard)
        } else if (await loadShardFile(index, shard, incarnation) === null) {
          unusable.push(shard)
        }
      }))
      for (const shard of unusable) {
        if (!current()) return
        await reconciler.restageFromSources(shard)
      }
    } catch (error) {
      // A later crash started its own recovery (or stopped the worker); closing ends all of them.
      if (error instanceof WorkerExitedError || !current()) return
      // As when a rebuild fails: the sources keep the pages, and the next start compares.
      index.log.error({ err: error, worker }, `search worker ${worker} could not get all its shards back`)
    }
    if (!current()) return
    index.recovering.delete(worker)
    index.log.info({ worker }, `search worker ${worker} holds its shards again`)
    index.events.emit('worker.recovered', { worker })
    batch.flushUnlessHeld()
  }

  return { onWorkerCrash }
}
