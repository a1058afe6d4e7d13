import type { PageDocument } from '../wiki/model.ts'
import type { FastifyInstance } from 'fastify'
import fastifyPlugin from 'fastify-plugin'
import { LRUCache } from 'lru-cache'
import nodemailer from 'nodemailer'
import { showsHeader } from '../auth/access.ts'
import { canSeeVisibility, hasRole } from '../auth/roles.ts'
import type { EventBus } from '../events/index.ts'
import type { FederationEvents } from '../federation/events.ts'
import type { WikiEvents } from '../wiki/events.ts'
import { createDigestLoop } from './digest.ts'
import { createNotificationStore, type NotifyInput } from './notifications.ts'
import { createPreferences } from './preferences.ts'
import { notificationRoutes } from './routes.ts'
import { subscribeNotifications } from './subscribers.ts'
import { createWatches, type Watches } from './watches.ts'

export interface NotificationsPluginOptions {
  events: EventBus<WikiEvents & FederationEvents>
  baseUrl: string
  siteName: () => string
  lessonFields: readonly string[]
  /** Notifications older than this are removed. */
  keepDays: number
  /** Digest mails, when an SMTP server is configured. */
  mail?: { smtpUrl: string, from: string, intervalMs: number, checkMs?: number }
  now?: () => Date
}

/** What other domains use: `notify` tells one person of something, `watch` makes someone watch. */
export interface Notifications {
  /**
   * Tells `recipient` that `actor` did `kind` to `subject` (e.g. a comment domain:
   * `{ recipient, kind: 'comment.new', subject: { type: 'page', id, title, href, visibility }, actor }`).
   * Nothing is stored when the recipient is the actor, cannot read the subject or is disabled;
   * unread notifications of one kind about one subject collapse into one with a count.
   */
  notify: (input: NotifyInput) => Promise<boolean>
  watch: Watches['watch']
  /** Everyone watching a page (by its id), for domains that tell them of more than revisions. */
  watchersOfPage: (pageId: string) => Promise<string[]>
}

declare module 'fastify' {
  interface FastifyInstance {
    notifications: Notifications
  }
}

const HOUR = 60 * 60 * 1000
const MAIL_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 }

/**
 * Watching, notifications and e-mail digests, after the wiki, lessons and federation, whose
 * events it listens to. The unread count in the header and the watch button come from
 * memory once known, so a page view asks the store nothing more.
 */
export const notificationsPlugin = fastifyPlugin(async (app: FastifyInstance, options: NotificationsPluginOptions) => {
  const now = options.now ?? (() => new Date())
  const { accounts } = app.auth
  // Who may be told what: a page view's worth of lookups per event at the most, kept briefly.
  const accountCache = new LRUCache<string, { role: Parameters<typeof canSeeVisibility>[1], disabled: boolean, locale?: 'de' | 'en', email?: string } | 'none'>({ max: 5000, ttl: 30_000 })
  const accountOf = async (person: string) => {
    let found = accountCache.get(person)
    if (found === undefined) {
      const account = await accounts.byUsername(person)
      found = account === null ? 'none' : { role: account.role, disabled: account.disabled, locale: account.locale, email: account.email }
      accountCache.set(person, found)
    }
    return found === 'none' ? null : found
  }

  const store = createNotificationStore({
    db: app.store.db,
    now,
    mayBeTold: async (recipient, subject) => {
      const account = await accountOf(recipient)
      return account !== null && !account.disabled && canSeeVisibility(subject.visibility, account.role)
    }
  })
  const watches = createWatches({ db: app.store.db, now })
  const preferences = createPreferences(app.store.db)
  await Promise.all([store.ensureIndexes(), watches.ensureIndexes(), preferences.ensureIndexes()])

  const unsubscribe = subscribeNotifications({
    events: options.events,
    store,
    watches,
    preferences,
    reviewers: async () => (await accounts.list()).filter(account => !account.disabled && hasRole(account.role, 'reviewer')).map(account => account.username).slice(0, 500)
  })
  app.decorate('notifications', {
    notify: store.notify,
    watch: watches.watch,
    watchersOfPage: async (pageId: string) => await watches.watchersOf('page', [pageId])
  } satisfies Notifications)

  // The header shows each signed-in person their unread count; files, JSON and other servers need none.
  app.addHook('preHandler', async (request, reply) => {
    const account = request.account
    if (account === null || request.viaToken) return
    const route = request.routeOptions.url ?? ''
    if (!showsHeader(route) || route.startsWith('/notifications/feed/')) return
    reply.locals = { ...reply.locals, unreadNotifications: await store.unreadCount(account.username) }
  })

  app.pageExtras.push(async (request, page, view) => {
    if (request.account === null || view !== 'page' || !('_id' in page)) return {}
    const watched = await watches.watchedKeys(request.account.username)
    return { watch: { watching: watched.has(`page:${(page as PageDocument)._id.toHexString()}`) } }
  })

  await app.register(notificationRoutes, { store, watches, preferences, wiki: app.wiki, lessonFields: options.lessonFields, baseUrl: options.baseUrl, siteName: options.siteName, accountOf })

  // Old notifications go, read or not: hourly, and once at start.
  let pruneTimer: NodeJS.Timeout | null = null
  const prune = async (): Promise<void> => {
    try {
      await store.prune(new Date(now().getTime() - options.keepDays * 24 * HOUR))
    } catch (error) {
      app.log.warn({ err: error }, 'removing old notifications failed')
    }
  }
  app.addHook('onReady', async () => {
    await prune()
    pruneTimer = setInterval(() => { void prune() }, HOUR)
    pruneTimer.unref()
  })

  const mail = options.mail
  const digest = mail === undefined
    ? null
    : createDigestLoop({
      transport: nodemailer.createTransport({ url: mail.smtpUrl, ...MAIL_TIMEOUTS }),
      from: mail.from,
      intervalMs: mail.intervalMs,
      checkMs: mail.checkMs ?? Math.min(60_000, mail.intervalMs),
      store,
      preferences,
      addressOf: async person => {
        const account = await accountOf(person)
        return account === null || account.disabled || account.email === undefined ? null : { email: account.email, locale: account.locale ?? 'de' }
      },
      siteName: options.siteName,
      baseUrl: options.baseUrl,
      now,
      log: app.log
    })
  app.addHook('onReady', async () => { digest?.start() })
  app.addHook('onClose', async () => {
    for (const off of unsubscribe) off()
    if (pruneTimer !== null) clearInterval(pruneTimer)
    await digest?.stop()
  })
}, { name: 'praxiswiki-notifications', fastify: '5.x', dependencies: ['praxiswiki-http', 'praxiswiki-auth', 'praxiswiki-wiki', 'praxiswiki-federation'] })
