import { setImmediate as yieldToEventLoop } from 'node:timers/promises'
import type { LinkIndex } from './link-index.ts'

/** Documents asked of a source at once, and how often the comparison lets other work run. */
const BATCH = 200
const YIELD_EVERY = 200
/** Reading a page's links takes up to a few milliseconds: requests get their turn at least this often. */
const SLICE_MS = 20

/** Lets waiting requests run when the current stretch of work has taken SLICE_MS. */
export function createYielder (): () => Promise<void> {
  let since = performance.now()
  return async () => {
    if (performance.now() - since < SLICE_MS) return
    await yieldToEventLoop()
    since = performance.now()
  }
}

export interface LinkSourceFeed {
  /** The key prefix of this source's documents in the index (`local:`, `remote:`). */
  prefix: string
  versions: () => AsyncIterable<{ id: string, version: string }>
  /** Indexes these ids anew from their current text. */
  reindex: (ids: string[]) => Promise<void>
}

/**
 * Brings the link index in line with the pages at start (pages saved before backlinks
 * existed, or while the index missed an event): changed ones read again in bounded batches,
 * vanished ones dropped. Keys in `touched` were written by an event meanwhile and are newer.
 */
export async function reconcileLinks (index: LinkIndex, feeds: LinkSourceFeed[], control: { touched: Set<string>, stopped: () => boolean }): Promise<{ reindexed: number, removed: number }> {
  const known = new Map<string, string>()
  let count = 0
  for await (const { key, version } of index.versions()) {
    known.set(key, version)
    if (++count % YIELD_EVERY === 0) await yieldToEventLoop()
  }
  let reindexed = 0
  let removed = 0
  const seen = new Set<string>()
  for (const feed of feeds) {
    const stale: string[] = []
    for await (const { id, version } of feed.versions()) {
      if (control.stopped()) return { reindexed, removed }
      const key = feed.prefix + id
      seen.add(key)
      if (known.get(key) !== version && !control.touched.has(key)) stale.push(id)
      if (++count % YIELD_EVERY === 0) await yieldToEventLoop()
    }
    for (let start = 0; start < stale.length; start += BATCH) {
      if (control.stopped()) return { reindexed, removed }
      const ids = stale.slice(start, start + BATCH).filter(id => !control.touched.has(feed.prefix + id))
      await feed.reindex(ids)
      reindexed += ids.length
      await yieldToEventLoop()
    }
  }
  for (const key of known.keys()) {
    if (control.stopped()) break
    if (seen.has(key) || control.touched.has(key)) continue
    await index.remove(key)
    removed++
  }
  return { reindexed, removed }
}
