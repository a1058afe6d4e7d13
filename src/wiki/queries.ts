import { ObjectId } from 'mongodb'
import { snapshot, type PageSnapshot } from './events.ts'
import type { PageDocument, RevisionSummary } from './model.ts'
import type { PageStore } from './page-store.ts'

export interface RecentChange extends RevisionSummary {
  currentSlug: string
}

const RECENT_BATCHES = 20

/**
 * Distinct wiki link targets looked up per page at the most. The store checks every page
 * against every slug asked, so thousands of links held the event loop for a save; the
 * targets past this many (in slug order) show as links to create.
 */
export const MAX_LINK_LOOKUPS = 500

export type PageQueries = ReturnType<typeof createPageQueries>

/** Reads across many pages: lists, recent changes, which wiki links exist, what the search index copies. */
export function createPageQueries (store: PageStore) {
  const { pages, revisions } = store

  async function listPages (query: { limit: number, skip?: number, includeLocal?: boolean }): Promise<{ pages: PageDocument[], total: number }> {
    const filter = query.includeLocal === false ? { deletedAt: null, 'fields.visibility': { $ne: 'local' } } : { deletedAt: null }
    const [list, total] = await Promise.all([
      pages.find(filter, { sort: { title: 1 }, skip: query.skip ?? 0, limit: query.limit, projection: { source: 0, frontMatter: 0 } }).toArray(),
      pages.countDocuments(filter)
    ])
    return { pages: list, total }
  }

  /** Live pages whose front matter names this type (e.g. lessons), without their text. */
  async function pagesOfType (type: string): Promise<Array<Omit<PageDocument, 'source'>>> {
    return await pages.find({ deletedAt: null, 'fields.type': type }, { projection: { source: 0 } }).toArray()
  }

  async function allPages (): Promise<PageDocument[]> {
    return await pages.find({ deletedAt: null }, { sort: { slug: 1 } }).toArray()
  }

  /** The newest revisions; without `includeLocal`, only those of pages that are not local now. */
  async function recentChanges (limit: number, query: { includeLocal?: boolean } = {}): Promise<RecentChange[]> {
    const changes: RecentChange[] = []
    // Local pages drop out after reading, so read in bounded batches until the list is full.
    for (let batch = 0; batch < RECENT_BATCHES && changes.length < limit; batch++) {
      const list = await revisions.find({}, { sort: { createdAt: -1 }, skip: batch * limit, limit, projection: { source: 0 } }).toArray() as RevisionSummary[]
      const ids = [...new Set(list.map(revision => revision.pageId.toHexString()))].map(id => new ObjectId(id))
      const current = await pages.find({ _id: { $in: ids } }, { projection: { slug: 1, fields: 1 } }).toArray()
      const byId = new Map(current.map(page => [page._id.toHexString(), page]))
      for (const revision of list) {
        const page = byId.get(revision.pageId.toHexString())
        if (query.includeLocal === false && (page === undefined || page.fields.visibility === 'local')) continue
        if (changes.length < limit) changes.push({ ...revision, currentSlug: page?.slug ?? revision.slug })
      }
      if (list.length < limit) break
    }
    return changes
  }

  /** Which of these slugs, up to MAX_LINK_LOOKUPS, name live pages (or redirect to one), for wiki links. */
  async function existingSlugs (slugs: Iterable<string>): Promise<Set<string>> {
    const wanted: string[] = []
    for (const slug of slugs) {
      if (wanted.length === MAX_LINK_LOOKUPS) break
      wanted.push(slug)
    }
    if (wanted.length === 0) return new Set()
    const found = await pages.find(
      { deletedAt: null, $or: [{ slug: { $in: wanted } }, { formerSlugs: { $in: wanted } }] },
      { projection: { slug: 1, formerSlugs: 1 } }
    ).toArray()
    const names = new Set<string>()
    for (const page of found) {
      names.add(page.slug)
      for (const former of page.formerSlugs) names.add(former)
    }
    return new Set(wanted.filter(slug => names.has(slug)))
  }

  async function countPages (): Promise<number> {
    return await pages.countDocuments({})
  }

  /** Each live page's id and current revision: enough for a copy kept elsewhere (the search index) to see what changed. */
  async function * pageVersions (): AsyncIterable<{ id: string, version: string }> {
    const cursor = pages.find({ deletedAt: null }, { projection: { _id: 1, revisionId: 1 } })
    for await (const page of cursor) yield { id: page._id.toHexString(), version: page.revisionId.toHexString() }
  }

  /** The live pages among these ids, as their events describe them; unknown and deleted ids are skipped. */
  async function * pageSnapshots (ids: string[]): AsyncIterable<PageSnapshot> {
    const objectIds = ids.filter(id => /^[0-9a-f]{24}$/.test(id)).map(id => new ObjectId(id))
    const cursor = pages.find({ _id: { $in: objectIds }, deletedAt: null })
    for await (const page of cursor) yield snapshot(page)
  }

  return { listPages, pagesOfType, allPages, recentChanges, existingSlugs, countPages, pageVersions, pageSnapshots }
}
