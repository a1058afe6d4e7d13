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
}

export interface WikiEvents extends Record<string, unknown> {
  'page.saved': PageSavedEvent
  'page.deleted': PageDeletedEvent
}

export type WikiEventBus = EventBus<WikiEvents>
