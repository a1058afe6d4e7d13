import type { PageRenderer } from '../markdown/page-renderer.ts'
import type { PageDeletedEvent, PageSavedEvent, PageSnapshot } from '../wiki/events.ts'
import type { FederationEventBus } from './events.ts'
import type { FederationCore } from './core.ts'
import { addressingFor, isOutward, pageToArticle } from './articles.ts'

export interface PublisherOptions {
  core: FederationCore
  events: FederationEventBus
  renderer: PageRenderer
  baseUrl: string
  log: { warn: (message: string) => void }
  /** Told of each Article that stopped being public (made unlisted, local or deleted): its quotes end. */
  onNoLongerPublic?: (articleId: string) => Promise<unknown>
}

/**
 * Turns wiki events into activities: `Create` the first time a page becomes
 * visible outward, `Update` after that, `Delete` with a `Tombstone` when it is
 * deleted or made local again. The Article's id is the page's id, so renames
 * keep it. Work for one page runs in order; different pages run side by side.
 * A save still waiting when a newer save of its page arrives is not published:
 * the newer one carries the page as it is. Publishing (JSON-LD, several durable
 * writes) takes longer than a save, so a run of quick saves would otherwise leave
 * a queue whose writes go to the journal ahead of the saves that follow.
 */
export function createPublisher (options: PublisherOptions) {
  const { core, renderer, baseUrl } = options
  const { apex } = core
  const chains = new Map<string, Promise<void>>()
  /** The newest save of each page whose publishing has not started yet. */
  const newestSaves = new Map<string, PageSavedEvent>()
  let settled = Promise.resolve()

  function articleIdOf (pageId: string): string {
    return apex.utils.objectIdToIRI(pageId)
  }

  function serially (pageId: string, work: () => Promise<void>): Promise<void> {
    const previous = chains.get(pageId) ?? Promise.resolve()
    const next = previous.then(work).catch(error => { options.log.warn(`publishing page ${pageId} failed: ${(error as Error).message}`) })
    chains.set(pageId, next)
    settled = Promise.all([settled, next]).then(() => {})
    void next.finally(() => { if (chains.get(pageId) === next) chains.delete(pageId) })
    return next
  }

  async function articleFor (page: PageSnapshot, actorId: string, followersId: string): Promise<Record<string, unknown>> {
    const rendered = await renderer.render({
      revisionId: page.revisionId,
      source: page.source,
      language: page.language,
      locale: page.language,
      missingPageTitle: ''
    })
    return pageToArticle({ page, articleId: articleIdOf(page.id), actorId, followersId, baseUrl, html: rendered.html })
  }

  async function published (articleId: string): Promise<Record<string, any> | null> {
    const existing = await apex.store.getObject(articleId, true)
    return existing && existing.type !== 'Tombstone' ? existing : null
  }

  async function onSaved (event: PageSavedEvent): Promise<void> {
    const actor = await core.actor()
    const articleId = articleIdOf(event.page.id)
    const stored = await apex.store.getObject(articleId, true)
    const existing = stored && stored.type !== 'Tombstone' ? stored : null
    if (event.page.fields.visibility !== 'public' && existing) await options.onNoLongerPublic?.(articleId)
    // `federate: false` keeps a public page at home (the starter help pages say so); removing it sends the page.
    if (!isOutward(event.page.fields.visibility) || event.page.frontMatter.federate === false) {
      if (existing) await withdraw(articleId, existing)
      return
    }
    const followersId = actor.followers[0] as string
    const article = await apex.fromJSONLD({ '@context': apex.context, ...(await articleFor(event.page, actor.id, followersId)) })
    if (stored) {
      // activitypub-express keeps a copy of the Article in every activity and rewrites them all
      // with each new version, so earlier Updates would only repeat the one added below:
      // they give way to it rather than make every save of a long-edited page cost more.
      await apex.store.db.collection('streams').deleteMany({ type: 'Update', actor: actor.id, 'object.id': articleId, '_meta.collection': actor.outbox[0] })
      await apex.store.updateObject(article, actor.id, true)
    } else {
      await apex.store.saveObject(article)
    }
    const addressing = addressingFor(event.page.fields.visibility, followersId)
    const activity = await apex.buildActivity(existing ? 'Update' : 'Create', actor.id, addressing.to, { object: article, cc: addressing.cc })
    await apex.addToOutbox(actor, activity)
  }

  async function withdraw (articleId: string, existing: Record<string, any>): Promise<void> {
    const actor = await core.actor()
    const tombstone = await apex.buildTombstone({ id: articleId })
    await apex.store.updateObject(tombstone, actor.id, true)
    // Everyone who could have received the page learns it is gone.
    const wasPublic = [...(existing.to ?? []), ...(existing.cc ?? [])].some((address: string) => address === apex.consts.publicAddress || address.endsWith('#Public'))
    const addressing = addressingFor(wasPublic ? 'public' : 'unlisted', actor.followers[0] as string)
    const activity = await apex.buildActivity('Delete', actor.id, addressing.to, { object: tombstone, cc: addressing.cc })
    await apex.addToOutbox(actor, activity)
  }

  async function onDeleted (event: PageDeletedEvent): Promise<void> {
    const articleId = articleIdOf(event.id)
    const existing = await published(articleId)
    if (existing) await options.onNoLongerPublic?.(articleId)
    if (existing) await withdraw(articleId, existing)
  }

  const unsubscribe = [
    options.events.on('page.saved', event => {
      newestSaves.set(event.page.id, event)
      return serially(event.page.id, async () => {
        if (newestSaves.get(event.page.id) !== event) return
        newestSaves.delete(event.page.id)
        await onSaved(event)
      })
    }),
    options.events.on('page.deleted', event => serially(event.id, () => onDeleted(event)))
  ]

  return {
    articleIdOf,
    /** Resolves once every event so far has been published (for tests and shutdown). */
    idle: (): Promise<void> => settled,
    stop: (): void => { for (const off of unsubscribe) off() }
  }
}

export type Publisher = ReturnType<typeof createPublisher>
