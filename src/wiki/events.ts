import type { EventBus } from '../events/index.ts'
import type { PageFields } from '../markdown/front-matter.ts'
import type { PageDocument, RevisionKind } from './model.ts'

/** What subscribers learn about a page, without reaching into the wiki's store. */
export interface PageSnapshot {
  id: string
  slug: string
  title: string
  language: string
  fields: PageFields
  frontMatter: Record<string, unknown>
  source: string
  revisionId: string
  createdAt: Date
  updatedAt: Date
  /** Who wrote the current revision (null: an import or a script); notifications never tell people of their own changes. */
  author?: string | null
  /** The wider visibility this revision waits for a reviewer to approve, and who asked. */
  review?: { requested: string, requestedBy: string } | null
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
    updatedAt: page.updatedAt,
    author: page.author,
    review: page.review === null || page.review === undefined ? null : { requested: page.review.requested, requestedBy: page.review.requestedBy }
  }
}

export interface PageSavedEvent {
  page: PageSnapshot
  kind: RevisionKind
  previousRevisionId: string | null
  /** Set when the save renamed the page. */
  previousSlug?: string
}

export interface PageDeletedEvent {
  id: string
  slug: string
  revisionId: string
  /** The page as it was, and who deleted it: for the people watching it. */
  title?: string
  visibility?: string
  author?: string | null
}

/** A reviewer let a page's wider visibility take effect (four-eyes review). */
export interface PageReviewedEvent {
  page: PageSnapshot
  reviewer: string
  requestedBy: string
  decision: 'approved'
}

export interface WikiEvents extends Record<string, unknown> {
  'page.saved': PageSavedEvent
  'page.deleted': PageDeletedEvent
  'page.reviewed': PageReviewedEvent
}

export type WikiEventBus = EventBus<WikiEvents>
