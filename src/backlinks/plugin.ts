import type { PageDocument } from '../wiki/model.ts'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import fastifyPlugin from 'fastify-plugin'
import { LRUCache } from 'lru-cache'
import { assertCanRead, seesLocalPages } from '../auth/visibility.ts'
import type { EventBus } from '../events/index.ts'
import type { FederationEvents, RemotePageSnapshot } from '../federation/events.ts'
import { createMarkdownRenderer } from '../markdown/render.ts'
import { createRenderThread } from '../markdown/render-thread.ts'
import type { PageSnapshot, WikiEvents } from '../wiki/events.ts'
import { PageDeletedError, PageNotFoundError } from '../wiki/errors.ts'
import { createLinkIndex, type Backlink, type LinkSourceDocument } from './link-index.ts'
import { createLinkReader, linksToThisWiki } from './link-targets.ts'
import { createYielder, reconcileLinks } from './reindex.ts'

export interface BacklinksPluginOptions {
  events: EventBus<WikiEvents & FederationEvents>
  baseUrl: string
}

/** Backlinks listed on a page and in one JSON answer; a page with more says so. */
const SHOWN = 200
const SlugParams = Type.Object({ slug: Type.String({ minLength: 1, maxLength: 200 }) })

interface BacklinkList { backlinks: Backlink[], more: boolean }

declare module 'fastify' {
  interface FastifyInstance {
    backlinks: {
      /** Settles when the comparison of the link index with the pages, begun when the app is ready, is done. */
      reconciled: () => Promise<void>
    }
  }
}

/**
 * "What links here": a link index kept from the wiki's and federation's events (a store
 * index on the link targets), read once per page view and answered across renames, since a
 * page is found under its slug and every slug it had.
 */
export const backlinksPlugin = fastifyPlugin(async (parent: FastifyInstance, options: BacklinksPluginOptions) => {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>()
  const { events, baseUrl } = options
  const index = createLinkIndex(app.store.db)
  await index.ensureIndexes()
  const thread = createRenderThread()
  const reader = createLinkReader({ renderer: createMarkdownRenderer(), thread })
  // Answers are kept until the next change of any page's links: views of a page then cost no query.
  const answers = new LRUCache<string, BacklinkList>({ max: 1000 })
  let closed = false
  // Sources written by events while the start-up comparison runs: newer than what it read. Null otherwise.
  let touched: Set<string> | null = null

  // One write per source at a time, in event order: a slow read of an older text cannot overwrite a newer one.
  const queues = new Map<string, Promise<void>>()
  const inOrder = async (key: string, write: () => Promise<void>): Promise<void> => {
    touched?.add(key)
    const previous = queues.get(key) ?? Promise.resolve()
    const next = previous.then(write, write).finally(() => { if (queues.get(key) === next) queues.delete(key) })
    queues.set(key, next)
    await next
    answers.clear()
  }

  const localSource = async (page: PageSnapshot): Promise<LinkSourceDocument> => ({
    _id: `local:${page.id}`,
    kind: 'local',
    title: page.title,
    href: `/wiki/${page.slug}`,
    visibility: page.fields.visibility,
    origin: null,
    version: page.revisionId,
    targets: await reader.wikiLinkTargets(page.source, page.language)
  })
  const remoteSource = (page: RemotePageSnapshot): LinkSourceDocument => ({
    _id: `remote:${page.id}`,
    kind: 'remote',
    title: page.title,
    href: page.localUrl,
    visibility: 'public',
    origin: page.origin,
    version: String(page.updatedAt.getTime()),
    targets: linksToThisWiki(page.text, baseUrl)
  })

  events.on('page.saved', async ({ page }) => { await inOrder(`local:${page.id}`, async () => { await index.record(await localSource(page)) }) })
  events.on('page.deleted', async ({ id }) => { await inOrder(`local:${id}`, async () => { await index.remove(`local:${id}`) }) })
  events.on('remote.saved', async ({ page }) => { await inOrder(`remote:${page.id}`, async () => { await index.record(remoteSource(page)) }) })
  events.on('remote.deleted', async ({ id }) => { await inOrder(`remote:${id}`, async () => { await index.remove(`remote:${id}`) }) })

  // A batch's writes go to the store together: the embedded engine shares one fsync among writes
  // that arrive at once, where one after the other they waited for 10,000 fsyncs at 10,000 pages.
  const recordAll = async (sources: LinkSourceDocument[]): Promise<void> => {
    // A source an event wrote while the batch was read is newer than what the batch read.
    await Promise.all(sources.filter(source => touched?.has(source._id) !== true).map(async source => { await index.record(source) }))
  }

  let reconciling: Promise<unknown> = Promise.resolve()
  app.decorate('backlinks', { reconciled: async () => { await reconciling } })
  app.addHook('onReady', async () => {
    const written = new Set<string>()
    touched = written
    reconciling = reconcileLinks(index, [
      {
        prefix: 'local:',
        versions: app.wiki.pageVersions,
        reindex: async ids => {
          const yieldNow = createYielder()
          const sources: LinkSourceDocument[] = []
          for await (const page of app.wiki.pageSnapshots(ids)) {
            sources.push(await localSource(page))
            await yieldNow()
          }
          await recordAll(sources)
        }
      },
      {
        prefix: 'remote:',
        versions: app.federation.remotePages.versions,
        reindex: async ids => {
          const yieldNow = createYielder()
          const sources: LinkSourceDocument[] = []
          for await (const page of app.federation.remotePages.snapshots(ids)) {
            sources.push(remoteSource(page))
            await yieldNow()
          }
          await recordAll(sources)
        }
      }
    ], { touched: written, stopped: () => closed })
      .then(result => { answers.clear(); app.log.debug(result, 'link index in line with the pages') })
      .catch((error: unknown) => { app.log.error({ err: error }, 'reindexing the links failed') })
      .finally(() => { touched = null })
  })
  app.addHook('onClose', async () => {
    closed = true
    await reconciling
    await Promise.allSettled([...queues.values()])
    await thread.close()
  })

  const backlinksOf = async (request: FastifyRequest, page: { _id: { toHexString: () => string }, slug: string, formerSlugs: string[] }): Promise<BacklinkList> => {
    const includeLocal = seesLocalPages(request)
    // The slug first, then the names it had most recently.
    const names = [page.slug, ...page.formerSlugs.slice().reverse()]
    const key = `${includeLocal ? 'all' : 'outward'}:${page._id.toHexString()}:${names.join(' ')}`
    let list = answers.get(key)
    if (list === undefined) {
      list = await index.linksTo(names, { self: `local:${page._id.toHexString()}`, includeLocal, limit: SHOWN })
      answers.set(key, list)
    }
    return list
  }

  // What links to the page as it stands; not shown in a preview or an old revision.
  app.pageExtras.push(async (request, page, view) => view === 'page' && '_id' in page ? { backlinks: await backlinksOf(request, page as PageDocument) } : {})

  app.get('/api/pages/:slug/backlinks', { schema: { params: SlugParams } }, async (request, reply) => {
    const found = await app.wiki.resolve(request.params.slug)
    if (found.kind === 'moved') return await reply.redirect(`/api/pages/${found.slug}/backlinks`, 301)
    if (found.kind === 'missing') throw new PageNotFoundError(request.params.slug)
    if (found.kind === 'deleted') throw new PageDeletedError(found.page)
    assertCanRead(request, found.page)
    const { backlinks, more } = await backlinksOf(request, found.page)
    return {
      slug: found.page.slug,
      backlinks: backlinks.map(link => ({ ...link, url: `${baseUrl}${link.href}` })),
      more
    }
  })
}, { name: 'praxiswiki-backlinks', fastify: '5.x', dependencies: ['praxiswiki-http', 'praxiswiki-auth', 'praxiswiki-wiki', 'praxiswiki-federation'] })
