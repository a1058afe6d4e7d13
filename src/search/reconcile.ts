import { setImmediate as yieldToEventLoop } from 'node:timers/promises'
import { changesOf, isClosed, type IndexState } from './index-state.ts'
import type { WriteBatch } from './write-batch.ts'

/** Documents asked of a source at once. */
const DOCUMENT_BATCH = 200
const YIELD_EVERY = 200

export type Reconciler = ReturnType<typeof createReconciler>

/** Brings the index in line with its sources: at start, for a source added later, and for a shard whose file was lost. */
export function createReconciler (index: IndexState, batch: WriteBatch) {
  /** Ids changed by callers while start-up compares the index with the sources. */
  let touched: Set<string> | null = null

  /** Brings the index in line with the sources: new and changed documents in, vanished ones out. */
  async function reconcile (): Promise<void> {
    touched = new Set()
    batch.hold(true)
    try {
      const seen = new Set<string>()
      for (const source of index.sources) {
        const stale: string[] = []
        let count = 0
        for await (const { id, version } of source.versions()) {
          if (index.state === 'closed') return
          seen.add(id)
          if (!touched.has(id) && index.known.get(id)?.version !== version) stale.push(id)
          if (++count % YIELD_EVERY === 0) await yieldToEventLoop()
        }
        for (let start = 0; start < stale.length; start += DOCUMENT_BATCH) {
          for await (const document of source.documents(stale.slice(start, start + DOCUMENT_BATCH))) {
            if (index.state === 'closed') return
            if (!touched.has(document.id)) batch.stage(document)
          }
          await yieldToEventLoop()
        }
      }
      for (const [id, entry] of [...index.known]) {
        if (!seen.has(id) && !touched.has(id) && index.sources.some(source => source.covers(entry.origin))) batch.unstage(id)
      }
    } finally {
      touched = null
      batch.hold(false)
    }
  }

  /** Stages, from the sources, every document the index places in a shard whose file was lost. */
  async function restageFromSources (shard: number): Promise<void> {
    const ids = [...index.known].filter(([, entry]) => entry.shard === shard).map(([id]) => id)
    for (const source of index.sources) {
      for (let start = 0; start < ids.length; start += DOCUMENT_BATCH) {
        for await (const document of source.documents(ids.slice(start, start + DOCUMENT_BATCH))) {
          if (isClosed(index)) return
          // A change that arrived meanwhile is as new as the source or newer; a page removed meanwhile stays out.
          if (index.known.get(document.id)?.shard !== shard || index.pending.get(shard)?.upserts.has(document.id) === true) continue
          changesOf(index, shard).upserts.set(document.id, document)
        }
        await yieldToEventLoop()
      }
    }
  }

  return {
    reconcile,
    restageFromSources,
    /** A caller's change during the comparison is newer than what the source said. */
    touch (id: string): void { touched?.add(id) }
  }
}
