import { ObjectId, type Collection, type Db } from 'mongodb'
import { PageDeletedError, PageNotFoundError } from './errors.ts'
import type { PageDocument, RevisionDocument } from './model.ts'
import { slugProblem } from '../markdown/slug.ts'

export type Resolution =
  | { kind: 'page', page: PageDocument }
  | { kind: 'moved', slug: string }
  | { kind: 'deleted', page: PageDocument }
  | { kind: 'missing' }

export type PageStore = ReturnType<typeof createPageStore>

/** The wiki's two collections and the reads that saving, history and review all start from. */
export function createPageStore (db: Db) {
  const pages: Collection<PageDocument> = db.collection<PageDocument>('pages')
  const revisions: Collection<RevisionDocument> = db.collection<RevisionDocument>('revisions')

  async function ensureIndexes (): Promise<void> {
    await pages.createIndex({ slug: 1 }, { unique: true, name: 'slug_unique' })
    await pages.createIndex({ formerSlugs: 1 }, { name: 'former_slugs' })
    await pages.createIndex({ updatedAt: -1 }, { name: 'updated' })
    await pages.createIndex({ 'review.requestedAt': 1 }, { name: 'review_waiting' })
    await revisions.createIndex({ pageId: 1, createdAt: -1 }, { name: 'page_history' })
    await revisions.createIndex({ createdAt: -1 }, { name: 'recent' })
  }

  async function resolve (slug: string): Promise<Resolution> {
    if (slugProblem(slug) !== null) return { kind: 'missing' }
    const page = await pages.findOne({ slug })
    if (page !== null) return page.deletedAt === null ? { kind: 'page', page } : { kind: 'deleted', page }
    const moved = await pages.findOne({ formerSlugs: slug, deletedAt: null }, { projection: { slug: 1 } })
    if (moved !== null) return { kind: 'moved', slug: moved.slug }
    return { kind: 'missing' }
  }

  /** The live page at exactly this slug, or the matching domain error. */
  async function requirePage (slug: string): Promise<PageDocument> {
    const page = slugProblem(slug) === null ? await pages.findOne({ slug }) : null
    if (page === null) throw new PageNotFoundError(slug)
    if (page.deletedAt !== null) throw new PageDeletedError(page)
    return page
  }

  /** The page at this slug, deleted or not: history stays readable after a delete. */
  async function requireAnyPage (slug: string): Promise<PageDocument> {
    const page = slugProblem(slug) === null ? await pages.findOne({ slug }) : null
    if (page === null) throw new PageNotFoundError(slug)
    return page
  }

  /** A page by its id, deleted or not; null for an id that names none. */
  async function pageById (id: string): Promise<PageDocument | null> {
    if (!/^[0-9a-f]{24}$/.test(id)) return null
    return await pages.findOne({ _id: new ObjectId(id) })
  }

  async function isTaken (slug: string): Promise<boolean> {
    return (await pages.countDocuments({ slug }, { limit: 1 })) > 0
  }

  async function currentRevision (page: PageDocument): Promise<RevisionDocument> {
    const revision = await revisions.findOne({ _id: page.revisionId })
    if (revision === null) throw new Error(`page ${page.slug} points at missing revision ${page.revisionId.toHexString()}`)
    return revision
  }

  return { pages, revisions, ensureIndexes, resolve, requirePage, requireAnyPage, pageById, isTaken, currentRevision }
}
