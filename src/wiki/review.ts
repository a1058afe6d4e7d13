import type { ObjectId } from 'mongodb'
import { EditConflictError, NothingToReviewError, OutdatedApprovalError, SelfApprovalError } from './errors.ts'
import { snapshot, type WikiEventBus } from './events.ts'
import type { PageHistory } from './history.ts'
import type { PageDocument, PendingReview } from './model.ts'
import type { PageStore } from './page-store.ts'
import type { PageFields, Visibility } from '../markdown/front-matter.ts'

const VISIBILITY_REACH: Record<Visibility, number> = { local: 0, unlisted: 1, public: 2 }

/** Pages whose wider visibility waits for a reviewer; `review.requestedAt` is indexed (page-store.ts), so counting them is cheap. */
const WAITING = { deletedAt: null, 'review.requestedAt': { $type: 'date' } } as const

export type PageReview = ReturnType<typeof createPageReview>

/** A page waiting for review, with what a reviewer needs to decide and who may not. */
export interface ReviewEntry {
  page: PageDocument
  /** The revision the last approval let out; null when none was approved (the whole text is new outward). */
  approvedRevisionId: ObjectId | null
  /** Accounts that wrote any revision since then: none of them may approve. */
  authors: string[]
}

/**
 * Four-eyes review: a save by an account that widens a page's visibility keeps the old
 * one until another account approves.
 */
export function createPageReview (store: PageStore, options: { events: WikiEventBus, now: () => Date, reviewRequired: () => boolean, history: PageHistory['history'] }) {
  const { pages, requirePage, currentRevision } = store
  const { events, now } = options

  /**
   * The fields a save may store now, and the review it waits for. Saves without an
   * account (imports, scripts run by the operator) are trusted and not held back.
   */
  function gate (fields: PageFields, previous: PageDocument | null, author: string | null | undefined, revisionId: ObjectId, time: Date): { fields: PageFields, review: PendingReview | null } {
    const current: Visibility = previous === null || previous.deletedAt !== null ? 'local' : previous.fields.visibility
    if (!options.reviewRequired() || author === null || author === undefined) return { fields, review: null }
    if (VISIBILITY_REACH[fields.visibility] <= VISIBILITY_REACH[current]) return { fields, review: null }
    return {
      fields: { ...fields, visibility: current },
      review: { requested: fields.visibility, requestedBy: author, revisionId, requestedAt: time }
    }
  }

  /**
   * Who wrote the text that would go out: the authors of every revision after the last
   * approved one, following the parent chain (all of it when nothing was approved yet).
   */
  async function reviewEntry (page: PageDocument): Promise<ReviewEntry> {
    const approvedRevisionId = page.approval?.revisionId ?? null
    const { revisions } = await options.history(page.slug)
    const authors = new Set<string>()
    for (const revision of revisions) {
      if (approvedRevisionId !== null && revision._id.equals(approvedRevisionId)) break
      if (revision.author !== null) authors.add(revision.author)
    }
    if (page.review !== null && page.review !== undefined) authors.add(page.review.requestedBy)
    return { page, approvedRevisionId, authors: [...authors] }
  }

  /**
   * Lets the visibility a save asked for take effect, for exactly the revision the reviewer
   * saw (`revisionId`); four-eyes: never by an account that wrote any part of the change.
   */
  async function approvePublication (slug: string, input: { reviewer: string, revisionId: string }): Promise<PageDocument> {
    const page = await requirePage(slug)
    const review = page.review ?? null
    if (review === null) throw new NothingToReviewError(slug)
    // An approval of an older text must not let a later edit out unseen.
    if (input.revisionId !== page.revisionId.toHexString()) throw new OutdatedApprovalError(slug, input.revisionId, page.revisionId.toHexString())
    const entry = await reviewEntry(page)
    if (entry.authors.includes(input.reviewer)) throw new SelfApprovalError(slug)
    const approved = await pages.findOneAndUpdate(
      { _id: page._id, revisionId: page.revisionId },
      { $set: { 'fields.visibility': review.requested, review: null, approval: { by: input.reviewer, at: now(), revisionId: page.revisionId } } },
      { returnDocument: 'after' }
    )
    if (approved === null) {
      const latest = await requirePage(page.slug)
      throw new EditConflictError(latest.slug, { page: latest, revision: await currentRevision(latest) }, latest.source, page.revisionId.toHexString())
    }
    events.emit('page.reviewed', { page: snapshot(approved), reviewer: input.reviewer, requestedBy: review.requestedBy, decision: 'approved' })
    // Subscribers (search, federation) see the page go out as if it had just been saved.
    events.emit('page.saved', { page: snapshot(approved), kind: 'edit', previousRevisionId: page.revisionId.toHexString() })
    return approved
  }

  /** Pages whose wider visibility waits for a reviewer, oldest request first. */
  async function pendingReviews (): Promise<ReviewEntry[]> {
    const waiting = await pages.find(WAITING, { sort: { 'review.requestedAt': 1 }, limit: 500, projection: { source: 0, frontMatter: 0 } }).toArray()
    const entries: ReviewEntry[] = []
    for (const page of waiting) entries.push(await reviewEntry(page))
    return entries
  }

  /** How many pages wait for a reviewer, for the header on every page a reviewer sees. */
  async function countPendingReviews (): Promise<number> {
    return await pages.countDocuments(WAITING)
  }

  return { gate, approvePublication, pendingReviews, countPendingReviews }
}
