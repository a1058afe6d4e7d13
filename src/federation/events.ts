import type { EventBus } from '../events/index.ts'
import type { WikiEvents } from '../wiki/events.ts'

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
  /** False when its publisher said `indexable: false`: it is shown where followed but never searched. */
  indexable?: boolean
}

/** What federation emits; subscribers (search, the reader cache) depend on this declaration only. */
export interface FederationEvents extends Record<string, unknown> {
  /** A remote page was stored or changed. */
  'remote.saved': { page: RemotePageSnapshot }
  /** A remote page was deleted by its publisher (or withdrawn with its organisation). */
  'remote.deleted': { id: string }
}

/** Federation listens to the wiki's page events and emits its own. */
export type FederationEventBus = EventBus<WikiEvents & FederationEvents>
