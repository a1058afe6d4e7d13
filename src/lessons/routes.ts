import { createHash } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type, type Static } from '@sinclair/typebox'
import { FrontMatterError, VISIBILITIES } from '../markdown/front-matter.ts'
import { authorOf, seesLocalPages } from '../auth/visibility.ts'
import { render } from '../http/context.ts'
import type { ReaderCache } from '../http/reader-cache.ts'
import { varyOn } from '../http/transfer.ts'
import type { PageRenderer } from '../markdown/page-renderer.ts'
import type { WikiService } from '../wiki/service.ts'
import { FACETS, LessonQuery, queryOf, selectionOf, selectLessons, filterLessons, sortLessons, type Facet, type LessonSelection } from './browse.ts'
import { chartModel, outcomesByField, outcomesByImpactStep, type OutcomeRow } from './charts.ts'
import { LessonValidationError } from './errors.ts'
import { findingTexts, PersonalDataError } from '../publishing/errors.ts'
import { lessonJson, lessonsCsv, lessonsGeoJson, lessonsJsonLd, type ExportContext } from './exports.ts'
import { blankValues, checkForm, formProblemsOf, valuesFromSource, type FormProblem, type LessonFormValues } from './form.ts'
import type { PersonalDataFinding } from '../publishing/personal-data.ts'
import { lessonOfPage, type Lesson } from './schema.ts'
import type { LessonService } from './service.ts'
import {
  coProductionLabel, evidenceRows, formMessages, impactLabel, lessonView, outcomeLabel, sectionFields,
  vocabularyChoices
} from './view.ts'
import { OUTCOMES, SECTION_IDS, type SectionId } from './vocabulary.ts'

export interface LessonRoutesOptions {
  wiki: WikiService
  lessons: LessonService
  renderer: PageRenderer
  lessonFields: readonly string[]
  baseUrl: string
  siteName: string
  /** Map tiles, e.g. from the organisation's own tile server; without it the map page lists places. */
  mapTileUrl?: string
  mapTileAttribution?: string
  /** Keeps the overview and the map for readers who are not signed in. */
  readerCache?: ReaderCache
}

const Text = (maxLength: number) => Type.Optional(Type.String({ maxLength }))
const Rows = Type.Optional(Type.Union([Type.String({ maxLength: 1000 }), Type.Array(Type.String({ maxLength: 1000 }), { maxItems: 60 })]))
const SectionText = Text(100_000)

export const LessonFormBody = Type.Object({
  title: Text(300),
  summary: Text(5000),
  programme: Text(300),
  organisation: Text(300),
  placeName: Text(300),
  lat: Text(40),
  lon: Text(40),
  field: Text(200),
  periodFrom: Text(40),
  periodTo: Text(40),
  outcome: Text(40),
  impactStep: Text(10),
  coProduction: Text(40),
  evidenceFigure: Rows,
  evidenceSource: Rows,
  evidenceCaveat: Rows,
  tags: Text(4000),
  licence: Text(100),
  visibility: Type.Optional(Type.Union(VISIBILITIES.map(value => Type.Literal(value)))),
  language: Type.Optional(Type.Union([Type.Literal('de'), Type.Literal('en')])),
  lead: SectionText,
  'section-context': SectionText,
  'section-approach': SectionText,
  'section-happened': SectionText,
  'section-learned': SectionText,
  'section-soWhat': SectionText,
  'section-evidence': SectionText,
  extra: SectionText,
  message: Text(500),
  baseRevision: Text(100),
  baseSource: Text(500_000),
  confirmPublication: Text(10),
  action: Type.Optional(Type.Union([Type.Literal('preview'), Type.Literal('save')]))
}, { additionalProperties: false })
type LessonFormBodyType = Static<typeof LessonFormBody>

const SlugParams = Type.Object({ slug: Type.String({ minLength: 1, maxLength: 200 }) })

/** Browsing, exports, overview, map and the guided form for lessons. */
export async function lessonRoutes (parent: FastifyInstance, options: LessonRoutesOptions): Promise<void> {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>()
  const { wiki, lessons, renderer, lessonFields } = options
  const exportContext: ExportContext = { baseUrl: options.baseUrl, siteName: options.siteName }
  // Open data leaves the wiki: only what its authors published goes into the exports.
  const exportable = async (selection: LessonSelection): Promise<Lesson[]> =>
    sortLessons(filterLessons((await lessons.all()).filter(lesson => lesson.visibility === 'public'), selection.filter), selection.sort)
  // Local lessons are for signed-in people only, in every list, count and chart.
  const visibleLessons = async (request: FastifyRequest): Promise<Lesson[]> => {
    const all = await lessons.all()
    return seesLocalPages(request) ? all : all.filter(lesson => lesson.visibility !== 'local')
  }

  // Kept for readers; a client asking for JSON-LD here is never answered from what was kept (`readerOf` in app.ts).
  const kept = options.readerCache === undefined ? {} : { onSend: options.readerCache.keep }

  app.get('/lessons', { ...kept, schema: { querystring: LessonQuery } }, async (request, reply) => {
    const selection = selectionOf(request.query)
    if (prefersJsonLd(request)) return await sendJsonLd(reply, await exportable(selection))
    // The same address answers JSON-LD: shared caches must keep the two apart.
    varyOn(reply, 'Accept')
    const results = selectLessons(await visibleLessons(request), selection)
    const t = request.t
    const facetLabel = (facet: Facet, value: string): string => {
      if (facet === 'outcome') return outcomeLabel(t, value as Lesson['outcome'])
      if (facet === 'coProduction') return coProductionLabel(t, value)
      if (facet === 'impactStep') return impactLabel(t, Number(value))
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
    const results = selectLessons(await visibleLessons(request), selection)
    return {
      total: results.total,
      page: results.page,
      pageCount: results.pageCount,
      perPage: selection.perPage,
      lessons: results.lessons.map(lesson => lessonJson(lesson, exportContext)),
      facets: results.facets
    }
  })

  app.get('/lessons.csv', { schema: { querystring: LessonQuery } }, async (request, reply) => {
    const csv = lessonsCsv(await exportable(selectionOf(request.query)), exportContext)
    return reply
      .type('text/csv; charset=utf-8; header=present')
      .header('Content-Disposition', 'attachment; filename="lessons.csv"')
      .send(csv)
  })

  app.get('/lessons.jsonld', { schema: { querystring: LessonQuery } }, async (request, reply) => {
    return await sendJsonLd(reply, await exportable(selectionOf(request.query)))
  })

  app.get('/api/lessons.geojson', { schema: { querystring: LessonQuery } }, async (request, reply) => {
    return reply.type('application/geo+json; charset=utf-8').send(JSON.stringify(lessonsGeoJson(await exportable(selectionOf(request.query)), exportContext)))
  })

  const sendJsonLd = async (reply: FastifyReply, list: Lesson[]): Promise<FastifyReply> =>
    await reply.type('application/ld+json; charset=utf-8').header('Vary', 'Accept, Accept-Language').send(JSON.stringify(lessonsJsonLd(list, exportContext)))

  app.get('/lessons/overview', kept, async (request, reply) => {
    const t = request.t
    const all = await visibleLessons(request)
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
      chart('by-field', t('overview.byField'), outcomesByField(all, lessonFields), key => key),
      chart('by-impact', t('overview.byImpact'), outcomesByImpactStep(all), impactName)
    ]
    return await render(request, reply, 'lessons-overview', {
      title: t('overview.heading'),
      total: all.length,
      charts,
      outcomes: OUTCOMES.map(value => ({ value, label: outcomeLabel(t, value) }))
    })
  })

  app.get('/lessons/map', kept, async (request, reply) => {
    const all = await visibleLessons(request)
    const byPlace = new Map<string, Lesson[]>()
    for (const lesson of sortLessons(all, 'newest')) {
      const place = lesson.place.name === '' ? request.t('map.noPlace') : lesson.place.name
      byPlace.set(place, [...(byPlace.get(place) ?? []), lesson])
    }
    const places = [...byPlace.entries()]
      .sort(([a], [b]) => a.localeCompare(b, request.locale))
      .map(([name, list]) => ({ name, lessons: list.map(lesson => lessonView(request.t, lesson)) }))
    return await render(request, reply, 'lessons-map', {
      title: request.t('map.heading'),
      places,
      tileUrl: options.mapTileUrl ?? null,
      tileAttribution: options.mapTileAttribution ?? ''
    })
  })

  // The guided form. Both steps (preview, save) post the whole form back, so it works without JavaScript.
  app.get('/lessons/new', async (request, reply) => {
    return await showForm(request, reply, { values: blankValues(request.locale, lessonFields), mode: { kind: 'new' } })
  })

  app.post('/lessons/new', { schema: { body: LessonFormBody } }, async (request, reply) => {
    return await handleForm(request, reply, request.body, { kind: 'new' })
  })

  app.get('/lessons/:slug/edit', { schema: { params: SlugParams } }, async (request, reply) => {
    const page = await wiki.requirePage(request.params.slug)
    let values: LessonFormValues
    try {
      values = valuesFromSource(page.source, page.language)
    } catch (error) {
      // Front matter the form cannot read is for the plain editor, which shows the line.
      if (error instanceof FrontMatterError) return reply.redirect(`/wiki/${page.slug}/edit`, 303)
      throw error
    }
    return await showForm(request, reply, {
      values,
      mode: { kind: 'edit', slug: page.slug, title: page.title, baseRevision: page.revisionId.toHexString(), baseSource: page.source }
    })
  })

  app.post('/lessons/:slug/edit', { schema: { params: SlugParams, body: LessonFormBody } }, async (request, reply) => {
    const page = await wiki.requirePage(request.params.slug)
    const body = request.body
    return await handleForm(request, reply, body, {
      kind: 'edit',
      slug: page.slug,
      title: page.title,
      baseRevision: body.baseRevision ?? page.revisionId.toHexString(),
      baseSource: body.baseSource ?? page.source
    })
  })

  type FormMode = { kind: 'new' } | { kind: 'edit', slug: string, title: string, baseRevision: string, baseSource: string }

  async function handleForm (request: FastifyRequest, reply: FastifyReply, body: LessonFormBodyType, mode: FormMode): Promise<FastifyReply> {
    const values = formValues(body, request.locale)
    const baseSource = mode.kind === 'edit' ? mode.baseSource : null
    const checked = checkForm(values, baseSource, { fields: lessonFields })
    const message = body.message ?? ''
    if (checked.problems.length > 0 || checked.source === null) {
      reply.code(400)
      return await showForm(request, reply, { values, mode, problems: checked.problems, message })
    }
    if (body.action !== 'save') {
      const rendered = await renderer.render({
        revisionId: `preview:${createHash('sha256').update(checked.source).digest('hex')}`,
        source: checked.source,
        language: values.language,
        locale: request.locale,
        missingPageTitle: request.t('page.missingLink')
      })
      const lesson = lessonOfPage({
        slug: mode.kind === 'edit' ? mode.slug : '',
        title: values.title.trim(),
        language: values.language,
        frontMatter: checked.parsed?.data ?? {},
        fields: checked.parsed?.fields ?? { tags: [], licence: '', visibility: 'local' },
        createdAt: new Date(),
        updatedAt: new Date()
      })
      return await showForm(request, reply, { values, mode, message, preview: { html: rendered.html, lesson: lesson === null ? null : lessonView(request.t, lesson) } })
    }
    const confirmPublication = body.confirmPublication === 'yes'
    try {
      const page = mode.kind === 'new'
        ? await wiki.createPage({ source: checked.source, title: values.title.trim(), message, author: authorOf(request), language: values.language, confirmPublication })
        : (await wiki.savePage(mode.slug, { source: checked.source, baseRevisionId: mode.baseRevision, message, author: authorOf(request), confirmPublication })).page
      return reply.redirect(`/wiki/${page.slug}`, 303)
    } catch (error) {
      if (error instanceof PersonalDataError) {
        reply.code(422)
        return await showForm(request, reply, { values, mode, message, findings: error.findings })
      }
      if (error instanceof LessonValidationError) {
        reply.code(400)
        return await showForm(request, reply, { values, mode, message, problems: formProblemsOf(error.problems) })
      }
      throw error
    }
  }

  async function showForm (
    request: FastifyRequest,
    reply: FastifyReply,
    state: { values: LessonFormValues, mode: FormMode, problems?: FormProblem[], message?: string, findings?: PersonalDataFinding[], preview?: { html: string, lesson: ReturnType<typeof lessonView> | null } }
  ): Promise<FastifyReply> {
    const t = request.t
    const { values, mode } = state
    const messages = formMessages(t, state.problems ?? [])
    const fields = lessonFields.includes(values.field) || values.field === '' ? lessonFields : [...lessonFields, values.field]
    return await render(request, reply, 'lesson-form', {
      title: mode.kind === 'new' ? t('lessonForm.newHeading') : t('lessonForm.editHeading', { title: mode.title }),
      heading: mode.kind === 'new' ? t('lessonForm.newHeading') : t('lessonForm.editHeading', { title: mode.title }),
      action: mode.kind === 'new' ? '/lessons/new' : `/lessons/${mode.slug}/edit`,
      cancelHref: mode.kind === 'new' ? '/lessons' : `/wiki/${mode.slug}`,
      plainEditorHref: mode.kind === 'new' ? '/wiki/new' : `/wiki/${mode.slug}/edit`,
      baseRevision: mode.kind === 'edit' ? mode.baseRevision : '',
      baseSource: mode.kind === 'edit' ? mode.baseSource : '',
      values,
      evidence: evidenceRows(values),
      sections: sectionFields(t, values),
      choices: vocabularyChoices(t, fields),
      errors: messages.byField,
      errorList: messages.list,
      findings: findingTexts(t, state.findings ?? []),
      preview: state.preview ?? null,
      message: state.message ?? '',
      noindex: true
    })
  }
}

/** The form's values from a posted body; repeated evidence fields arrive as lists. */
export function formValues (body: LessonFormBodyType, locale: string): LessonFormValues {
  const list = (value: string | string[] | undefined): string[] => value === undefined ? [] : Array.isArray(value) ? value : [value]
  const figures = list(body.evidenceFigure)
  const sources = list(body.evidenceSource)
  const caveats = list(body.evidenceCaveat)
  const rows = Math.max(figures.length, sources.length, caveats.length)
  const evidence: LessonFormValues['evidence'] = []
  for (let index = 0; index < rows; index++) {
    const row = { figure: figures[index] ?? '', source: sources[index] ?? '', caveat: caveats[index] ?? '' }
    if (row.figure.trim() !== '' || row.source.trim() !== '' || row.caveat.trim() !== '') evidence.push(row)
  }
  const sections = Object.fromEntries(SECTION_IDS.map(id => [id, body[`section-${id}`] ?? ''])) as Record<SectionId, string>
  return {
    title: body.title ?? '',
    summary: body.summary ?? '',
    programme: body.programme ?? '',
    organisation: body.organisation ?? '',
    placeName: body.placeName ?? '',
    lat: body.lat ?? '',
    lon: body.lon ?? '',
    field: body.field ?? '',
    periodFrom: body.periodFrom ?? '',
    periodTo: body.periodTo ?? '',
    outcome: body.outcome ?? '',
    impactStep: body.impactStep ?? '',
    coProduction: body.coProduction ?? '',
    evidence,
    tags: body.tags ?? '',
    licence: body.licence ?? '',
    visibility: body.visibility ?? 'local',
    language: body.language ?? (locale === 'en' ? 'en' : 'de'),
    lead: body.lead ?? '',
    sections,
    extra: body.extra ?? ''
  }
}

function prefersJsonLd (request: FastifyRequest): boolean {
  const accept = request.headers.accept ?? ''
  return accept.includes('application/ld+json') && !accept.includes('text/html')
}
