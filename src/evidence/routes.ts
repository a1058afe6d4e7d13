import { setImmediate } from 'node:timers/promises'
import { LRUCache } from 'lru-cache'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type, type Static } from '@sinclair/typebox'
import { seesLocalPages } from '../auth/visibility.ts'
import { render } from '../http/context.ts'
import { sendLargeEncoded, type EncodedBody } from '../http/reader-cache.ts'
import {
  chartModel, COST_BANDS, costBandLabel, fieldLabel, impactLabel, IMPACT_STEPS, lessonJson, OUTCOMES, outcomeLabel,
  outcomesByField, publicLessons, ratingLabel, ratingMarks, type Lesson, type OutcomeRow
} from '../lessons/index.ts'
import { evidenceGroups, evidenceLesson, gapMap, type EvidenceFilter, type EvidenceGroup, type EvidenceLesson, type ListedLesson } from './groups.ts'

/** As /lessons reads them: text, and empty means "any", as a form without JavaScript sends it. */
export const EvidenceQuery = Type.Object({
  field: Type.Optional(Type.String({ maxLength: 100 })),
  tag: Type.Optional(Type.String({ maxLength: 60 }))
}, { additionalProperties: false })

/** Lessons shown per field on the HTML page; the counts include all, and /lessons lists the rest. */
export const HTML_LESSONS_PER_FIELD = 50
/** Selections (field, tag, with or without local lessons) kept grouped until a lesson changes. */
const GROUPINGS_KEPT = 64
/** Lessons serialised between turns of the event loop, so 100,000 of them never hold it long. */
const JSON_CHUNK = 1000

export interface EvidenceRoutesOptions {
  /** Every lesson the instance knows, newest first; the same array until a lesson changes. */
  list: () => Promise<readonly Lesson[]>
  lessonFields: readonly string[]
  baseUrl: string
  siteName: () => string
}

interface Grouping {
  groups: EvidenceGroup[]
  lessons: readonly ListedLesson[]
  /** /api/evidence's answer, written once per grouping and compressed once per encoding. */
  json: Promise<EncodedBody> | null
  /** The chart's rows of the HTML page, counted once per grouping. */
  rows: OutcomeRow[] | null
}

export async function evidenceRoutes (parent: FastifyInstance, options: EvidenceRoutesOptions): Promise<void> {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>()
  // A lesson's row is read once per lesson object; the listing keeps the object until the lesson changes.
  const items = new WeakMap<Lesson, EvidenceLesson>()
  const itemOf = (lesson: ListedLesson): EvidenceLesson => {
    let item = items.get(lesson)
    if (item === undefined) {
      // The listing's own JSON form decides a lesson's address (a remote lesson's is its origin's).
      item = evidenceLesson(lesson, String(lessonJson(lesson, { baseUrl: options.baseUrl, siteName: options.siteName() }).url))
      items.set(lesson, item)
    }
    return item
  }

  // Grouping 100,000 lessons takes tens of milliseconds: each selection is grouped once per version of the list.
  let groupedFrom: readonly Lesson[] | null = null
  const grouped = new LRUCache<string, Grouping>({ max: GROUPINGS_KEPT })

  /**
   * Visitors without an account see what the open-data exports hold (public lessons), so
   * every count here can be reproduced from /lessons.csv; signed-in people also see local ones.
   */
  async function groupsFor (request: FastifyRequest, query: Static<typeof EvidenceQuery>): Promise<{ grouping: Grouping, filter: EvidenceFilter }> {
    const list = await options.list()
    if (list !== groupedFrom) {
      grouped.clear()
      groupedFrom = list
    }
    const filter: EvidenceFilter = {}
    if (query.field !== undefined && query.field.trim() !== '') filter.field = query.field.trim()
    if (query.tag !== undefined && query.tag.trim() !== '') filter.tag = query.tag.trim()
    const local = seesLocalPages(request)
    const key = JSON.stringify([local, filter.field ?? null, filter.tag?.toLowerCase() ?? null])
    let found = grouped.get(key)
    if (found === undefined) {
      const lessons = local ? list : publicLessons(list)
      found = { groups: evidenceGroups(lessons, filter, options.lessonFields, itemOf), lessons, json: null, rows: null }
      grouped.set(key, found)
    }
    return { grouping: found, filter }
  }

  app.get('/api/evidence', { schema: { querystring: EvidenceQuery } }, async (request, reply) => {
    const { grouping } = await groupsFor(request, request.query)
    reply.type('application/json; charset=utf-8')
    grouping.json ??= evidenceJson(grouping.groups).then(json => ({ identity: Buffer.from(json), encoded: {} }))
    return await sendLargeEncoded(request, reply, await grouping.json)
  })

  app.get('/evidence', { schema: { querystring: EvidenceQuery } }, async (request, reply) => {
    const t = request.t
    const { grouping, filter } = await groupsFor(request, request.query)
    const { groups, lessons } = grouping
    if (grouping.rows === null) {
      const chosen = filter.field === undefined ? lessons : lessons.filter(lesson => lesson.field === filter.field)
      const tagged = filter.tag === undefined ? chosen : chosen.filter(lesson => lesson.tags.some(tag => tag.toLowerCase() === filter.tag?.toLowerCase()))
      grouping.rows = outcomesByField(tagged, filter.field === undefined ? options.lessonFields : [filter.field])
    }
    const rows = grouping.rows
    const describe = (row: OutcomeRow): string =>
      `${fieldLabel(t, row.key)}: ${OUTCOMES.map(outcome => `${outcomeLabel(t, outcome)} ${row.counts[outcome]}`).join(', ')}`
    const query = new URLSearchParams(Object.entries(filter) as Array<[string, string]>).toString()
    return await render(request, reply, 'evidence', {
      title: t('evidence.heading'),
      filter: { field: filter.field ?? '', tag: filter.tag ?? '' },
      fieldChoices: [...new Set([...options.lessonFields, ...(filter.field === undefined ? [] : [filter.field])])].map(value => ({ value, label: fieldLabel(t, value) })),
      total: groups.reduce((sum, group) => sum + group.lessons.length, 0),
      jsonHref: `/api/evidence${query === '' ? '' : `?${query}`}`,
      outcomes: OUTCOMES.map(value => ({ value, label: outcomeLabel(t, value) })),
      chart: {
        id: 'evidence-by-field',
        heading: t('evidence.chartHeading'),
        model: chartModel(rows, key => fieldLabel(t, key), describe),
        rows: rows.map(row => ({ ...row, label: fieldLabel(t, row.key) || t('lesson.notGiven') }))
      },
      groups: groups.map(group => ({
        field: group.field,
        label: fieldLabel(t, group.field) || t('lesson.notGiven'),
        summary: t('evidence.groupSummary', { ...group.counts, step: group.highestStep === null ? t('evidence.noStep') : impactLabel(t, group.highestStep) }),
        total: group.lessons.length,
        moreHref: group.lessons.length > HTML_LESSONS_PER_FIELD ? `/lessons?${new URLSearchParams({ field: group.field, ...(filter.tag === undefined ? {} : { tag: filter.tag }) }).toString()}` : null,
        ratings: [...[0, 1, 2, 3, 4, 5].map(rating => ({ label: ratingLabel(t, rating), count: group.ratings[String(rating)] ?? 0 })), { label: t('lesson.notStated'), count: group.ratings[''] ?? 0 }],
        costBands: [...COST_BANDS.map(band => ({ label: costBandLabel(t, band), count: group.costBands[String(band)] ?? 0 })), { label: t('lesson.notStated'), count: group.costBands[''] ?? 0 }],
        lessons: group.lessons.slice(0, HTML_LESSONS_PER_FIELD).map(lesson => ({
          ...lesson,
          outcomeText: outcomeLabel(t, lesson.outcome),
          originText: lesson.origin === 'local' ? t('evidence.originLocal') : lesson.origin,
          stepText: lesson.impactStep === null ? t('lesson.notGiven') : String(lesson.impactStep),
          ratingText: ratingLabel(t, lesson.evidenceRating),
          ratingMarks: ratingMarks(lesson.evidenceRating),
          costText: lesson.costBand === null ? t('lesson.notStated') : String(lesson.costBand)
        }))
      })),
      steps: IMPACT_STEPS.map(step => ({ step, label: impactLabel(t, step) })),
      gaps: gapMap(groups, options.lessonFields, filter).map(row => ({ ...row, label: fieldLabel(t, row.field) || t('lesson.notGiven') }))
    })
  })
}

/** `{ "groups": [...] }` written in chunks, with a turn of the event loop between them. */
async function evidenceJson (groups: readonly EvidenceGroup[]): Promise<string> {
  const parts: string[] = ['{"groups":[']
  let written = 0
  for (const [index, group] of groups.entries()) {
    parts.push(`${index === 0 ? '' : ','}{"field":${JSON.stringify(group.field)},"counts":${JSON.stringify(group.counts)},"lessons":[`)
    for (let start = 0; start < group.lessons.length; start += JSON_CHUNK) {
      const chunk = JSON.stringify(group.lessons.slice(start, start + JSON_CHUNK))
      parts.push(`${start === 0 ? '' : ','}${chunk.slice(1, -1)}`)
      written += JSON_CHUNK
      if (written % (JSON_CHUNK * 5) === 0) await setImmediate()
    }
    parts.push(']}')
  }
  parts.push(']}')
  return parts.join('')
}
