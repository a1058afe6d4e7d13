import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { Static } from '@sinclair/typebox'
import type { MessageKey, Translate } from '../i18n/index.ts'
import { seesLocalPages } from '../auth/visibility.ts'
import { render } from '../http/context.ts'
import { fieldLabel } from '../lessons/field-labels.ts'
import { SearchNotReadyError, SearchQueryTooLongError } from './errors.ts'
import { DEFAULT_PAGE_SIZE, MAX_PAGE, MAX_QUERY_LENGTH, SearchQuerystring } from './schemas.ts'
import type { SearchIndex } from './search-index.ts'
import { FACET_NAMES, type FacetFilters, type FacetName, type QueryAnswer, type SearchHit } from './types.ts'

export interface SearchRoutesOptions {
  search: SearchIndex
  baseUrl: string
}

type Querystring = Static<typeof SearchQuerystring>

const FACET_LABELS: Record<FacetName, MessageKey> = {
  outcome: 'search.facet.outcome',
  field: 'search.facet.field',
  place: 'search.facet.place',
  tag: 'search.facet.tag',
  year: 'search.facet.year',
  origin: 'search.facet.origin',
  language: 'search.facet.language'
}
const OUTCOME_LABELS: Record<string, MessageKey> = {
  works: 'search.outcome.works',
  fails: 'search.outcome.fails',
  mixed: 'search.outcome.mixed',
  open: 'search.outcome.open'
}
const RETRY_AFTER_SECONDS = '2'
/** Values of a facet listed before the rest fold away under "more". */
const FACET_VALUES_SHOWN = 8

/** `/search` for people (no JavaScript needed) and `/api/search` for programs. */
export async function searchRoutes (parent: FastifyInstance, options: SearchRoutesOptions): Promise<void> {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>()
  const { search, baseUrl } = options

  app.get('/api/search', { schema: { querystring: SearchQuerystring } }, async (request, reply) => {
    const input = readInput(request.query)
    const answer = await answerOrRetryLater(request, reply, input)
    if (answer === null) return { error: 'index-loading', message: request.t('search.loading'), status: search.status() }
    return {
      status: search.status().state,
      query: input.q,
      filters: input.filters,
      page: input.page,
      size: input.size,
      total: answer.total,
      relaxed: answer.relaxed,
      results: answer.hits.map(hit => ({ ...hit, url: absolute(hit.url, baseUrl), local: hit.origin === 'local' })),
      facets: answer.facets
    }
  })

  app.get('/search', { schema: { querystring: SearchQuerystring } }, async (request, reply) => {
    const input = readInput(request.query)
    const t = request.t
    const base = { title: t('search.title'), searchQuery: input.q, query: input.q, noindex: true }
    if (search.status().state !== 'ready') {
      reply.code(503).header('Retry-After', RETRY_AFTER_SECONDS)
      return await render(request, reply, 'search', { ...base, loading: true })
    }
    const hasFilters = Object.keys(input.filters).length > 0
    if (input.q.trim() === '' && !hasFilters) return await render(request, reply, 'search', { ...base, loading: false, answer: null })
    const answer = await answerOrRetryLater(request, reply, input)
    if (answer === null) return await render(request, reply, 'search', { ...base, loading: true })
    return await render(request, reply, 'search', { ...base, loading: false, ...htmlView(request, input, answer) })
  })

  /**
   * Null, with 503 and Retry-After set, while the index loads after a start or a crashed
   * worker loads its shards again: both pass in seconds, so clients are told to come back.
   */
  async function answerOrRetryLater (request: FastifyRequest, reply: FastifyReply, input: ReturnType<typeof readInput>): Promise<QueryAnswer | null> {
    try {
      return await search.query({ q: input.q, filters: input.filters, offset: (input.page - 1) * input.size, limit: input.size, includeLocal: seesLocalPages(request) })
    } catch (error) {
      if (!(error instanceof SearchNotReadyError)) throw error
      reply.code(503).header('Retry-After', RETRY_AFTER_SECONDS)
      return null
    }
  }

  function htmlView (request: FastifyRequest, input: ReturnType<typeof readInput>, answer: QueryAnswer): Record<string, unknown> {
    const t = request.t
    const href = (changes: Partial<Record<'page' | FacetName, string | undefined>>): string => {
      const params = new URLSearchParams()
      if (input.q !== '') params.set('q', input.q)
      for (const [name, value] of Object.entries({ ...input.filters, ...changes })) {
        if (value !== undefined && value !== '' && name !== 'page') params.set(name, value)
      }
      if (changes.page !== undefined && changes.page !== '1') params.set('page', changes.page)
      return `/search?${params.toString()}`
    }
    const facets = FACET_NAMES.map(name => {
      const values = answer.facets[name].map(item => {
        const selected = input.filters[name]?.toLowerCase() === item.value.toLowerCase()
        return { label: facetLabel(t, name, item.value), count: item.count, selected, href: href({ [name]: selected ? undefined : item.value }) }
      })
      // The most frequent values first; the rest fold away, the chosen one never.
      const shown = values.filter((value, index) => index < FACET_VALUES_SHOWN || value.selected)
      const more = values.filter((value, index) => index >= FACET_VALUES_SHOWN && !value.selected)
      return { name, label: t(FACET_LABELS[name]), values, shown, more }
    }).filter(facet => facet.values.length > 0)
    const activeFilters = Object.entries(input.filters).map(([name, value]) => ({
      label: `${t(FACET_LABELS[name as FacetName])}: ${facetLabel(t, name as FacetName, value ?? '')}`,
      href: href({ [name]: undefined })
    }))
    const pages = Math.min(MAX_PAGE, Math.max(1, Math.ceil(answer.total / input.size)))
    return {
      answer,
      hits: answer.hits.map(hit => ({ ...hit, originLabel: originLabel(t, hit), outcomeLabel: hit.lesson?.outcome ? facetLabel(t, 'outcome', hit.lesson.outcome) : null })),
      facets,
      activeFilters,
      pageNumber: input.page,
      pages,
      previousHref: input.page > 1 ? href({ page: String(input.page - 1) }) : null,
      nextHref: input.page < pages ? href({ page: String(input.page + 1) }) : null
    }
  }
}

function readInput (query: Querystring): { q: string, page: number, size: number, filters: FacetFilters } {
  const q = (query.q ?? '').trim()
  if (q.length > MAX_QUERY_LENGTH) throw new SearchQueryTooLongError(q.length, MAX_QUERY_LENGTH)
  const filters: FacetFilters = {}
  for (const name of FACET_NAMES) {
    const value = query[name]?.trim()
    if (value !== undefined && value !== '') filters[name] = value
  }
  return { q, page: query.page ?? 1, size: query.size ?? DEFAULT_PAGE_SIZE, filters }
}

function facetLabel (t: Translate, name: FacetName, value: string): string {
  if (name === 'outcome') {
    const key = OUTCOME_LABELS[value]
    return key === undefined ? value : t(key)
  }
  if (name === 'origin' && value === 'local') return t('search.local')
  if (name === 'field') return fieldLabel(t, value)
  return value
}

function originLabel (t: Translate, hit: SearchHit): string {
  return hit.origin === 'local' ? t('search.local') : t('search.from', { origin: hit.origin })
}

function absolute (url: string, baseUrl: string): string {
  return url.startsWith('/') ? `${baseUrl}${url}` : url
}
