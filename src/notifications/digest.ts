import type { FastifyBaseLogger } from 'fastify'
import type { Transporter } from 'nodemailer'
import { translator, type Locale } from '../i18n/index.ts'
import { describeNotification } from './describe.ts'
import type { NotificationDocument } from './model.ts'
import type { NotificationStore } from './notifications.ts'
import type { Preferences } from './preferences.ts'

/** Waiting notifications read per round, people mailed per round, lines per mail. */
const SCAN_LIMIT = 1000
const PEOPLE_PER_ROUND = 50
const LINES_PER_MAIL = 50

export interface DigestOptions {
  transport: Transporter
  from: string
  /** At most one mail per person in this time; a mail waits until its oldest line is this old, gathering what follows. */
  intervalMs: number
  /** How often the loop looks for digests that are due. */
  checkMs: number
  store: NotificationStore
  preferences: Preferences
  /** The person's address and language, or null: no mail for them. */
  addressOf: (person: string) => Promise<{ email: string, locale: Locale } | null>
  siteName: () => string
  baseUrl: string
  now: () => Date
  log: FastifyBaseLogger
}

/**
 * Mails each person a digest of their unread notifications: one loop with a timer, a
 * bounded round each time, stopped with the app. A failed mail is tried again next round.
 */
export function createDigestLoop (options: DigestOptions) {
  const { store, preferences } = options
  let timer: NodeJS.Timeout | null = null
  let running: Promise<void> | null = null
  let stopped = false

  const due = async (): Promise<Map<string, Date>> => {
    const waiting = await store.collection.find({ mailedAt: null, readAt: null }, { sort: { createdAt: 1 }, limit: SCAN_LIMIT, projection: { recipient: 1, createdAt: 1 } }).toArray()
    const oldest = new Map<string, Date>()
    for (const notification of waiting) if (!oldest.has(notification.recipient)) oldest.set(notification.recipient, notification.createdAt)
    return oldest
  }

  const mail = async (person: string, address: { email: string, locale: Locale }, lines: NotificationDocument[]): Promise<void> => {
    const t = translator(address.locale)
    const site = options.siteName()
    const text = [
      t('digest.greeting', { site }),
      '',
      ...lines.map(line => `- ${describeNotification(t, line)}\n  ${options.baseUrl}${line.subject.href}`),
      '',
      t('digest.footer', { url: `${options.baseUrl}/notifications` })
    ].join('\n')
    await options.transport.sendMail({ from: options.from, to: address.email, subject: t('digest.subject', { site, count: lines.length }), text })
    options.log.info({ person, lines: lines.length }, 'notification digest mailed')
  }

  const round = async (): Promise<void> => {
    const now = options.now()
    let mailed = 0
    for (const [person, oldest] of await due()) {
      if (stopped || mailed >= PEOPLE_PER_ROUND) return
      if (now.getTime() - oldest.getTime() < options.intervalMs) continue
      const last = (await preferences.of(person)).lastDigestAt
      if (last !== undefined && now.getTime() - last.getTime() < options.intervalMs) continue
      const waiting = { recipient: person, mailedAt: null, readAt: null }
      const address = await options.addressOf(person)
      if (address === null) {
        // Nobody to mail: these are handled, so they do not hold up the people after them.
        await store.collection.updateMany(waiting, { $set: { mailedAt: now } })
        continue
      }
      const lines = await store.collection.find(waiting, { sort: { updatedAt: -1 }, limit: LINES_PER_MAIL }).toArray()
      await mail(person, address, lines)
      await store.collection.updateMany({ _id: { $in: lines.map(line => line._id) } }, { $set: { mailedAt: now } })
      // The rest of a very long list waits for the next digest rather than coming in a second mail now.
      await preferences.markDigestSent(person, now)
      mailed++
    }
  }

  const schedule = (): void => {
    if (stopped) return
    timer = setTimeout(() => {
      running = round()
        .catch((error: unknown) => { options.log.warn({ err: error }, 'notification digest round failed; trying again later') })
        .finally(() => { running = null; schedule() })
    }, options.checkMs)
    timer.unref()
  }

  return {
    start (): void { schedule() },
    async stop (): Promise<void> {
      stopped = true
      if (timer !== null) clearTimeout(timer)
      await running
      options.transport.close()
    }
  }
}
