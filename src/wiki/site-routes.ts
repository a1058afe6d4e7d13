import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { Locale } from '../i18n/index.ts'
import type { PageRenderer } from '../markdown/page-renderer.ts'
import type { WikiService } from './service.ts'
import { seesLocalPages } from '../auth/visibility.ts'
import { render } from '../http/context.ts'
import { escapeXml } from '../http/xml.ts'
import { renderPageHtml } from './page-html.ts'
import type { ReaderCache } from '../http/reader-cache.ts'

export interface SiteRoutesOptions {
  wiki: WikiService
  renderer: PageRenderer
  baseUrl: string
  siteName: () => string
  /** The page shown on the home page for each interface language. */
  homePages: Record<Locale, string>
  /** Recently received pages of other organisations, listed beside the wiki's own changes. */
  remoteChanges?: (limit: number) => Promise<RemoteChange[]>
  /** The organisation's fediverse handle (wiki@host), shown in the home page's footer to copy. */
  fediverseHandle?: string
  /** Keeps the home page and recent changes for readers who are not signed in. */
  readerCache?: ReaderCache
}

export interface RemoteChange {
  localUrl: string
  title: string
  organisation: string
  origin: string
  updated: Date
}

const RECENT_LIMIT = 100
const REMOTE_LIMIT = 50
const FEED_LIMIT = 50
const HOME_CHANGES = 10
// One sitemap file holds at most 50,000 URLs.
const SITEMAP_LIMIT = 50_000

/** Home, recent changes, the Atom feed and the sitemap; lessons have their own plugin. */
export async function siteRoutes (parent: FastifyInstance, options: SiteRoutesOptions): Promise<void> {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>()
  const { wiki, renderer, baseUrl } = options
  const kept = options.readerCache === undefined ? {} : { onSend: options.readerCache.keep }

  app.get('/', kept, async (request, reply) => {
    const changes = await wiki.recentChanges(HOME_CHANGES, { includeLocal: seesLocalPages(request) })
    const found = await wiki.resolve(options.homePages[request.locale])
    // A local home page is for members; visitors get the plain home page.
    const fediverseHandle = options.fediverseHandle ?? null
    if (found.kind !== 'page' || (found.page.fields.visibility === 'local' && !seesLocalPages(request))) return await render(request, reply, 'home', { title: options.siteName(), changes, rendered: null, fediverseHandle })
    const page = found.page
    const rendered = await renderPageHtml(renderer, request, page)
    return await render(request, reply, 'home', { title: page.title, page, rendered, changes, fediverseHandle })
  })

  app.get('/recent-changes', kept, async (request, reply) => {
    const changes = await wiki.recentChanges(RECENT_LIMIT, { includeLocal: seesLocalPages(request) })
    const remoteChanges = options.remoteChanges ? await options.remoteChanges(REMOTE_LIMIT) : []
    return await render(request, reply, 'recent', { title: request.t('recent.heading'), changes, remoteChanges })
  })

  app.get('/feed.atom', async (request, reply) => {
    const changes = await wiki.recentChanges(FEED_LIMIT, { includeLocal: seesLocalPages(request) })
    const updated = (changes[0]?.createdAt ?? new Date(0)).toISOString()
    const entries = changes.map(change => {
      const url = `${baseUrl}/wiki/${change.currentSlug}/revisions/${change._id.toHexString()}`
      const kind = request.t(`kind.${change.kind}`)
      const summary = change.message === '' ? kind : `${kind}: ${change.message}`
      return [
        '  <entry>',
        `    <id>${escapeXml(url)}</id>`,
        `    <title>${escapeXml(change.title)}</title>`,
        `    <link rel="alternate" type="text/html" href="${escapeXml(url)}"/>`,
        `    <updated>${change.createdAt.toISOString()}</updated>`,
        `    <author><name>${escapeXml(change.author ?? request.t('history.anonymous'))}</name></author>`,
        `    <summary>${escapeXml(summary)}</summary>`,
        '  </entry>'
      ].join('\n')
    })
    const feed = [
      '<?xml version="1.0" encoding="utf-8"?>',
      `<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="${request.locale}">`,
      `  <id>${escapeXml(baseUrl)}/feed.atom</id>`,
      `  <title>${escapeXml(request.t('recent.feedTitle', { site: options.siteName() }))}</title>`,
      `  <link rel="self" type="application/atom+xml" href="${escapeXml(baseUrl)}/feed.atom"/>`,
      `  <link rel="alternate" type="text/html" href="${escapeXml(baseUrl)}/recent-changes"/>`,
      `  <updated>${updated}</updated>`,
      ...entries,
      '</feed>',
      ''
    ].join('\n')
    return await reply.type('application/atom+xml; charset=utf-8').send(feed)
  })

  app.get('/sitemap.xml', async (_request, reply) => {
    // Only public pages: unlisted and local ones are not for search engines.
    const pages = (await wiki.allPages()).filter(page => page.fields.visibility === 'public').slice(0, SITEMAP_LIMIT)
    const urls = pages.map(page => `  <url><loc>${escapeXml(`${baseUrl}/wiki/${page.slug}`)}</loc><lastmod>${page.updatedAt.toISOString()}</lastmod></url>`)
    const xml = [
      '<?xml version="1.0" encoding="utf-8"?>',
      '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
      ...urls,
      '</urlset>',
      ''
    ].join('\n')
    return await reply.type('application/xml; charset=utf-8').send(xml)
  })
}
