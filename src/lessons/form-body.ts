import { Type, type Static } from '@sinclair/typebox'
import { VISIBILITIES } from '../markdown/front-matter.ts'
import { MEDIA_BOXES } from './form-media.ts'
import type { LessonFormValues } from './form-values.ts'
import { SECTION_IDS, type SectionId } from './vocabulary.ts'

const Text = (maxLength: number) => Type.Optional(Type.String({ maxLength }))
const Rows = Type.Optional(Type.Union([Type.String({ maxLength: 1000 }), Type.Array(Type.String({ maxLength: 1000 }), { maxItems: 60 })]))
const SectionText = Text(100_000)

/** What the guided form posts; anything else is refused before a handler runs. */
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
  evidenceDesign: Text(40),
  participants: Text(40),
  sites: Text(40),
  costBand: Text(10),
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
  confirmConsent: Text(10),
  action: Type.Optional(Type.Union([Type.Literal('preview'), Type.Literal('save')])),
  // The "insert an image or file" box: its file comes as a file part with its own button; with the
  // form's other buttons a browser sends the file's name as text, and the description and section.
  mediaFile: Text(1000),
  mediaAlt: Text(2000),
  mediaSection: Type.Optional(Type.Union([Type.Literal(''), ...MEDIA_BOXES.map(box => Type.Literal(box))]))
}, { additionalProperties: false })
export type LessonFormBodyType = Static<typeof LessonFormBody>

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
    evidenceDesign: body.evidenceDesign ?? '',
    participants: body.participants ?? '',
    sites: body.sites ?? '',
    costBand: body.costBand ?? '',
    tags: body.tags ?? '',
    licence: body.licence ?? '',
    visibility: body.visibility ?? 'local',
    language: body.language ?? (locale === 'en' ? 'en' : 'de'),
    lead: body.lead ?? '',
    sections,
    extra: body.extra ?? ''
  }
}
