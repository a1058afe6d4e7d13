import type { ObjectId } from 'mongodb'
import { EditConflictError, NothingToReviewError, SelfApprovalError } from './errors.ts'
import { snapshot, type WikiEventBus } from './events.ts'
import type { PageDocument, PendingReview } from './model.ts'
import type { PageStore } from './page-store.ts'
import type { PageFields, Visibility } from '../markdown/front-matter.ts'

const VISIBILITY_REACH: Record<Visibility, number> = { local: 0, unlisted: 1, public: 2 }

export type PageReview = ReturnType<typeof createPageReview>

/**
 * Four-eyes review: a save by an account that widens a page's visibility keeps the old
 * one until another account approves.
 */
export function createPageReview (store: PageStore, options: { events: WikiEventBus, now: () => Date, reviewRequired: boolean }) {
  const { pages, requirePage, currentRevision } = store
  const { events, now } = options

  /**
   * The fields a save may store now, and the review it waits for. Saves without an
   * account (imports, scripts run by the operator) are trusted and not held back.
   */
  function gate (fields: PageFields, previous: PageDocument | null, author: string | null | undefined, revisionId: ObjectId, time: Date): { fields: PageFields, review: PendingReview | null } {
    const current: Visibility = previous === null || previous.deletedAt !== null ? 'local' : previous.fields.visibility
    if (!options.reviewRequired || author === null || author === undefined) return { fields, review: null }
    if (VISIBILITY_REACH[fields.visibility] <= VISIBILITY_REACH[current]) return { fields, review: null }
    return {
      fields: { ...fields, visibility: current },
      review: { requested: fields.visibility, requestedBy: author, revisionId, requestedAt: time }
    }
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

  return { gate, approvePublication, pendingReviews }
}
