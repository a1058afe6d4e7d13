import type { Collection, Db } from 'mongodb'
import type { Visibility } from '../markdown/front-matter.ts'

/**
 * One document per page: the slugs its wiki links (or, for a page of
 * another organisation, its links to this wiki) name. `targets` is a multikey index, so
 * "what links here" is one indexed query, not a scan of every page.
 */
export interface LinkSourceDocument {
  /** `local:<page id>` or `remote:<Article id>`: stable across renames of the linking page. */
  _id: string
  kind: 'local' | 'remote'
  title: string
  /** Where this wiki shows the linking page. */
  href: string
  visibility: Visibility
  /** The host of the organisation that published a remote page; null for local pages. */
  origin: string | null
  /** The linking page's revision (or a remote page's update time): reindexing skips unchanged ones. */
  version: string
  targets: string[]
}

export interface Backlink {
  kind: 'local' | 'remote'
  title: string
  href: string
  origin: string | null
}

/** Slugs asked for at once: the embedded engine answers `$in` from an index up to 64 values. */
const MAX_NAMES = 64

export type LinkIndex = ReturnType<typeof createLinkIndex>

export function createLinkIndex (db: Db) {
  const links: Collection<LinkSourceDocument> = db.collection<LinkSourceDocument>('pageLinks')

  async function ensureIndexes (): Promise<void> {
    await links.createIndex({ targets: 1 }, { name: 'link_targets' })
  }

  /**
   * Stores what a page links to now; pages that link nowhere are kept too, so a restart need not
   * read them again. Without waiting for the journal: the index is rebuilt from the pages, and a
   * start reads again every page whose entry a crash lost or left behind (reconcileLinks).
   */
  async function record (source: LinkSourceDocument): Promise<void> {
    await links.replaceOne({ _id: source._id }, source, { upsert: true, writeConcern: { journal: false } })
  }

  async function remove (key: string): Promise<void> {
    await links.deleteOne({ _id: key })
  }

  /**
   * The pages linking to any of these names (a page's slug and the slugs it had before
   * renames, which still lead to it), by title; `self` is left out, and local pages unless
   * the reader may see them.
   */
  async function linksTo (names: string[], query: { self: string, includeLocal: boolean, limit: number }): Promise<{ backlinks: Backlink[], more: boolean }> {
    const filter: Record<string, unknown> = { targets: { $in: names.slice(0, MAX_NAMES) }, _id: { $ne: query.self } }
    if (!query.includeLocal) filter.visibility = { $ne: 'local' }
    const found = await links.find(filter, { sort: { title: 1, _id: 1 }, limit: query.limit + 1, projection: { targets: 0 } }).toArray()
    return {
      backlinks: found.slice(0, query.limit).map(source => ({ kind: source.kind, title: source.title, href: source.href, origin: source.origin })),
      more: found.length > query.limit
    }
  }

  /** Every indexed source's key and version, for the reindex at start. */
  async function * versions (): AsyncIterable<{ key: string, version: string }> {
    for await (const source of links.find({}, { projection: { _id: 1, version: 1 } })) yield { key: source._id, version: source.version }
  }

  return { ensureIndexes, record, remove, linksTo, versions }
}
