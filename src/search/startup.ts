import { mkdir, readdir, rm } from 'node:fs/promises'
import path from 'node:path'
import { isClosed, workersOf, type IndexState } from './index-state.ts'
import { WorkerError, WorkerExitedError } from './pool.ts'
import type { LoadResult } from './protocol.ts'
import { LEGACY_SHARD_FILE, shardFileName, shardsOnDisk } from './shard-directory.ts'

/** Tries to load one shard at start while its worker keeps crashing; the pool stops such a worker sooner. */
const START_LOAD_ATTEMPTS = 5

/** Loads every shard file into its worker and learns which documents each holds. */
export async function loadShards (index: IndexState): Promise<void> {
  await mkdir(index.dir, { recursive: true })
  const names = await readdir(index.dir)
  for (const name of names) {
    if (name.endsWith('.tmp')) await rm(path.join(index.dir, name), { force: true })
    if (LEGACY_SHARD_FILE.test(name)) {
      // Its pages are missing from `known`, so comparing with the sources indexes them again.
      index.counters.discardedShards++
      index.log.warn({ file: name, reason: 'old-format' }, 'search shard unusable; rebuilding it from the pages')
      await rm(path.join(index.dir, name), { force: true })
    }
  }
  await Promise.all((await shardsOnDisk(index.dir)).map(async shard => {
    const result = await loadAtStart(index, shard)
    // A discarded shard's documents are missing from `known`, so comparing with the sources brings them back.
    if (result === null) return
    result.ids.forEach((id, at) => index.known.set(id, { shard, version: result.versions[at] ?? '', origin: result.origins[at] ?? '' }))
    index.shardSizes.set(shard, result.ids.length)
    if (result.ids.length > 0) index.liveShards.add(shard)
    index.counters.loadedShards++
  }))
}

/**
 * Start must know every shard's documents before it compares with the sources, or it
 * would index them a second time elsewhere: a load that a crash cut off is sent again
 * to the replacement. A worker the pool stopped makes start fail (search answers 503).
 */
async function loadAtStart (index: IndexState, shard: number): Promise<LoadResult | null> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await loadShardFile(index, shard)
    } catch (error) {
      if (isClosed(index)) return null
      if (!(error instanceof WorkerExitedError) || index.stopped.has(error.worker) || attempt >= START_LOAD_ATTEMPTS) throw error
    }
  }
}

/**
 * Loads a shard file into its worker. A damaged, missing or old-format file is deleted
 * and null returned, so the shard is built again from the pages; a crash is thrown.
 */
export async function loadShardFile (index: IndexState, shard: number, incarnation?: number): Promise<LoadResult | null> {
  const file = path.join(index.dir, shardFileName(shard))
  try {
    const workers = workersOf(index)
    return await workers.send<LoadResult>(workers.workerOf(shard), { type: 'load', shard, file }, incarnation)
  } catch (error) {
    if (index.state === 'closed' || error instanceof WorkerExitedError) throw error
    index.counters.discardedShards++
    const reason = error instanceof WorkerError ? (error.reason ?? error.message) : String(error)
    index.log.warn({ shard, file, reason }, 'search shard unusable; rebuilding it from the pages')
    await rm(file, { force: true })
    return null
  }
}
