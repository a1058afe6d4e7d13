import path from 'node:path'
import type { FastifyInstance } from 'fastify'
import fastifyPlugin from 'fastify-plugin'
import type { EventBus } from '../events/index.ts'
import type { FederationEvents, RemotePageSnapshot } from '../federation/events.ts'
import type { PageSnapshot, WikiEvents } from '../wiki/events.ts'
import { documentFromPage, documentFromRemote } from './document.ts'
import { searchRoutes } from './routes.ts'
import { createSearchIndex, type DocumentSource, type SearchIndex, type SearchIndexOptions } from './search-index.ts'
import { remoteDocumentSource, wikiDocumentSource, type SnapshotReader } from './sources.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * Full-text search: `upsert`/`remove` documents, `query`, `status`, `ready`, `settled`, `events`.
     * Not `search`: Fastify 5 already uses that name for the HTTP SEARCH method.
     */
    searchIndex: SearchIndex
  }
}

/** Tuning that tests and benchmarks change; the defaults suit a server. */
export type SearchTuning = Pick<SearchIndexOptions, 'workers' | 'shardSize' | 'debounceMs' | 'cacheSize'>

export interface SearchSetupOptions extends SearchTuning {
  dataDir: string
  /** The wiki's pages and federation's remote pages, read through their public functions. */
  pages: SnapshotReader<PageSnapshot>
  remotePages: SnapshotReader<RemotePageSnapshot>
  events: EventBus<WikiEvents & FederationEvents>
  baseUrl: string
  /** More document sources besides the wiki's pages, e.g. remote pages from federation. */
  sources?: DocumentSource[]
}

/**
 * Starts the index in the background (the server answers while it loads), keeps it in
 * step with the wiki's page events, and adds the search routes. Shard files go to
 * `DATA_DIR/search` with either storage engine.
 */
export async function registerSearch (app: FastifyInstance, options: SearchSetupOptions): Promise<SearchIndex> {
  const { dataDir, pages, remotePages, events, baseUrl, sources = [], ...tuning } = options
  const search = createSearchIndex({
    dir: path.join(dataDir, 'search'),
    sources: [wikiDocumentSource(pages), remoteDocumentSource(remotePages), ...sources],
    log: app.log,
    ...tuning
  })
  app.decorate('searchIndex', search)
  // Renames keep the page id, so the document is replaced in place with its new URL.
  const unsubscribe = [
    events.on('page.saved', event => { search.upsert(documentFromPage(event.page)) }),
    events.on('page.deleted', event => { search.remove(event.id) }),
    // A page whose publisher does not consent to search leaves the index (FEP-5feb).
    events.on('remote.saved', event => { if (event.page.indexable !== false) search.upsert(documentFromRemote(event.page)); else search.remove(event.page.id) }),
    events.on('remote.deleted', event => { search.remove(event.id) })
  ]
  app.addHook('onClose', async () => {
    for (const off of unsubscribe) off()
    await search.close()
  })
  await app.register(searchRoutes, { search, baseUrl })
  return search
}

/** Search as a plugin: it reads the wiki's pages and federation's remote pages, so it comes after both. */
export const searchPlugin = fastifyPlugin(async (app: FastifyInstance, options: SearchSetupOptions) => {
  await registerSearch(app, options)
}, { name: 'praxiswiki-search', fastify: '5.x', dependencies: ['praxiswiki-http', 'praxiswiki-auth', 'praxiswiki-wiki', 'praxiswiki-federation'] })
