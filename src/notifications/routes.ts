import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { canSeeVisibility } from '../auth/roles.ts'
import { FORM_BODY_LIMIT } from '../auth/schemas.ts'
import { render } from '../http/context.ts'
import { translator } from '../i18n/index.ts'
import type { WikiService } from '../wiki/service.ts'
import { PageDeletedError, PageNotFoundError } from '../wiki/errors.ts'
import { describeNotification } from './describe.ts'
import { UnknownFeedError } from './errors.ts'
import { notificationFeed } from './feed.ts'
import type { NotificationStore } from './notifications.ts'
import type { Preferences } from './preferences.ts'
import { EmptyBody, IdParams, ListQuery, PreferencesBody, SecretParams, WatchBody } from './schemas.ts'
import type { Watches } from './watches.ts'

export interface NotificationRoutesOptions {
  store: NotificationStore
  watches: Watches
  preferences: Preferences
  wiki: WikiService
  lessonFields: readonly string[]
  baseUrl: string
  siteName: () => string
  /** The feed is read without a session: the account's role and language come from here. */
  accountOf: (person: string) => Promise<{ role: Parameters<typeof canSeeVisibility>[1], locale?: 'de' | 'en', disabled: boolean } | null>
}

const FEED_LENGTH = 50
const small = { bodyLimit: FORM_BODY_LIMIT }

/** The notifications page, marking read, watching, the per-person settings and the private feed. */
export async function notificationRoutes (parent: FastifyInstance, options: NotificationRoutesOptions): Promise<void> {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>()
  const { store, watches, preferences } = options
  const personOf = (request: FastifyRequest): string => request.account?.username ?? ''

  app.get('/notifications', { schema: { querystring: ListQuery } }, async (request, reply) => {
    const person = personOf(request)
    const page = request.query.page ?? 1
    const { items, more } = await store.list(person, page)
    const role = request.account?.role ?? null
    return await render(request, reply, 'notifications', {
      title: request.t('notifications.title'),
      unread: await store.unreadCount(person),
      notifications: items
        // A page made local after the notification was made is not shown to those who may not read it now.
        .filter(item => canSeeVisibility(item.subject.visibility, role))
        .map(item => ({ id: item._id.toHexString(), text: describeNotification(request.t, item), href: item.subject.href, at: item.updatedAt, unread: item.readAt === null })),
      previousHref: page > 1 ? `/notifications?page=${page - 1}` : null,
      nextHref: more ? `/notifications?page=${page + 1}` : null,
      noindex: true
    })
  })

  app.post('/notifications/:id/read', { ...small, schema: { params: IdParams, body: EmptyBody } }, async (request, reply) => {
    await store.markRead(personOf(request), request.params.id)
    return await reply.redirect('/notifications', 303)
  })

  app.post('/notifications/read-all', { ...small, schema: { body: EmptyBody } }, async (request, reply) => {
    await store.markAllRead(personOf(request))
    return await reply.redirect('/notifications', 303)
  })

  app.post('/notifications/watch', { ...small, schema: { body: WatchBody } }, async (request, reply) => {
    const person = personOf(request)
    const { kind, watch } = request.body
    const key = request.body.key.trim()
    if (kind === 'page') {
      // A deleted page can still be unwatched, not watched anew.
      const page = await watchablePage(options.wiki, key, watch === 'no')
      if (watch === 'yes') await watches.watch(person, 'page', page.id, page.title, `/wiki/${page.slug}`)
      else await watches.unwatch(person, 'page', page.id)
      // The page's kept views show the button as it was.
      request.server.bodyCache.clear()
      return await reply.redirect(page.deleted ? '/notifications/watching' : `/wiki/${page.slug}`, 303)
    }
    if (watch === 'yes') await watches.watch(person, kind, key, key)
    else await watches.unwatch(person, kind, key)
    return await reply.redirect('/notifications/watching', 303)
  })

  const watchingPage = async (request: FastifyRequest, reply: FastifyReply, state: { feedUrl?: string, message?: string } = {}) => {
    const person = personOf(request)
    const [list, settings] = await Promise.all([watches.list(person), preferences.of(person)])
    reply.header('Cache-Control', 'no-store')
    return await render(request, reply, 'notifications-watching', {
      title: request.t('notifications.watchingTitle'),
      // Pages are watched by id (a renamed page stays watched); the form names them by their address.
      watches: list.map(watch => ({
        kind: watch.kind,
        kindLabel: request.t(`notifications.watchKind.${watch.kind}`),
        key: watch.kind === 'page' ? (watch.href ?? '').replace(/^\/wiki\//, '') : watch.key,
        label: watch.label,
        href: watch.href ?? null
      })),
      lessonFields: options.lessonFields,
      watchEdited: settings.watchEdited !== false,
      hasFeed: typeof settings.feedHash === 'string',
      feedUrl: state.feedUrl ?? null,
      message: state.message ?? null,
      noindex: true
    })
  }

  app.get('/notifications/watching', async (request, reply) => await watchingPage(request, reply))

  app.post('/notifications/preferences', { ...small, schema: { body: PreferencesBody } }, async (request, reply) => {
    await preferences.setWatchEdited(personOf(request), request.body?.watchEdited === 'yes')
    return await watchingPage(request, reply, { message: request.t('notifications.preferencesSaved') })
  })

  app.post('/notifications/feed', { ...small, schema: { body: EmptyBody } }, async (request, reply) => {
    const secret = await preferences.renewFeedSecret(personOf(request))
    return await watchingPage(request, reply, { feedUrl: `${options.baseUrl}/notifications/feed/${secret}` })
  })

  app.post('/notifications/feed/revoke', { ...small, schema: { body: EmptyBody } }, async (request, reply) => {
    await preferences.revokeFeed(personOf(request))
    return await watchingPage(request, reply, { message: request.t('notifications.feedRevoked') })
  })

  app.get('/notifications/feed/:secret', { schema: { params: SecretParams } }, async (request, reply) => {
    const person = await preferences.personOfFeed(request.params.secret)
    const account = person === null ? null : await options.accountOf(person)
    if (person === null || account === null || account.disabled) throw new UnknownFeedError()
    const locale = account.locale ?? request.locale
    const notifications = (await store.latest(person, FEED_LENGTH)).filter(item => canSeeVisibility(item.subject.visibility, account.role))
    reply.header('Cache-Control', 'private, no-store')
    reply.header('X-Robots-Tag', 'noindex')
    return await reply.type('application/atom+xml; charset=utf-8').send(notificationFeed({ t: translator(locale), locale, baseUrl: options.baseUrl, siteName: options.siteName(), person, notifications }))
  })
}

/** The live page a watch button names, by its slug (or a former one). */
async function watchablePage (wiki: WikiService, slug: string, deletedToo: boolean): Promise<{ id: string, slug: string, title: string, deleted: boolean }> {
  const found = await wiki.resolve(slug)
  const resolved = found.kind === 'moved' ? await wiki.resolve(found.slug) : found
  if (resolved.kind === 'deleted' && !deletedToo) throw new PageDeletedError(resolved.page)
  if (resolved.kind !== 'page' && resolved.kind !== 'deleted') throw new PageNotFoundError(slug)
  return { id: resolved.page._id.toHexString(), slug: resolved.page.slug, title: resolved.page.title, deleted: resolved.kind === 'deleted' }
}
