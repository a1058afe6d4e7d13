import { setImmediate } from 'node:timers/promises'
import { stringify } from 'csv-stringify/sync'
import { licenceUrl } from '../markdown/licence.ts'
import type { Lesson } from './schema.ts'
import { evidenceRating } from './evidence-strength.ts'

/** Open-data forms of a set of lessons. Each lesson carries its own licence. */

export interface ExportContext {
  baseUrl: string
  siteName: string
}

const lessonUrl = (context: ExportContext, lesson: Lesson): string => `${context.baseUrl}${lesson.path}`

/** Who to name when reusing a lesson (CC BY-SA asks for it): the organisation that published it, with its host. */
function attributionOf (lesson: Lesson, context: ExportContext): string {
  return lesson.remote === undefined ? `${context.siteName} (${new URL(context.baseUrl).host})` : `${lesson.origin} (${lesson.remote.host})`
}

/** The JSON form of one lesson, shared by /api/lessons and the exports. */
export function lessonJson (lesson: Lesson, context: ExportContext): Record<string, unknown> {
  return {
    slug: lesson.slug,
    url: lessonUrl(context, lesson),
    origin: lesson.origin,
    originalUrl: lesson.remote?.originalUrl ?? lessonUrl(context, lesson),
    attribution: attributionOf(lesson, context),
    title: lesson.title,
    language: lesson.language,
    summary: lesson.summary,
    programme: lesson.programme,
    organisation: lesson.organisation,
    place: lesson.place,
    field: lesson.field,
    period: lesson.period,
    outcome: lesson.outcome,
    impactStep: lesson.impactStep ?? null,
    coProduction: lesson.coProduction ?? null,
    evidence: lesson.evidence,
    ...strengthJson(lesson),
    tags: lesson.tags,
    licence: lesson.licence,
    visibility: lesson.visibility,
    createdAt: lesson.createdAt.toISOString(),
    updatedAt: lesson.updatedAt.toISOString()
  }
}

/** How sure and at what cost; `null` where the lesson does not say. The rating is derived (src/lessons/evidence-strength.ts). */
export function strengthJson (lesson: Lesson): { evidenceDesign: string | null, participants: number | null, sites: number | null, costBand: number | null, evidenceRating: number | null } {
  return {
    evidenceDesign: lesson.evidenceDesign ?? null,
    participants: lesson.participants ?? null,
    sites: lesson.sites ?? null,
    costBand: lesson.costBand ?? null,
    evidenceRating: evidenceRating(lesson)?.rating ?? null
  }
}

export const CSV_COLUMNS = [
  'url', 'title', 'language', 'summary', 'programme', 'organisation', 'place', 'lat', 'lon', 'field',
  'period_from', 'period_to', 'outcome', 'impact_step', 'co_production', 'evidence_count',
  'evidence_design', 'participants', 'sites', 'cost_band', 'evidence_rating', 'tags', 'licence',
  'created_at', 'updated_at', 'origin', 'original_url', 'attribution'
] as const

/**
 * RFC 4180 CSV (CRLF line ends; fields with commas, quotes or line breaks of either kind quoted) in
 * UTF-8 with a byte order mark, so spreadsheet programs read umlauts correctly. A text cell that
 * starts with `=`, `+`, `-`, `@`, tab or CR gets a leading `'` (OWASP's CSV-injection advice), so a
 * spreadsheet shows it instead of running it as a formula; numbers such as a negative longitude stay
 * numbers. The JSON exports keep every value exact.
 */
export function lessonsCsv (lessons: readonly Lesson[], context: ExportContext): string {
  return stringify([[...CSV_COLUMNS], ...lessons.map(lesson => csvRow(lesson, context))], { ...csvOptions, bom: true })
}

/** Lessons written per chunk between turns of the event loop, so a large export holds it only briefly. */
export const EXPORT_CHUNK = 200

/** The same CSV as `lessonsCsv`, built in chunks with `pause` between them. */
export async function lessonsCsvInChunks (lessons: readonly Lesson[], context: ExportContext, chunkSize = EXPORT_CHUNK, pause: () => Promise<unknown> = setImmediate): Promise<string> {
  const parts = [stringify([[...CSV_COLUMNS]], { ...csvOptions, bom: true })]
  for (let start = 0; start < lessons.length; start += chunkSize) {
    if (start > 0) await pause()
    parts.push(stringify(lessons.slice(start, start + chunkSize).map(lesson => csvRow(lesson, context)), csvOptions))
  }
  return parts.join('')
}

const csvOptions = { record_delimiter: 'windows', quoted_match: /[\r\n]/, escape_formulas: true } as const

function csvRow (lesson: Lesson, context: ExportContext): Array<string | number> {
  return [
    lessonUrl(context, lesson),
    lesson.title,
    lesson.language,
    lesson.summary,
    lesson.programme,
    lesson.organisation,
    lesson.place.name,
    lesson.place.lat ?? '',
    lesson.place.lon ?? '',
    lesson.field,
    lesson.period.from,
    lesson.period.to ?? '',
    lesson.outcome,
    lesson.impactStep ?? '',
    lesson.coProduction ?? '',
    lesson.evidence.length,
    ...Object.values(strengthJson(lesson)).map(value => value ?? ''),
    lesson.tags.join('; '),
    lesson.licence,
    lesson.createdAt.toISOString(),
    lesson.updatedAt.toISOString(),
    lesson.origin,
    lesson.remote?.originalUrl ?? lessonUrl(context, lesson),
    attributionOf(lesson, context)
  ]
}

/** schema.org vocabulary: each lesson an Article about its programme, under its licence. */
export function lessonsJsonLd (lessons: readonly Lesson[], context: ExportContext): Record<string, unknown> {
  return {
    '@context': 'https://schema.org',
    '@type': 'ItemList',
    name: `${context.siteName}: lessons`,
    url: `${context.baseUrl}/lessons`,
    numberOfItems: lessons.length,
    itemListElement: lessons.map((lesson, index) => ({
      '@type': 'ListItem',
      position: index + 1,
      item: {
        '@type': 'Article',
        '@id': lessonUrl(context, lesson),
        url: lessonUrl(context, lesson),
        headline: lesson.title,
        abstract: lesson.summary,
        inLanguage: lesson.language,
        license: licenceUrl(lesson.licence),
        keywords: lesson.tags,
        genre: lesson.outcome,
        about: { '@type': 'Thing', name: lesson.programme, description: lesson.field },
        publisher: { '@type': 'Organization', name: lesson.organisation },
        ...(lesson.remote === undefined ? {} : { isBasedOn: lesson.remote.originalUrl, sourceOrganization: { '@type': 'Organization', name: lesson.origin } }),
        spatialCoverage: {
          '@type': 'Place',
          name: lesson.place.name,
          ...(lesson.place.lat === undefined ? {} : { geo: { '@type': 'GeoCoordinates', latitude: lesson.place.lat, longitude: lesson.place.lon } })
        },
        temporalCoverage: `${lesson.period.from}/${lesson.period.to ?? '..'}`,
        additionalProperty: Object.entries(strengthJson(lesson))
          .filter(([, value]) => value !== null)
          .map(([propertyID, value]) => ({ '@type': 'PropertyValue', propertyID, value })),
        dateCreated: lesson.createdAt.toISOString(),
        dateModified: lesson.updatedAt.toISOString()
      }
    }))
  }
}

/** RFC 7946 GeoJSON: positions are [longitude, latitude]; lessons without coordinates are left out. */
export function lessonsGeoJson (lessons: readonly Lesson[], context: ExportContext): Record<string, unknown> {
  return {
    type: 'FeatureCollection',
    features: lessons.filter(lesson => lesson.place.lat !== undefined && lesson.place.lon !== undefined).map(lesson => ({
      type: 'Feature',
      id: lesson.slug,
      geometry: { type: 'Point', coordinates: [lesson.place.lon, lesson.place.lat] },
      properties: {
        title: lesson.title,
        url: lessonUrl(context, lesson),
        place: lesson.place.name,
        outcome: lesson.outcome,
        field: lesson.field,
        summary: lesson.summary,
        licence: lesson.licence,
        origin: lesson.origin
      }
    }))
  }
}
