import { LRUCache } from 'lru-cache'
import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { render } from '../http/context.ts'
import type { ReaderCache } from '../http/reader-cache.ts'
import { varyOn } from '../http/transfer.ts'
import { FACETS, LessonQuery, queryOf, selectionOf, selectLessons, type Facet, type LessonResults, type LessonSelection } from './browse.ts'
import { lessonJson, type ExportContext } from './exports.ts'
import { fieldLabel } from './field-labels.ts'
import { prefersJsonLd, sendJsonLd } from './export-routes.ts'
import type { Lesson } from './schema.ts'
import type { LessonService } from './service.ts'
import { coProductionLabel, impactLabel, lessonView, outcomeLabel } from './view.ts'
import { exportableLessons, visibleLessons } from './visible-lessons.ts'

export interface BrowseRoutesOptions {
  lessons: LessonService
  baseUrl: string
  /** Asked per request: an admin may rename the site at any time. */
  siteName: () => string
  readerCache?: ReaderCache
}

/** Selections kept per version of the list. */
const SELECTIONS_KEPT = 64

/** The lesson list with its filters, sort and pages, for people (/lessons) and programs (/api/lessons). */
export async function browseRoutes (parent: FastifyInstance, options: BrowseRoutesOptions): Promise<void> {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>()
  const { lessons } = options
  const exportContext = (): ExportContext => ({ baseUrl: options.baseUrl, siteName: options.siteName() })
  // Readers ask for the same selections again and again: each is filtered, sorted and counted
  // once per version of the list (a new array whenever a lesson changes).
  const selections = new WeakMap<readonly Lesson[], LRUCache<string, LessonResults>>()
  const select = (visible: readonly Lesson[], selection: LessonSelection): LessonResults => {
    let kept = selections.get(visible)
    if (kept === undefined) {
      kept = new LRUCache({ max: SELECTIONS_KEPT })
      selections.set(visible, kept)
    }
    const key = JSON.stringify(selection)
    let results = kept.get(key)
    if (results === undefined) {
      results = selectLessons(visible, selection)
      kept.set(key, results)
    }
    return results
  }
  // Kept for readers; a client asking for JSON-LD here is never answered from what was kept (`readerOf` in app.ts).
  const kept = options.readerCache === undefined ? {} : { onSend: options.readerCache.keep }

  app.get('/lessons', { ...kept, schema: { querystring: LessonQuery } }, async (request, reply) => {
    const selection = selectionOf(request.query)
    if (prefersJsonLd(request)) return await sendJsonLd(reply, await exportableLessons(lessons, selection), exportContext())
    // The same address answers JSON-LD: shared caches must keep the two apart.
    varyOn(reply, 'Accept')
    const results = select(await visibleLessons(lessons, request), selection)
    const t = request.t
    const facetLabel = (facet: Facet, value: string): string => {
      if (facet === 'outcome') return outcomeLabel(t, value as Lesson['outcome'])
      if (facet === 'coProduction') return coProductionLabel(t, value)
      if (facet === 'impactStep') return impactLabel(t, Number(value))
      if (facet === 'field') return fieldLabel(t, value)
      if (facet === 'origin' && value === 'local') return t('lessons.origin.local')
      return value
    }
    const query = queryOf(selection)
    return await render(request, reply, 'lessons', {
      title: t('lessons.heading'),
      lessons: results.lessons.map(lesson => lessonView(t, lesson)),
      total: results.total,
      sort: selection.sort,
      perPage: selection.perPage,
      facets: FACETS.map(facet => ({
        name: facet,
        label: t(`lessons.filter.${facet}`),
        options: results.facets[facet].map(item => ({ ...item, label: facetLabel(facet, item.value) }))
      })),
      previousHref: results.page > 1 ? `/lessons${queryOf(selection, { page: String(results.page - 1) })}` : null,
      nextHref: results.page < results.pageCount ? `/lessons${queryOf(selection, { page: String(results.page + 1) })}` : null,
      exports: {
        csv: `/lessons.csv${query}`,
        json: `/api/lessons${query}`,
        jsonld: `/lessons.jsonld${query}`,
        geojson: `/api/lessons.geojson${query}`
      }
    })
  })

  app.get('/api/lessons', { schema: { querystring: LessonQuery } }, async (request) => {
    const selection = selectionOf(request.query)
    const results = select(await visibleLessons(lessons, request), selection)
    return {
      total: results.total,
      page: results.page,
      pageCount: results.pageCount,
      perPage: selection.perPage,
      lessons: results.lessons.map(lesson => lessonJson(lesson, exportContext())),
      facets: results.facets
    }
  })
}
