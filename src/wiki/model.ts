import type { ObjectId } from 'mongodb'
import type { PageFields } from '../markdown/front-matter.ts'

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
