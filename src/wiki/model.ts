import type { ObjectId } from 'mongodb'
import type { PageFields, Visibility } from '../markdown/front-matter.ts'

export type RevisionKind = 'create' | 'edit' | 'rename' | 'delete' | 'restore' | 'revert'

/** One document per page in the `pages` collection; always mirrors its current revision. */
export interface PageDocument {
  _id: ObjectId
  slug: string
  /** Slugs the page had before renames; they answer with a redirect. */
  formerSlugs: string[]
  title: string
  language: string
  fields: PageFields
  frontMatter: Record<string, unknown>
  source: string
  revisionId: ObjectId
  author: string | null
  createdAt: Date
  updatedAt: Date
  deletedAt: Date | null
  /**
   * With four-eyes review on: the wider visibility a save asked for and that waits
   * for a reviewer; `fields.visibility` keeps the narrower one until then.
   */
  review?: PendingReview | null
  /** The last reviewer who let the page go out, when, and the revision they approved. */
  approval?: { by: string, at: Date, revisionId?: ObjectId } | null
}

export interface PendingReview {
  requested: Visibility
  /** The account whose save asked for it; it may not approve its own request. */
  requestedBy: string
  revisionId: ObjectId
  requestedAt: Date
}

/** Revisions are written once and never changed. */
export interface RevisionDocument {
  _id: ObjectId
  pageId: ObjectId
  parentId: ObjectId | null
  kind: RevisionKind
  slug: string
  title: string
  source: string
  message: string
  author: string | null
  createdAt: Date
  /** For reverts: the revision whose text was brought back. */
  revertedFrom?: ObjectId
}

export type RevisionSummary = Omit<RevisionDocument, 'source'>

/** The revision a save on an older base was merged with: its id, its number in the page's history, who wrote it and when. */
export interface MergedWith {
  revisionId: string
  number: number
  author: string | null
  createdAt: Date
}
