import type { Translate } from '../i18n/index.ts'
import { escapeXml } from '../http/xml.ts'
import { describeNotification } from './describe.ts'
import type { NotificationDocument } from './model.ts'

/** A person's notifications as an Atom feed; its own address is the secret one, so it is not repeated in the entries' ids. */
export function notificationFeed (input: { t: Translate, locale: string, baseUrl: string, siteName: string, person: string, notifications: NotificationDocument[] }): string {
  const { t, baseUrl } = input
  const updated = (input.notifications[0]?.updatedAt ?? new Date(0)).toISOString()
  const entries = input.notifications.map(notification => {
    const url = `${baseUrl}${notification.subject.href}`
    return [
      '  <entry>',
      `    <id>urn:praxiswiki:notification:${notification._id.toHexString()}:${notification.count}</id>`,
      `    <title>${escapeXml(describeNotification(t, notification))}</title>`,
      `    <link rel="alternate" type="text/html" href="${escapeXml(url)}"/>`,
      `    <updated>${notification.updatedAt.toISOString()}</updated>`,
      `    <author><name>${escapeXml(notification.actor ?? t('notifications.someone'))}</name></author>`,
      '  </entry>'
    ].join('\n')
  })
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    `<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="${escapeXml(input.locale)}">`,
    `  <id>urn:praxiswiki:notifications:${escapeXml(input.person)}</id>`,
    `  <title>${escapeXml(t('notifications.feedTitle', { site: input.siteName, name: input.person }))}</title>`,
    `  <link rel="alternate" type="text/html" href="${escapeXml(baseUrl)}/notifications"/>`,
    `  <updated>${updated}</updated>`,
    ...entries,
    '</feed>',
    ''
  ].join('\n')
}
