import type { FastifyInstance } from 'fastify'
import { render } from '../http/context.ts'
import type { ReaderCache } from '../http/reader-cache.ts'
import { createBasemap } from './basemap.ts'
import { sortLessons } from './browse.ts'
import { chartModel, outcomesByField, outcomesByImpactStep, type OutcomeRow } from './charts.ts'
import { fieldLabel } from './field-labels.ts'
import type { Lesson } from './schema.ts'
import type { LessonService } from './service.ts'
import { lessonView, outcomeLabel } from './view.ts'
import { visibleLessons } from './visible-lessons.ts'
import { OUTCOMES } from './vocabulary.ts'

export interface OverviewRoutesOptions {
  lessons: LessonService
  lessonFields: readonly string[]
  /** Map tiles, e.g. from the organisation's own tile server; without a URL the map page lists places. Asked per request (a setting). */
  mapTiles: () => { url: string | null, attribution: string }
  /** Keeps the overview and the map for readers who are not signed in. */
  readerCache?: ReaderCache
}

/** All lessons at a glance: outcomes charted by field and impact step, and lessons by place on a map. */
export async function overviewRoutes (app: FastifyInstance, options: OverviewRoutesOptions): Promise<void> {
  const { lessons, lessonFields } = options
  const kept = options.readerCache === undefined ? {} : { onSend: options.readerCache.keep }
  const basemap = createBasemap()

  // The same for every visitor and every release of world-atlas: kept by browsers for a day.
  app.get('/lessons/map/basemap.geojson', async (request, reply) => {
    reply.type('application/geo+json; charset=utf-8').header('cache-control', 'public, max-age=86400')
    return await basemap()
  })

  const scopeQuery = { type: 'object', properties: { scope: { type: 'string', pattern: '^(?:local|all)?$' } }, additionalProperties: false } as const

  app.get<{ Querystring: { scope?: string } }>('/lessons/overview', { ...kept, schema: { querystring: scopeQuery } }, async (request, reply) => {
    const t = request.t
    // This organisation's lessons alone, or with those of every organisation it follows (the default).
    const scope = request.query.scope === 'local' ? 'local' : 'all'
    const visible = await visibleLessons(lessons, request)
    const all = scope === 'local' ? visible.filter(lesson => lesson.origin === 'local') : visible
    const describe = (label: string, row: OutcomeRow): string =>
      `${label}: ${OUTCOMES.map(outcome => `${outcomeLabel(t, outcome)} ${row.counts[outcome]}`).join(', ')}; ${t('overview.total')} ${row.total}`
    const impactName = (key: string): string => key === '' ? t('overview.noImpact') : `${key} – ${t(`lesson.impact.${key}` as 'lesson.impact.1')}`
    const chart = (id: string, heading: string, rows: OutcomeRow[], labelOf: (key: string) => string) => ({
      id,
      heading,
      rows: rows.map(row => ({ ...row, label: labelOf(row.key) })),
      model: chartModel(rows, labelOf, row => describe(labelOf(row.key), row))
    })
    const charts = [
      chart('by-field', t('overview.byField'), outcomesByField(all, lessonFields), key => fieldLabel(t, key)),
      chart('by-impact', t('overview.byImpact'), outcomesByImpactStep(all), impactName)
    ]
    return await render(request, reply, 'lessons-overview', {
      title: t('overview.heading'),
      scope,
      total: all.length,
      charts,
      outcomes: OUTCOMES.map(value => ({ value, label: outcomeLabel(t, value) }))
    })
  })

  app.get('/lessons/map', kept, async (request, reply) => {
    const all = await visibleLessons(lessons, request)
    const byPlace = new Map<string, Lesson[]>()
    for (const lesson of sortLessons(all, 'newest')) {
      const place = lesson.place.name === '' ? request.t('map.noPlace') : lesson.place.name
      let list = byPlace.get(place)
      if (list === undefined) byPlace.set(place, list = [])
      list.push(lesson)
    }
    const places = [...byPlace.entries()]
      .sort(([a], [b]) => a.localeCompare(b, request.locale))
      .map(([name, list]) => ({ name, lessons: list.map(lesson => lessonView(request.t, lesson)) }))
    return await render(request, reply, 'lessons-map', {
      title: request.t('map.heading'),
      places,
      tileUrl: options.mapTiles().url,
      basemapUrl: '/lessons/map/basemap.geojson',
      tileAttribution: options.mapTiles().attribution
    })
  })
}
