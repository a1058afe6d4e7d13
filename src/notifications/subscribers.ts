import type { EventBus } from '../events/index.ts'
import type { FederationEvents, RemotePageSnapshot } from '../federation/events.ts'
import type { WikiEvents } from '../wiki/events.ts'
import type { RevisionKind } from '../wiki/model.ts'
import type { NotificationKind, NotificationSubject } from './model.ts'
import type { NotificationStore } from './notifications.ts'
import type { Preferences } from './preferences.ts'
import type { Watches } from './watches.ts'

const KIND_OF_REVISION: Record<RevisionKind, NotificationKind> = {
  create: 'page.created',
  edit: 'page.edited',
  rename: 'page.renamed',
  revert: 'page.reverted',
  restore: 'page.restored',
  delete: 'page.deleted'
}

/** Notifications written at once for one event. */
const TOLD_AT_ONCE = 25

export interface SubscriberOptions {
  events: EventBus<WikiEvents & FederationEvents>
  store: NotificationStore
  watches: Watches
  preferences: Preferences
  /** Accounts that may approve publications (reviewers and admins), for review requests. */
  reviewers: () => Promise<string[]>
}

export function pageSubject (page: { id: string, slug: string, title: string, visibility: string }): NotificationSubject {
  return { type: 'page', id: page.id, title: page.title, href: `/wiki/${page.slug}`, visibility: page.visibility }
}

function fieldOf (frontMatter: Record<string, unknown>): string | null {
  return typeof frontMatter.field === 'string' && frontMatter.field.trim() !== '' ? frontMatter.field.trim() : null
}

/**
 * Turns the wiki's and federation's events into notifications for the people watching:
 * changes of a watched page, new pages and lessons under a watched tag or field (from here
 * and from followed organisations), review requests for reviewers and decisions for the
 * person who asked.
 */
export function subscribeNotifications (options: SubscriberOptions): Array<() => void> {
  const { events, store, watches, preferences } = options

  // Writes that arrive together share one journal flush: many watchers are told a group at a time.
  const tell = async (people: Iterable<string>, kind: NotificationKind, subject: NotificationSubject, actor: string | null): Promise<void> => {
    const recipients = [...new Set(people)]
    for (let start = 0; start < recipients.length; start += TOLD_AT_ONCE) {
      await Promise.all(recipients.slice(start, start + TOLD_AT_ONCE).map(async recipient => await store.notify({ recipient, kind, subject, actor })))
    }
  }

  const newPageWatchers = async (tags: string[], field: string | null): Promise<string[]> => [
    ...await watches.watchersOf('tag', tags),
    ...field === null ? [] : await watches.watchersOf('field', [field])
  ]

  const onSaved = async ({ page, kind, previousRevisionId }: WikiEvents['page.saved']): Promise<void> => {
    // An approval announces the same revision again; 'page.reviewed' tells of it.
    if (previousRevisionId === page.revisionId) return
    const subject = pageSubject({ ...page, visibility: page.fields.visibility })
    const actor = page.author ?? null
    if (kind === 'rename') await watches.relabel('page', page.id, page.title, subject.href)
    if (kind === 'create') {
      const lesson = page.fields.type === 'lesson'
      await tell(await newPageWatchers(page.fields.tags, lesson ? fieldOf(page.frontMatter) : null), lesson ? 'lesson.created' : 'page.created', subject, actor)
    } else {
      await tell(await watches.watchersOf('page', [page.id]), KIND_OF_REVISION[kind], subject, actor)
    }
    if (page.review !== null && page.review !== undefined && page.review.requestedBy === actor) {
      await tell(await options.reviewers(), 'review.requested', subject, actor)
    }
    if (actor !== null && await preferences.watchesEdited(actor)) await watches.watch(actor, 'page', page.id, page.title, subject.href)
  }

  const onDeleted = async (event: WikiEvents['page.deleted']): Promise<void> => {
    const subject = pageSubject({ id: event.id, slug: event.slug, title: event.title ?? event.slug, visibility: event.visibility ?? 'local' })
    await tell(await watches.watchersOf('page', [event.id]), 'page.deleted', subject, event.author ?? null)
  }

  const onReviewed = async ({ page, reviewer, requestedBy }: WikiEvents['page.reviewed']): Promise<void> => {
    const subject = pageSubject({ ...page, visibility: page.fields.visibility })
    await tell([requestedBy, ...await watches.watchersOf('page', [page.id])], 'review.approved', subject, reviewer)
  }

  /** A lesson of a followed organisation, told once: later Updates of it are no news to the watchers of its tags. */
  const onRemoteSaved = async ({ page }: { page: RemotePageSnapshot }): Promise<void> => {
    if (page.frontMatter.type !== 'lesson') return
    const subject: NotificationSubject = { type: 'remote-page', id: page.id, title: page.title, href: page.localUrl, visibility: 'public' }
    for (const recipient of new Set(await newPageWatchers(page.tags, fieldOf(page.frontMatter)))) {
      if (!await store.hasBeenTold(recipient, page.id, 'lesson.remote')) await store.notify({ recipient, kind: 'lesson.remote', subject, actor: page.origin })
    }
  }

  // One event after another: edits racing to one page collapse into one notification instead of two.
  let queue: Promise<void> = Promise.resolve()
  const inTurn = <Payload>(handle: (payload: Payload) => Promise<void>) => async (payload: Payload): Promise<void> => {
    const turn = queue.then(async () => { await handle(payload) })
    queue = turn.catch(() => {})
    await turn
  }
  return [
    events.on('page.saved', inTurn(onSaved)),
    events.on('page.deleted', inTurn(onDeleted)),
    events.on('page.reviewed', inTurn(onReviewed)),
    events.on('remote.saved', inTurn(onRemoteSaved))
  ]
}
