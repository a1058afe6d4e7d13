import { ObjectId, type InsertOneOptions } from 'mongodb'
import { parseSource, withTitle, type ParsedSource } from '../markdown/front-matter.ts'
import { EditConflictError, InvalidSlugError, MissingTitleError, NoFreeSlugError, PageDeletedError, PageNotFoundError } from './errors.ts'
import { snapshot, type WikiEventBus } from './events.ts'
import type { PageHistory } from './history.ts'
import type { MergedWith, PageDocument, RevisionDocument, RevisionKind } from './model.ts'
import { mergeSources, type SourceMerge } from './merge.ts'
import type { PageStore } from './page-store.ts'
import type { PageReview } from './review.ts'
import { slugForTitle, slugProblem, uniqueSlug } from '../markdown/slug.ts'
import { cleanTitle } from '../markdown/title.ts'
import type { SaveCheck } from '../publishing/check.ts'
import { isDuplicateKey } from '../store/index.ts'

export interface SaveInput {
  source: string
  /** The revision the editor started from; null when the editor believed the page missing. */
  baseRevisionId: string | null
  message?: string
  author?: string | null
  confirmPublication?: boolean
  /** The note a merged save adds to its message, in the saver's language; English without it. */
  mergeNote?: (merged: MergedWith) => string
  /** Everyone shown in the page's images agreed to its publication. */
  confirmConsent?: boolean
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
  confirmConsent?: boolean
}

export interface SaveResult {
  page: PageDocument
  /** False when the text was identical and no revision was written. */
  changed: boolean
  /** True when the save created the page (a base revision of null on a missing page). */
  created: boolean
  /** Set when the save was made on an older revision and merged with the current one. */
  merged: MergedWith | null
}

const MAX_SLUG_RETRIES = 5
/** Saves racing on one page merge again with each newer revision, this many times at the most. */
const MAX_MERGE_ATTEMPTS = 8
const MAX_MESSAGE_LENGTH = 500
/**
 * A revision is written without waiting for the journal: the page write that follows it
 * waits, and a journal that holds a write holds every earlier one, so one fsync makes both
 * durable and an acknowledged save keeps its revision. Should the page write fail, the
 * revision is taken out again; after a crash between the two it is an unused revision.
 */
const REVISION_BEFORE_PAGE: InsertOneOptions = { writeConcern: { w: 1, journal: false } }

export interface SavingOptions {
  events: WikiEventBus
  now: () => Date
  /** Language of pages whose front matter names none. */
  defaultLanguage: string
  checkSave?: SaveCheck
  /** Holds back a widened visibility for a reviewer. */
  gate: PageReview['gate']
  /** A revert brings back this revision's text. */
  getRevision: PageHistory['getRevision']
}

export type PageSaving = ReturnType<typeof createPageSaving>

/** Every change to a page (create, edit, rename, delete, restore, revert) appends a revision. */
export function createPageSaving (store: PageStore, options: SavingOptions) {
  const { pages, revisions, requirePage, requireAnyPage, isTaken, currentRevision } = store
  const { events, now, defaultLanguage, gate, getRevision } = options

  async function createPage (input: CreateInput): Promise<PageDocument> {
    const parsed = parseSource(input.source)
    const title = parsed.fields.title ?? (input.title === undefined ? undefined : cleanTitle(input.title))
    if (title === undefined || title === '') throw new MissingTitleError()
    await options.checkSave?.({ source: input.source, parsed, previous: null, confirmPublication: input.confirmPublication ?? false, confirmConsent: input.confirmConsent ?? false })
    const language = parsed.fields.language ?? input.language ?? defaultLanguage
    if (input.slug !== undefined) {
      const problem = slugProblem(input.slug)
      if (problem !== null) throw new InvalidSlugError(input.slug, problem)
    }
    const time = input.createdAt ?? now()

    for (let attempt = 0; attempt < MAX_SLUG_RETRIES; attempt++) {
      const slug = input.slug ?? await uniqueSlug(slugForTitle(title, language), isTaken)
      if (slug === null) throw new NoFreeSlugError(title)
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
      await revisions.insertOne(revision, REVISION_BEFORE_PAGE)
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
    // Racing creates with one title kept taking the slug this one chose: a conflict, not a failure.
    throw new NoFreeSlugError(title)
  }

  /**
   * Appends a revision and moves the page to it, only if the page is still at the
   * revision the change was made on: of two racing changes one lands and the other
   * learns it lost instead of overwriting it. Renames, deletes and reverts then end in
   * a conflict; edits are merged again on the newer revision (savePage).
   */
  async function commit (page: PageDocument, change: Change, proposedForConflict: string): Promise<PageDocument> {
    const saved = await tryCommit(page, change)
    if (saved !== null) return saved
    const latest = await pages.findOne({ _id: page._id })
    if (latest === null) throw new PageNotFoundError(page.slug)
    throw new EditConflictError(latest.slug, { page: latest, revision: await currentRevision(latest) }, proposedForConflict, page.revisionId.toHexString())
  }

  /** The commit, or null when another save moved the page on first. */
  async function tryCommit (page: PageDocument, change: Change): Promise<PageDocument | null> {
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
    await revisions.insertOne(revision, REVISION_BEFORE_PAGE)

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

    let saved
    try {
      saved = await pages.findOneAndUpdate(
        { _id: page._id, revisionId: page.revisionId },
        update,
        { returnDocument: 'after' }
      )
    } catch (error) {
      await revisions.deleteOne({ _id: revision._id })
      throw error
    }
    if (saved === null) await revisions.deleteOne({ _id: revision._id })
    return saved
  }

  async function savePage (slug: string, input: SaveInput): Promise<SaveResult> {
    const parsed = parseSource(input.source)
    let page = await pages.findOne({ slug })
    if (page === null && input.baseRevisionId !== null) {
      // The editor started from a page that was renamed meanwhile: a conflict, never a new page.
      const moved = await pages.findOne({ formerSlugs: slug })
      if (moved === null) throw new PageNotFoundError(slug)
      throw await conflict(moved, input)
    }
    if (page === null) {
      const problem = slugProblem(slug)
      if (problem !== null) throw new InvalidSlugError(slug, problem)
      const created = await createPage({ ...input, slug, title: parsed.fields.title ?? slug })
      return { page: created, changed: true, created: true, merged: null }
    }
    // A save on an older revision is merged with the current one. When another save lands
    // between the merge and the commit, the conditional commit fails and the merge is made
    // again on the newer revision: racing saves of different parts all arrive.
    for (let attempt = 0; attempt < MAX_MERGE_ATTEMPTS; attempt++) {
      if (page.deletedAt !== null) throw new PageDeletedError(page)
      let change = { source: input.source, parsed, merged: null as MergedWith | null }
      if (input.baseRevisionId !== page.revisionId.toHexString()) change = await mergedChange(page, input)
      if (change.source === page.source) return { page, changed: false, created: false, merged: change.merged }
      await options.checkSave?.({ source: change.source, parsed: change.parsed, previous: page, confirmPublication: input.confirmPublication ?? false, confirmConsent: input.confirmConsent ?? false })
      const message = change.merged === null ? input.message : withNote(input.message, input.mergeNote?.(change.merged) ?? englishMergeNote(change.merged))
      const saved = await tryCommit(page, { kind: 'edit', source: change.source, parsed: change.parsed, message, author: input.author })
      if (saved !== null) {
        events.emit('page.saved', { page: snapshot(saved), kind: 'edit', previousRevisionId: page.revisionId.toHexString() })
        return { page: saved, changed: true, created: false, merged: change.merged }
      }
      page = await pages.findOne({ _id: page._id })
      if (page === null) throw new PageNotFoundError(slug)
    }
    throw await conflict(page, input)
  }

  /** The save merged with the page's current revision; a conflict when the changes overlap or no base is known. */
  async function mergedChange (page: PageDocument, input: SaveInput): Promise<{ source: string, parsed: ParsedSource, merged: MergedWith }> {
    const base = await baseRevision(page, input.baseRevisionId)
    // Without a base (a create that found the page made meanwhile) nothing tells which side changed what.
    if (base === null) throw await conflict(page, input)
    const merge = mergeSources(base.source, page.source, input.source)
    const current = await currentRevision(page)
    if (merge.source === null) throw new EditConflictError(page.slug, { page, revision: current }, input.source, input.baseRevisionId, merge)
    const number = await revisions.countDocuments({ pageId: page._id, createdAt: { $lte: current.createdAt } })
    return { source: merge.source, parsed: parseSource(merge.source), merged: { revisionId: current._id.toHexString(), number, author: current.author, createdAt: current.createdAt } }
  }

  async function baseRevision (page: PageDocument, baseRevisionId: string | null): Promise<RevisionDocument | null> {
    if (baseRevisionId === null || !/^[0-9a-f]{24}$/i.test(baseRevisionId)) return null
    return await revisions.findOne({ _id: new ObjectId(baseRevisionId), pageId: page._id })
  }

  /** The conflict for a save on an outdated base, with the merge's conflicts part by part when the base is known. */
  async function conflict (page: PageDocument, input: SaveInput): Promise<EditConflictError> {
    const current = await currentRevision(page)
    const base = await baseRevision(page, input.baseRevisionId)
    const merge: SourceMerge | null = base === null ? null : mergeSources(base.source, current.source, input.source)
    return new EditConflictError(page.slug, { page, revision: current }, input.source, input.baseRevisionId, merge)
  }

  /** Gives the page a new title and a slug made from it; the old slug keeps redirecting. */
  async function renamePage (slug: string, input: { title: string, baseRevisionId: string, message?: string, author?: string | null }): Promise<PageDocument> {
    const page = await requirePage(slug)
    const title = cleanTitle(input.title)
    if (title === '') throw new MissingTitleError()
    const source = withTitle(page.source, title)
    if (input.baseRevisionId !== page.revisionId.toHexString()) {
      throw new EditConflictError(slug, { page, revision: await currentRevision(page) }, source, input.baseRevisionId)
    }
    const parsed = parseSource(source)
    const wanted = slugForTitle(title, page.language)
    for (let attempt = 0; attempt < MAX_SLUG_RETRIES; attempt++) {
      const newSlug = wanted === page.slug ? wanted : await uniqueSlug(wanted, isTaken)
      if (newSlug === null) throw new NoFreeSlugError(title)
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
    throw new NoFreeSlugError(title)
  }

  async function deletePage (slug: string, input: { message?: string, author?: string | null } = {}): Promise<PageDocument> {
    const page = await requirePage(slug)
    const parsed = parseSource(page.source)
    const deleted = await commit(page, { kind: 'delete', source: page.source, parsed, message: input.message, author: input.author, deletedAt: now() }, page.source)
    events.emit('page.deleted', { id: page._id.toHexString(), slug: page.slug, revisionId: deleted.revisionId.toHexString(), title: page.title, visibility: page.fields.visibility, author: input.author ?? null })
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
  async function revertPage (slug: string, input: { revisionId: string, baseRevisionId: string, message?: string, author?: string | null, confirmPublication?: boolean, confirmConsent?: boolean }): Promise<PageDocument> {
    const page = await requirePage(slug)
    const target = await getRevision(slug, input.revisionId)
    if (input.baseRevisionId !== page.revisionId.toHexString()) {
      throw new EditConflictError(slug, { page, revision: await currentRevision(page) }, target.source, input.baseRevisionId)
    }
    const parsed = parseSource(target.source)
    // An old text is published anew: what a later edit took out (an e-mail address, say) is asked about again.
    await options.checkSave?.({ source: target.source, parsed, previous: page, confirmPublication: input.confirmPublication ?? false, confirmConsent: input.confirmConsent ?? false })
    const saved = await commit(page, { kind: 'revert', source: target.source, parsed, message: input.message, author: input.author, revertedFrom: target._id }, target.source)
    events.emit('page.saved', { page: snapshot(saved), kind: 'revert', previousRevisionId: page.revisionId.toHexString() })
    return saved
  }

  return { createPage, savePage, renamePage, deletePage, restorePage, revertPage }
}

type Change = { kind: RevisionKind, source: string, parsed: ParsedSource, slug?: string, message?: string, author?: string | null, revertedFrom?: ObjectId, deletedAt?: Date | null }

/** The person's own description first, shortened if need be so the note about the merge always fits. */
function withNote (message: string | undefined, note: string): string {
  const own = cleanMessage(message).slice(0, Math.max(0, MAX_MESSAGE_LENGTH - note.length - 1))
  return own === '' ? note : `${own} ${note}`
}

function englishMergeNote (merged: MergedWith): string {
  return `(merged with revision ${merged.number} by ${merged.author ?? 'an import'})`
}

function cleanMessage (message: string | undefined): string {
  return (message ?? '').replace(/\s+/g, ' ').trim().slice(0, MAX_MESSAGE_LENGTH)
}
