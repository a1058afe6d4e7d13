import { AppError } from '../http/errors.ts'
import type { MessageParams } from '../i18n/index.ts'
import type { SlugProblem } from '../markdown/slug.ts'
import type { SourceMerge } from './merge.ts'
import type { PageDocument, RevisionDocument } from './model.ts'

/** Base of the wiki's expected failures; each says its own HTTP answer. */
export abstract class WikiError extends AppError {}

export class PageNotFoundError extends WikiError {
  readonly statusCode = 404
  readonly code = 'page-not-found'
  readonly messageKey = 'missing.explanation'
  constructor (readonly slug: string) { super(`no page "${slug}"`) }
  override messageParams (): MessageParams { return { slug: this.slug } }
}

export class PageDeletedError extends WikiError {
  readonly statusCode = 410
  readonly code = 'page-deleted'
  readonly messageKey = 'error.gone'
  constructor (readonly page: PageDocument) { super(`page "${page.slug}" is deleted`) }
}

export class RevisionNotFoundError extends WikiError {
  readonly statusCode = 404
  readonly code = 'revision-not-found'
  readonly messageKey = 'error.revisionNotFound'
  constructor (readonly slug: string, readonly revisionId: string) { super(`no revision "${revisionId}" of page "${slug}"`) }
}

export class InvalidSlugError extends WikiError {
  readonly statusCode = 400
  readonly code = 'invalid-slug'
  readonly messageKey = 'error.invalidSlug'
  constructor (readonly slug: string, readonly problem: SlugProblem) { super(`invalid page name "${slug}": ${problem}`) }
  override messageParams (): MessageParams { return { slug: this.slug } }
}

export class MissingTitleError extends WikiError {
  readonly statusCode = 400
  readonly code = 'missing-title'
  readonly messageKey = 'error.missingTitle'
  constructor () { super('a new page needs a title') }
}

/**
 * No free slug for a title: every numbered one is taken, or pages with the same title were
 * created at the same moment and took each one this save tried. Trying again, or another title, helps.
 */
export class NoFreeSlugError extends WikiError {
  readonly statusCode = 409
  readonly code = 'no-free-slug'
  readonly messageKey = 'error.noFreeSlug'
  constructor (readonly title: string) { super(`could not find a free slug for "${title}"`) }
  override messageParams (): MessageParams { return { title: this.title } }
}

/**
 * The editor's base revision is no longer the page's current one (or the page was
 * created meanwhile), and the changes overlap. Carries both texts, and the three-way
 * merge with its conflicts when there was a base to merge from, so the person can
 * decide part by part.
 */
export class EditConflictError extends WikiError {
  readonly statusCode = 409
  readonly code = 'edit-conflict'
  readonly messageKey = 'error.conflict'
  constructor (
    readonly slug: string,
    readonly current: { page: PageDocument, revision: RevisionDocument },
    readonly proposedSource: string,
    readonly baseRevisionId: string | null,
    readonly merge: SourceMerge | null = null
  ) {
    super(`page "${slug}" changed since revision ${baseRevisionId ?? '(none)'}`)
  }
}

/** Four-eyes review: nobody who wrote any part of the change since the last approval may approve it. */
export class SelfApprovalError extends WikiError {
  readonly statusCode = 403
  readonly code = 'own-publication'
  readonly messageKey = 'review.ownPage'
  constructor (readonly slug: string) { super(`an author of the change to "${slug}" cannot approve its publication`) }
}

/** The page changed after the reviewer loaded it: the approval names an older revision than the current one. */
export class OutdatedApprovalError extends WikiError {
  readonly statusCode = 409
  readonly code = 'approval-outdated'
  readonly messageKey = 'review.outdated'
  constructor (readonly slug: string, readonly approvedRevisionId: string, readonly currentRevisionId: string) {
    super(`approval of "${slug}" names revision ${approvedRevisionId}, but the page is at ${currentRevisionId}`)
  }

  override messageParams (): MessageParams { return { slug: this.slug } }
}

/** Nothing waits for review on this page (already approved, withdrawn, or never asked). */
export class NothingToReviewError extends WikiError {
  readonly statusCode = 409
  readonly code = 'nothing-to-review'
  readonly messageKey = 'review.nothing'
  constructor (readonly slug: string) { super(`page "${slug}" has no publication waiting for review`) }
}
