import type { EventBus } from '../events/index.ts'
import type { PageFields } from '../markdown/front-matter.ts'
import type { RevisionKind } from './model.ts'

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

/** A page another organisation published, as federation stored it (read-only here). */
export interface RemotePageSnapshot {
  /** The Article's ActivityPub id, permanent across renames on the other side. */
  id: string
  /** Where this wiki shows it. */
  localUrl: string
  originalUrl: string
  origin: string
  title: string
  summary: string
  tags: string[]
  language: string
  /** The Markdown source when the sender shared it, else the sanitised HTML. */
  text: string
  frontMatter: Record<string, unknown>
  updatedAt: Date
}

export interface WikiEvents extends Record<string, unknown> {
  'page.saved': PageSavedEvent
  'page.deleted': PageDeletedEvent
  /** Emitted by federation after a remote page was stored or changed. */
  'remote.saved': { page: RemotePageSnapshot }
  /** Emitted by federation after a remote page was deleted by its publisher. */
  'remote.deleted': { id: string }
}

export type WikiEventBus = EventBus<WikiEvents>
