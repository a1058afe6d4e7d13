import { setImmediate as yieldToEventLoop } from 'node:timers/promises'
import type { MediaStore, StoredMedia } from './media-store.ts'
import { STORED_NAME } from './serving.ts'

/** Files younger than this are kept: someone may have uploaded one into an editor and not saved yet. */
export const CLEANUP_GRACE_MS = 24 * 60 * 60 * 1000
const REFERENCE = /\/media\/([0-9a-f]{64})/g
const PAGE = 500

/**
 * Originals that no text refers to (every revision of every page, and the stored HTML of
 * remote pages, whose images are copies here) and that were stored before `olderThan`.
 * A reference to any size of a file keeps all its sizes.
 */
export async function unreferencedFiles (store: MediaStore, texts: () => AsyncIterable<string>, olderThan: Date): Promise<StoredMedia[]> {
  const referenced = new Set<string>()
  let read = 0
  for await (const text of texts()) {
    for (const match of text.matchAll(REFERENCE)) referenced.add(match[1] ?? '')
    // Thousands of revisions are read between other requests, not in one stretch.
    if (++read % 100 === 0) await yieldToEventLoop()
  }
  const found: StoredMedia[] = []
  let after: string | null = null
  for (let round = 0; round < 100_000; round++) {
    const batch = await store.originals(PAGE, after)
    if (batch.length === 0) break
    for (const file of batch) {
      const hash = STORED_NAME.exec(file.name)?.[1] ?? ''
      if (!referenced.has(hash) && file.uploadDate.getTime() < olderThan.getTime()) found.push(file)
    }
    after = batch[batch.length - 1]!.name
  }
  return found
}

/** Removes the files with all their display sizes; answers their names. */
export async function removeFiles (store: MediaStore, files: StoredMedia[]): Promise<string[]> {
  for (const file of files) {
    for (const variant of file.metadata.variants) await store.remove(variant.name)
    await store.remove(file.name)
  }
  return files.map(file => file.name)
}
