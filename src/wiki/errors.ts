import type { SlugProblem } from './slug.ts'
import type { PageDocument, RevisionDocument } from './model.ts'

/** Base of the wiki's expected failures; the web error handler maps each to a status. */
export class WikiError extends Error {
  constructor (message: string) {
    super(message)
    this.name = new.target.name
  }
}

export class PageNotFoundError extends WikiError {
  constructor (readonly slug: string) { super(`no page "${slug}"`) }
}

export class PageDeletedError extends WikiError {
  constructor (readonly page: PageDocument) { super(`page "${page.slug}" is deleted`) }
}

export class RevisionNotFoundError extends WikiError {
  constructor (readonly slug: string, readonly revisionId: string) { super(`no revision "${revisionId}" of page "${slug}"`) }
}

export class InvalidSlugError extends WikiError {
  constructor (readonly slug: string, readonly problem: SlugProblem) { super(`invalid page name "${slug}": ${problem}`) }
}

export class MissingTitleError extends WikiError {
  constructor () { super('a new page needs a title') }
}

/**
 * The editor's base revision is no longer the page's current one (or the page was
 * created meanwhile). Carries both texts so the person can merge by hand.
 */
export class EditConflictError extends WikiError {
  constructor (
    readonly slug: string,
    readonly current: { page: PageDocument, revision: RevisionDocument },
    readonly proposedSource: string,
    readonly baseRevisionId: string | null
  ) {
    super(`page "${slug}" changed since revision ${baseRevisionId ?? '(none)'}`)
  }
}

/** Four-eyes review: the account that asked for publication may not approve it. */
export class SelfApprovalError extends WikiError {
  constructor (readonly slug: string) { super(`the author of "${slug}" cannot approve its own publication`) }
}

/** Nothing waits for review on this page (already approved, withdrawn, or never asked). */
export class NothingToReviewError extends WikiError {
  constructor (readonly slug: string) { super(`page "${slug}" has no publication waiting for review`) }
}
