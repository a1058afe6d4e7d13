import type { ObjectId } from 'mongodb'

/**
 * What a notification is about: a page here, a page of another organisation, and later
 * a comment. `id` is stable (a page's id, an Article's id), so a flood of edits to one
 * page collapses into one notification; `href` is where this wiki shows it.
 */
export interface NotificationSubject {
  type: 'page' | 'remote-page' | (string & {})
  id: string
  title: string
  href: string
  /** The subject's visibility when the notification was made: nobody is told of a page they may not read. */
  visibility: string
}

/**
 * What happened. The wiki's and federation's kinds are listed; other domains add their own
 * (e.g. `comment.new`) with a message `notifications.kind.<kind>` in both languages and an
 * entry in KNOWN_KINDS (describe.ts); until then a kind is shown with a general message.
 */
export type NotificationKind =
  | 'page.created' | 'page.edited' | 'page.renamed' | 'page.reverted' | 'page.restored' | 'page.deleted'
  | 'review.requested' | 'review.approved'
  | 'lesson.created' | 'lesson.remote'
  | (string & {})

export interface NotificationDocument {
  _id: ObjectId
  /** The account told, by username. */
  recipient: string
  kind: NotificationKind
  subject: NotificationSubject
  /** Who did it: an account's username, an organisation's name, or null for imports and scripts. */
  actor: string | null
  createdAt: Date
  /** The latest of the events collapsed into this notification. */
  updatedAt: Date
  /** How many events it stands for (edits to one page while it was unread). */
  count: number
  readAt: Date | null
  /** When a digest mail told of it; null while it waits for the next digest. */
  mailedAt: Date | null
}

export type WatchKind = 'page' | 'tag' | 'field'

export interface WatchDocument {
  _id: ObjectId
  person: string
  kind: WatchKind
  /** A page's id, a tag in lower case, or a field of practice as lessons name it. */
  key: string
  /** What the person sees in the list: the page's title, the tag, the field. */
  label: string
  /** A page's address, kept up to date on renames: the list links to it without reading the page. */
  href?: string
  createdAt: Date
}

/** One per person who changed a default or asked for a feed. */
export interface NotificationPreferences {
  /** The username. */
  _id: string
  /** Whether saving a page makes one watch it; on unless turned off. */
  watchEdited?: boolean
  /** SHA-256 of the private feed's secret; the secret itself is shown once. */
  feedHash?: string | null
  /** When the last digest mail went out. */
  lastDigestAt?: Date
}
