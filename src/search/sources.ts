import type { RemotePageSnapshot } from '../federation/events.ts'
import type { PageSnapshot } from '../wiki/events.ts'
import { documentFromPage, documentFromRemote } from './document.ts'
import type { DocumentSource } from './search-index.ts'
import type { SearchDocument } from './types.ts'

/**
 * How the index reads a domain's documents: through that domain's public functions
 * (the wiki's pages, federation's remote pages), never through its collections.
 */
export interface SnapshotReader<Snapshot> {
  /** Each live document's id and a version that changes with every change. */
  versions: () => AsyncIterable<{ id: string, version: string }>
  /** The live documents among these ids; unknown ones are skipped. */
  snapshots: (ids: string[]) => AsyncIterable<Snapshot>
}

/** The wiki's own live pages. */
export function wikiDocumentSource (pages: SnapshotReader<PageSnapshot>): DocumentSource {
  return {
    name: 'wiki',
    covers: origin => origin === 'local',
    versions: () => pages.versions(),
    async * documents (ids: string[]): AsyncIterable<SearchDocument> {
      for await (const page of pages.snapshots(ids)) yield documentFromPage(page)
    }
  }
}

/** Pages of other organisations kept by federation; deleted ones drop out. */
export function remoteDocumentSource (pages: SnapshotReader<RemotePageSnapshot>): DocumentSource {
  return {
    name: 'remote',
    covers: origin => origin !== 'local',
    versions: () => pages.versions(),
    async * documents (ids: string[]): AsyncIterable<SearchDocument> {
      for await (const page of pages.snapshots(ids)) yield documentFromRemote(page)
    }
  }
}
