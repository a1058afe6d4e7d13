import { Type, type Static } from '@sinclair/typebox'
import { lessonYears, type Lesson } from './schema.ts'
import { CO_PRODUCTION_LEVELS, OUTCOMES, type CoProduction, type Outcome } from './vocabulary.ts'

/**
 * Query strings of /lessons and its exports. Every value is text, and an empty value
 * means "any", because a filter form sends empty fields for "any" without JavaScript.
 */
export const LessonQuery = Type.Object({
  outcome: Type.Optional(Type.String({ pattern: `^(?:${OUTCOMES.join('|')})?$` })),
  field: Type.Optional(Type.String({ maxLength: 100 })),
  place: Type.Optional(Type.String({ maxLength: 200 })),
  tag: Type.Optional(Type.String({ maxLength: 60 })),
  year: Type.Optional(Type.String({ pattern: '^(?:[0-9]{4})?$' })),
  impactStep: Type.Optional(Type.String({ pattern: '^[1-7]?$' })),
  coProduction: Type.Optional(Type.String({ pattern: `^(?:${CO_PRODUCTION_LEVELS.join('|')})?$` })),
  origin: Type.Optional(Type.String({ maxLength: 200 })),
  sort: Type.Optional(Type.String({ pattern: '^(?:newest|updated)?$' })),
  page: Type.Optional(Type.String({ pattern: '^(?:[1-9][0-9]{0,5})?$' })),
  perPage: Type.Optional(Type.String({ pattern: '^(?:[1-9][0-9]?|100)?$' }))
})
export type LessonQueryString = Static<typeof LessonQuery>

export const FACETS = ['outcome', 'field', 'place', 'tag', 'year', 'impactStep', 'coProduction', 'origin'] as const
export type Facet = typeof FACETS[number]

export interface LessonFilter {
  outcome?: Outcome
  field?: string
  place?: string
  tag?: string
  year?: string
  impactStep?: string
  coProduction?: CoProduction
  /** `local`, or an organisation's name. */
  origin?: string
}

export interface LessonSelection {
  filter: LessonFilter
  sort: 'newest' | 'updated'
  page: number
  perPage: number
}

export const DEFAULT_PER_PAGE = 20

/** Reads a query string that the schema has already accepted. */
export function selectionOf (query: LessonQueryString): LessonSelection {
  const filter: LessonFilter = {}
  for (const facet of FACETS) {
    const value = query[facet]?.trim()
    if (value !== undefined && value !== '') (filter as Record<Facet, string>)[facet] = value
  }
  return {
    filter,
    sort: query.sort === 'updated' ? 'updated' : 'newest',
    page: query.page === undefined || query.page === '' ? 1 : Number(query.page),
    perPage: query.perPage === undefined || query.perPage === '' ? DEFAULT_PER_PAGE : Number(query.perPage)
  }
}

/** The values a lesson has for a facet; tags and years can be several. */
export function facetValues (lesson: Lesson, facet: Facet): string[] {
  switch (facet) {
    case 'outcome': return [lesson.outcome]
    case 'field': return lesson.field === '' ? [] : [lesson.field]
    case 'place': return lesson.place.name === '' ? [] : [lesson.place.name]
    case 'tag': return lesson.tags
    case 'year': return lessonYears(lesson).map(String)
    case 'impactStep': return lesson.impactStep === undefined ? [] : [String(lesson.impactStep)]
    case 'coProduction': return lesson.coProduction === undefined ? [] : [lesson.coProduction]
    case 'origin': return [lesson.origin]
  }
}

/** Facets whose values are compared as people type them: without regard to case. */
const CASELESS: ReadonlySet<Facet> = new Set(['tag', 'place', 'origin'])

interface FacetKeys {
  /** Each facet's distinct values, as the lesson spells them. */
  values: Record<Facet, readonly string[]>
  /** The same, as a filter compares them (lower case where case does not count). */
  compared: Record<Facet, readonly string[]>
}

// Read once per lesson object: the listing keeps a lesson's object until the lesson changes.
const keysOfLesson = new WeakMap<Lesson, FacetKeys>()

/**
 * Arrays of one value or none, shared by every lesson that has them. Most facets hold one
 * value that many lessons share (an outcome, a field, a place, a year); an array of its own
 * per facet and form costs about 2 KB a lesson, 200 MB at 100,000 lessons. Bounded: past
 * the limit the table starts afresh, and arrays already handed out stay as they are.
 */
const NO_VALUES: readonly string[] = Object.freeze([])
const oneValue = new Map<string, readonly string[]>()
const MAX_SHARED_VALUES = 50_000

function shared (values: readonly string[]): readonly string[] {
  if (values.length === 0) return NO_VALUES
  if (values.length > 1) return values
  const value = values[0]!
  let array = oneValue.get(value)
  if (array === undefined) {
    if (oneValue.size >= MAX_SHARED_VALUES) oneValue.clear()
    array = Object.freeze([value])
    oneValue.set(value, array)
  }
  return array
}

function facetKeys (lesson: Lesson): FacetKeys {
  let keys = keysOfLesson.get(lesson)
  if (keys === undefined) {
    keys = { values: {} as Record<Facet, readonly string[]>, compared: {} as Record<Facet, readonly string[]> }
    for (const facet of FACETS) {
      const values = shared([...new Set(facetValues(lesson, facet))])
      keys.values[facet] = values
      const lowered = CASELESS.has(facet) ? values.map(value => value.toLowerCase()) : values
      keys.compared[facet] = lowered.every((value, index) => value === values[index]) ? values : shared(lowered)
    }
    keysOfLesson.set(lesson, keys)
  }
  return keys
}

/** A filter's wanted values, in the form they are compared in. */
function wantedOf (filter: LessonFilter): Array<[Facet, string]> {
  return FACETS.flatMap(facet => {
    const wanted = filter[facet]
    if (wanted === undefined) return []
    return [[facet, CASELESS.has(facet) ? wanted.toLowerCase() : wanted] as [Facet, string]]
  })
}

export function filterLessons (lessons: readonly Lesson[], filter: LessonFilter): Lesson[] {
  const wanted = wantedOf(filter)
  if (wanted.length === 0) return [...lessons]
  return lessons.filter(lesson => {
    const { compared } = facetKeys(lesson)
    return wanted.every(([facet, value]) => compared[facet].includes(value))
  })
}

export interface FacetCount {
  value: string
  count: number
  selected: boolean
}

/**
 * For each facet, how many lessons each value would give, with the other facets'
 * filters applied: the number next to a choice is the number of results it leads to.
 * One pass: a lesson that fails no filter counts for every facet, one that fails only
 * one facet's filter counts for that facet alone, and one that fails two counts nowhere.
 */
export function facetCounts (lessons: readonly Lesson[], filter: LessonFilter): Record<Facet, FacetCount[]> {
  const wanted = wantedOf(filter)
  const counts = Object.fromEntries(FACETS.map(facet => [facet, new Map<string, number>()])) as Record<Facet, Map<string, number>>
  for (const lesson of lessons) {
    const keys = facetKeys(lesson)
    let failed: Facet | null = null
    let failures = 0
    for (const [facet, value] of wanted) {
      if (keys.compared[facet].includes(value)) continue
      failed = facet
      if (++failures > 1) break
    }
    if (failures > 1) continue
    for (const facet of failed === null ? FACETS : [failed]) {
      const facetCount = counts[facet]
      for (const value of keys.values[facet]) facetCount.set(value, (facetCount.get(value) ?? 0) + 1)
    }
  }
  const result = {} as Record<Facet, FacetCount[]>
  for (const facet of FACETS) {
    const facetCount = counts[facet]
    const wanted = filter[facet]
    if (wanted !== undefined && ![...facetCount.keys()].some(value => value.toLowerCase() === wanted.toLowerCase())) facetCount.set(wanted, 0)
    result[facet] = [...facetCount.entries()]
      .map(([value, count]) => ({ value, count, selected: wanted !== undefined && value.toLowerCase() === wanted.toLowerCase() }))
      .sort(facetOrder(facet))
  }
  return result
}

function facetOrder (facet: Facet): (a: FacetCount, b: FacetCount) => number {
  if (facet === 'outcome') return (a, b) => OUTCOMES.indexOf(a.value as Outcome) - OUTCOMES.indexOf(b.value as Outcome)
  if (facet === 'coProduction') return (a, b) => CO_PRODUCTION_LEVELS.indexOf(a.value as CoProduction) - CO_PRODUCTION_LEVELS.indexOf(b.value as CoProduction)
  if (facet === 'impactStep') return (a, b) => Number(a.value) - Number(b.value)
  if (facet === 'year') return (a, b) => Number(b.value) - Number(a.value)
  return (a, b) => b.count - a.count || a.value.localeCompare(b.value, 'de')
}

/** Lists come newest first from the listing already; sorting a sorted list costs one comparison per lesson. */
export function sortLessons (lessons: readonly Lesson[], sort: LessonSelection['sort']): Lesson[] {
  const key = sort === 'updated' ? 'updatedAt' : 'createdAt'
  return [...lessons].sort((a, b) => b[key].getTime() - a[key].getTime() || a.slug.localeCompare(b.slug))
}

export interface LessonResults {
  lessons: Lesson[]
  total: number
  page: number
  pageCount: number
  facets: Record<Facet, FacetCount[]>
}

export function selectLessons (all: readonly Lesson[], selection: LessonSelection): LessonResults {
  const matching = sortLessons(filterLessons(all, selection.filter), selection.sort)
  const pageCount = Math.max(1, Math.ceil(matching.length / selection.perPage))
  const start = (selection.page - 1) * selection.perPage
  return {
    lessons: matching.slice(start, start + selection.perPage),
    total: matching.length,
    page: selection.page,
    pageCount,
    facets: facetCounts(all, selection.filter)
  }
}

/** The query string of a selection, with one facet changed; empty values are left out. */
export function queryOf (selection: LessonSelection, change: Partial<Record<Facet | 'sort' | 'page', string | undefined>> = {}): string {
  const parameters = new URLSearchParams()
  for (const facet of FACETS) {
    const value = facet in change ? change[facet] : selection.filter[facet]
    if (value !== undefined && value !== '') parameters.set(facet, value)
  }
  const sort = 'sort' in change ? change.sort : selection.sort
  if (sort !== undefined && sort !== 'newest') parameters.set('sort', sort)
  if (selection.perPage !== DEFAULT_PER_PAGE) parameters.set('perPage', String(selection.perPage))
  const page = 'page' in change ? change.page : undefined
  if (page !== undefined && page !== '1') parameters.set('page', page)
  const text = parameters.toString()
  return text === '' ? '' : `?${text}`
}
