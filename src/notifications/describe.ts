import type { MessageKey, Translate } from '../i18n/index.ts'
import type { NotificationDocument } from './model.ts'

const KNOWN_KINDS = new Set([
  'page.created', 'page.edited', 'page.renamed', 'page.reverted', 'page.restored', 'page.deleted',
  'review.requested', 'review.approved', 'lesson.created', 'lesson.remote',
  'moderation.remote', 'moderation.experience', 'moderation.local'
])

/** One line for a notification, in the reader's language: what happened, to what, by whom, how often. */
export function describeNotification (t: Translate, notification: Pick<NotificationDocument, 'kind' | 'subject' | 'actor' | 'count'>): string {
  const key = (KNOWN_KINDS.has(notification.kind) ? `notifications.kind.${notification.kind}` : 'notifications.kind.other') as MessageKey
  const actor = notification.actor ?? t('notifications.someone')
  const line = t(key, { title: notification.subject.title, actor, kind: notification.kind })
  return notification.count > 1 ? `${line} ${t('notifications.times', { count: notification.count })}` : line
}
