import { ObjectId, type Collection, type Db } from 'mongodb'
import { parseSource, withTitle, type ParsedSource } from '../markdown/front-matter.ts'
import { diffTexts, type TextDiff } from './diff.ts'
import {
  EditConflictError, InvalidSlugError, MissingTitleError, NothingToReviewError, PageDeletedError, PageNotFoundError,
  RevisionNotFoundError, SelfApprovalError
} from './errors.ts'
import type { PageSnapshot, WikiEventBus } from './events.ts'
import type { PageDocument, PendingReview, RevisionDocument, RevisionKind, RevisionSummary } from './model.ts'
import { slugForTitle, slugProblem, uniqueSlug } from '../markdown/slug.ts'
import type { PageFields, Visibility } from '../markdown/front-matter.ts'
import type { SaveCheck } from '../publishing/check.ts'

export interface WikiServiceOptions {
  db: Db
  events: WikiEventBus
  /** Language of pages whose front matter names none. */
  defaultLanguage?: string
  now?: () => Date
  /** Runs before a create, edit, revert or restore is stored (e.g. lesson fields, the publishing check); throws to refuse it. */
  checkSave?: SaveCheck
  /**
   * Four-eyes review: a save by an account that widens a page's visibility (local →
   * unlisted → public) keeps the old one until another account approves.
   */
  reviewRequired?: boolean
}

export type { SaveCheck, SaveCheckInput } from '../publishing/check.ts'

export interface SaveInput {
  source: string
  /** The revision the editor started from; null when the editor believed the page missing. */
  baseRevisionId: string | null
  message?: string
  author?: string | null
  confirmPublication?: boolean
}

export interface CreateInput {
  source: string
  /** Used when the front matter has no title. */
  title?: string
  /** An exact slug, e.g. from a "create this page" link; otherwise derived from the title. */
  slug?: string
  message?: string
  author?: string | null
  /** Used when the front matter names no language. */
  language?: string
  /** Keeps imported timestamps. */
  createdAt?: Date
  confirmPublication?: boolean
}

export type Resolution =
  | { kind: 'page', page: PageDocument }
  | { kind: 'moved', slug: string }
  | { kind: 'deleted', page: PageDocument }
  | { kind: 'missing' }

export interface SaveResult {
  page: PageDocument
  /** False when the text was identical and no revision was written. */
  changed: boolean
}

export interface RecentChange extends RevisionSummary {
  currentSlug: string
}

const VISIBILITY_REACH: Record<Visibility, number> = { local: 0, unlisted: 1, public: 2 }

const DUPLICATE_KEY = 11000
const MAX_SLUG_RETRIES = 5
const MAX_MESSAGE_LENGTH = 500
const RECENT_BATCHES = 20

export type WikiService = ReturnType<typeof createWikiService>

export function createWikiService (options: WikiServiceOptions) {
  const pages: Collection<PageDocument> = options.db.collection<PageDocument>('pages')
  const revisions: Collection<RevisionDocument> = options.db.collection<RevisionDocument>('revisions')
  const events = options.events
  const defaultLanguage = options.defaultLanguage ?? 'de'
  const now = options.now ?? (() => new Date())

  /**
   * The fields a save may store now, and the review it waits for. Saves without an
   * account (imports, scripts run by the operator) are trusted and not held back.
   */
  function gate (fields: PageFields, previous: PageDocument | null, author: string | null | undefined, revisionId: ObjectId, time: Date): { fields: PageFields, review: PendingReview | null } {
    const current: Visibility = previous === null || previous.deletedAt !== null ? 'local' : previous.fields.visibility
    if (options.reviewRequired !== true || author === null || author === undefined) return { fields, review: null }
    if (VISIBILITY_REACH[fields.visibility] <= VISIBILITY_REACH[current]) return { fields, review: null }
    return {
      fields: { ...fields, visibility: current },
      review: { requested: fields.visibility, requestedBy: author, revisionId, requestedAt: time }
    }
  }

  async function ensureIndexes (): Promise<void> {
    await pages.createIndex({ slug: 1 }, { unique: true, name: 'slug_unique' })
    await pages.createIndex({ formerSlugs: 1 }, { name: 'former_slugs' })
    await pages.createIndex({ updatedAt: -1 }, { name: 'updated' })
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

  async function isTaken (slug: string): Promise<boolean> {
    return (await pages.countDocuments({ slug }, { limit: 1 })) > 0
  }

  async function createPage (input: CreateInput): Promise<PageDocument> {
    const parsed = parseSource(input.source)
    const title = parsed.fields.title ?? input.title?.trim()
    if (title === undefined || title === '') throw new MissingTitleError()
    await options.checkSave?.({ source: input.source, parsed, previous: null, confirmPublication: input.confirmPublication ?? false })
    const language = parsed.fields.language ?? input.language ?? defaultLanguage
    if (input.slug !== undefined) {
      const problem = slugProblem(input.slug)
      if (problem !== null) throw new InvalidSlugError(input.slug, problem)
    }
    const time = input.createdAt ?? now()

    for (let attempt = 0; attempt < MAX_SLUG_RETRIES; attempt++) {
      const slug = input.slug ?? await uniqueSlug(slugForTitle(title, language), isTaken)
      const pageId = new ObjectId()
      const revision: RevisionDocument = {
        _id: new ObjectId(),
        pageId,
        parentId: null,
        kind: 'create',
        slug,
        title,
        source: input.source,
        message: cleanMessage(input.message),
        author: input.author ?? null,
        createdAt: time
      }
      const gated = gate(parsed.fields, null, input.author, revision._id, time)
      const page: PageDocument = {
        _id: pageId,
        slug,
        formerSlugs: [],
        title,
        language,
        fields: gated.fields,
        frontMatter: parsed.data,
        source: input.source,
        revisionId: revision._id,
        author: revision.author,
        createdAt: time,
        updatedAt: time,
        deletedAt: null,
        review: gated.review
      }
      // The revision goes first: a page must never point at a revision that does not exist.
      await revisions.insertOne(revision)
      try {
        await pages.insertOne(page)
      } catch (error) {
        await revisions.deleteOne({ _id: revision._id })
        if (!isDuplicateKey(error)) throw error
        if (input.slug !== undefined) {
          const existing = await pages.findOne({ slug })
          if (existing === null) continue
          if (existing.deletedAt !== null) throw new PageDeletedError(existing)
          throw new EditConflictError(slug, { page: existing, revision: await currentRevision(existing) }, input.source, null)
        }
        continue
      }
      // A new page takes its slug over from any page that used to be called that.
      await pages.updateMany({ formerSlugs: slug }, { $pull: { formerSlugs: slug } })
      events.emit('page.saved', { page: snapshot(page), kind: 'create', previousRevisionId: null })
      return page
    }
    throw new Error(`could not find a free slug for "${title}"`)
  }

  async function currentRevision (page: PageDocument): Promise<RevisionDocument> {
    const revision = await revisions.findOne({ _id: page.revisionId })
    if (revision === null) throw new Error(`page ${page.slug} points at missing revision ${page.revisionId.toHexString()}`)
    return revision
  }

  /**
   * Appends a revision and moves the page to it, only if the page is still at
   * `expected`: the conditional update makes two racing saves end in one conflict
   * instead of a lost edit.
   */
  async function commit (
    page: PageDocument,
    change: { kind: RevisionKind, source: string, parsed: ParsedSource, slug?: string, message?: string, author?: string | null, revertedFrom?: ObjectId, deletedAt?: Date | null },
    proposedForConflict: string
  ): Promise<PageDocument> {
    const time = now()
    const slug = change.slug ?? page.slug
    const title = change.parsed.fields.title ?? page.title
    const revision: RevisionDocument = {
      _id: new ObjectId(),
      pageId: page._id,
      parentId: page.revisionId,
      kind: change.kind,
      slug,
      title,
      source: change.source,
      message: cleanMessage(change.message),
      author: change.author ?? null,
      createdAt: time
    }
    if (change.revertedFrom !== undefined) revision.revertedFrom = change.revertedFrom
    await revisions.insertOne(revision)

    const gated = gate(change.parsed.fields, change.deletedAt === null ? { ...page, deletedAt: null } : page, change.author, revision._id, time)
    const set: Partial<PageDocument> = {
      slug,
      title,
      language: change.parsed.fields.language ?? page.language,
      fields: gated.fields,
      review: gated.review,
      frontMatter: change.parsed.data,
      source: change.source,
      revisionId: revision._id,
      author: revision.author,
      updatedAt: time
    }
    if (change.deletedAt !== undefined) set.deletedAt = change.deletedAt
    const update: Record<string, unknown> = { $set: set }
    if (slug !== page.slug) update.$addToSet = { formerSlugs: page.slug }

    let result
    try {
      result = await pages.findOneAndUpdate(
        { _id: page._id, revisionId: page.revisionId },
        update,
        { returnDocument: 'after' }
      )
    } catch (error) {
      await revisions.deleteOne({ _id: revision._id })
      throw error
    }
    if (result.value === null) {
      await revisions.deleteOne({ _id: revision._id })
      const latest = await pages.findOne({ _id: page._id })
      if (latest === null) throw new PageNotFoundError(page.slug)
      throw new EditConflictError(latest.slug, { page: latest, revision: await currentRevision(latest) }, proposedForConflict, page.revisionId.toHexString())
    }
    return result.value
  }

  async function savePage (slug: string, input: SaveInput): Promise<SaveResult> {
    const parsed = parseSource(input.source)
    const page = await pages.findOne({ slug })
    if (page === null && input.baseRevisionId !== null) {
      // The editor started from a page that was renamed meanwhile: a conflict, never a new page.
      const moved = await pages.findOne({ formerSlugs: slug })
      if (moved === null) throw new PageNotFoundError(slug)
      throw new EditConflictError(moved.slug, { page: moved, revision: await currentRevision(moved) }, input.source, input.baseRevisionId)
    }
    if (page === null) {
      const problem = slugProblem(slug)
      if (problem !== null) throw new InvalidSlugError(slug, problem)
      const created = await createPage({ ...input, slug, title: parsed.fields.title ?? slug })
      return { page: created, changed: true }
    }
    if (page.deletedAt !== null) throw new PageDeletedError(page)
    if (input.baseRevisionId !== page.revisionId.toHexString()) {
      throw new EditConflictError(slug, { page, revision: await currentRevision(page) }, input.source, input.baseRevisionId)
    }
    if (input.source === page.source) return { page, changed: false }
    await options.checkSave?.({ source: input.source, parsed, previous: page, confirmPublication: input.confirmPublication ?? false })
    const saved = await commit(page, { kind: 'edit', source: input.source, parsed, message: input.message, author: input.author }, input.source)
    events.emit('page.saved', { page: snapshot(saved), kind: 'edit', previousRevisionId: page.revisionId.toHexString() })
    return { page: saved, changed: true }
  }

  /** Gives the page a new title and a slug made from it; the old slug keeps redirecting. */
  async function renamePage (slug: string, input: { title: string, baseRevisionId: string, message?: string, author?: string | null }): Promise<PageDocument> {
    const page = await requirePage(slug)
    const title = input.title.trim()
    if (title === '') throw new MissingTitleError()
    const source = withTitle(page.source, title)
    if (input.baseRevisionId !== page.revisionId.toHexString()) {
      throw new EditConflictError(slug, { page, revision: await currentRevision(page) }, source, input.baseRevisionId)
    }
    const parsed = parseSource(source)
    const wanted = slugForTitle(title, page.language)
    for (let attempt = 0; attempt < MAX_SLUG_RETRIES; attempt++) {
      const newSlug = wanted === page.slug ? wanted : await uniqueSlug(wanted, isTaken)
      try {
        const saved = await commit(page, { kind: 'rename', source, parsed, slug: newSlug, message: input.message, author: input.author }, source)
        if (newSlug !== page.slug) {
          await pages.updateMany({ _id: { $ne: page._id }, formerSlugs: newSlug }, { $pull: { formerSlugs: newSlug } })
          await pages.updateOne({ _id: page._id }, { $pull: { formerSlugs: newSlug } })
        }
        events.emit('page.saved', { page: snapshot(saved), kind: 'rename', previousRevisionId: page.revisionId.toHexString(), previousSlug: page.slug })
        return saved
      } catch (error) {
        // Another page took the slug between the check and the update: try the next one.
        if (!isDuplicateKey(error)) throw error
      }
    }
    throw new Error(`could not find a free slug for "${title}"`)
  }

  async function deletePage (slug: string, input: { message?: string, author?: string | null } = {}): Promise<PageDocument> {
    const page = await requirePage(slug)
    const parsed = parseSource(page.source)
    const deleted = await commit(page, { kind: 'delete', source: page.source, parsed, message: input.message, author: input.author, deletedAt: now() }, page.source)
    events.emit('page.deleted', { id: page._id.toHexString(), slug: page.slug, revisionId: deleted.revisionId.toHexString() })
    return deleted
  }

  async function restorePage (slug: string, input: { message?: string, author?: string | null } = {}): Promise<PageDocument> {
    const page = await requireAnyPage(slug)
    if (page.deletedAt === null) return page
    const parsed = parseSource(page.source)
    // The text was published before it was deleted, so only what the rules say now can refuse it (lesson fields may have changed).
    await options.checkSave?.({ source: page.source, parsed, previous: page, confirmPublication: false })
    const restored = await commit(page, { kind: 'restore', source: page.source, parsed, message: input.message, author: input.author, deletedAt: null }, page.source)
    events.emit('page.saved', { page: snapshot(restored), kind: 'restore', previousRevisionId: page.revisionId.toHexString() })
    return restored
  }

  /** Brings back the text of an earlier revision as a new revision; history is never rewritten. */
  async function revertPage (slug: string, input: { revisionId: string, baseRevisionId: string, message?: string, author?: string | null, confirmPublication?: boolean }): Promise<PageDocument> {
    const page = await requirePage(slug)
    const target = await getRevision(slug, input.revisionId)
    if (input.baseRevisionId !== page.revisionId.toHexString()) {
      throw new EditConflictError(slug, { page, revision: await currentRevision(page) }, target.source, input.baseRevisionId)
    }
    const parsed = parseSource(target.source)
    // An old text is published anew: what a later edit took out (an e-mail address, say) is asked about again.
    await options.checkSave?.({ source: target.source, parsed, previous: page, confirmPublication: input.confirmPublication ?? false })
    const saved = await commit(page, { kind: 'revert', source: target.source, parsed, message: input.message, author: input.author, revertedFrom: target._id }, target.source)
    events.emit('page.saved', { page: snapshot(saved), kind: 'revert', previousRevisionId: page.revisionId.toHexString() })
    return saved
  }

  /** Lets the visibility a save asked for take effect; four-eyes: never by the account that asked. */
  async function approvePublication (slug: string, input: { reviewer: string }): Promise<PageDocument> {
    const page = await requirePage(slug)
    const review = page.review ?? null
    if (review === null) throw new NothingToReviewError(slug)
    if (review.requestedBy === input.reviewer) throw new SelfApprovalError(slug)
    const result = await pages.findOneAndUpdate(
      { _id: page._id, revisionId: page.revisionId },
      { $set: { 'fields.visibility': review.requested, review: null, approval: { by: input.reviewer, at: now() } } },
      { returnDocument: 'after' }
    )
    if (result.value === null) {
      const latest = await requirePage(page.slug)
      throw new EditConflictError(latest.slug, { page: latest, revision: await currentRevision(latest) }, latest.source, page.revisionId.toHexString())
    }
    // Subscribers (search, federation) see the page go out as if it had just been saved.
    events.emit('page.saved', { page: snapshot(result.value), kind: 'edit', previousRevisionId: page.revisionId.toHexString() })
    return result.value
  }

  /** Pages whose wider visibility waits for a reviewer, oldest request first. */
  async function pendingReviews (): Promise<PageDocument[]> {
    return await pages.find({ deletedAt: null, review: { $ne: null } }, { sort: { 'review.requestedAt': 1 }, limit: 500, projection: { source: 0, frontMatter: 0 } }).toArray()
  }

  /**
   * Revisions of a page, newest first. The list follows the parent chain from the
   * current revision, so a revision left behind by a lost race never shows up.
   */
  async function history (slug: string): Promise<{ page: PageDocument, revisions: RevisionSummary[] }> {
    const page = await requireAnyPage(slug)
    const all = await revisions.find({ pageId: page._id }, { projection: { source: 0 } }).toArray() as RevisionSummary[]
    const byId = new Map(all.map(revision => [revision._id.toHexString(), revision]))
    const chain: RevisionSummary[] = []
    let next: ObjectId | null = page.revisionId
    while (next !== null && chain.length < all.length) {
      const revision = byId.get(next.toHexString())
      if (revision === undefined) break
      chain.push(revision)
      next = revision.parentId
    }
    return { page, revisions: chain }
  }

  async function getRevision (slug: string, revisionId: string): Promise<RevisionDocument> {
    const page = await requireAnyPage(slug)
    if (!ObjectId.isValid(revisionId) || !/^[0-9a-f]{24}$/i.test(revisionId)) throw new RevisionNotFoundError(slug, revisionId)
    const revision = await revisions.findOne({ _id: new ObjectId(revisionId), pageId: page._id })
    if (revision === null) throw new RevisionNotFoundError(slug, revisionId)
    return revision
  }

  async function diff (slug: string, fromId: string, toId: string): Promise<{ from: RevisionDocument, to: RevisionDocument, diff: TextDiff }> {
    const from = await getRevision(slug, fromId)
    const to = await getRevision(slug, toId)
    return { from, to, diff: diffTexts(from.source, to.source) }
  }

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

  /** Which of these slugs name live pages (or redirect to one), for wiki links. */
  async function existingSlugs (slugs: Iterable<string>): Promise<Set<string>> {
    const wanted = [...slugs]
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

  return {
    ensureIndexes,
    resolve,
    requirePage,
    requireAnyPage,
    createPage,
    savePage,
    renamePage,
    deletePage,
    restorePage,
    revertPage,
    approvePublication,
    pendingReviews,
    history,
    getRevision,
    currentRevision,
    diff,
    listPages,
    allPages,
    pagesOfType,
    recentChanges,
    existingSlugs,
    countPages,
    pageVersions,
    pageSnapshots
  }
}

export function snapshot (page: PageDocument): PageSnapshot {
  return {
    id: page._id.toHexString(),
    slug: page.slug,
    title: page.title,
    language: page.language,
    fields: page.fields,
    frontMatter: page.frontMatter,
    source: page.source,
    revisionId: page.revisionId.toHexString(),
    createdAt: page.createdAt,
    updatedAt: page.updatedAt
  }
}

function cleanMessage (message: string | undefined): string {
  return (message ?? '').replace(/\s+/g, ' ').trim().slice(0, MAX_MESSAGE_LENGTH)
}

function isDuplicateKey (error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === DUPLICATE_KEY
}
