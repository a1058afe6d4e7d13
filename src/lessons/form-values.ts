import { DEFAULT_LICENCE, parseSource } from '../markdown/front-matter.ts'
import { emptySections, splitBody, type LessonBody } from './body-sections.ts'
import { isRecord } from './schema.ts'

/**
 * The guided form and the plain editor edit the same text. The form reads a source
 * into plain strings and writes them back into that source, keeping every front matter
 * field and every piece of body text it does not show in its own boxes.
 */
export interface EvidenceRow {
  figure: string
  source: string
  caveat: string
}

export interface LessonFormValues extends LessonBody {
  title: string
  summary: string
  programme: string
  organisation: string
  placeName: string
  lat: string
  lon: string
  field: string
  periodFrom: string
  periodTo: string
  outcome: string
  impactStep: string
  coProduction: string
  evidence: EvidenceRow[]
  evidenceDesign: string
  participants: string
  sites: string
  costBand: string
  tags: string
  licence: string
  visibility: string
  language: string
}

export function blankValues (language: string, fields: readonly string[]): LessonFormValues {
  return {
    title: '',
    summary: '',
    programme: '',
    organisation: '',
    placeName: '',
    lat: '',
    lon: '',
    field: fields.length === 1 ? fields[0] ?? '' : '',
    periodFrom: '',
    periodTo: '',
    outcome: '',
    impactStep: '',
    coProduction: '',
    evidence: [],
    evidenceDesign: '',
    participants: '',
    sites: '',
    costBand: '',
    tags: '',
    licence: DEFAULT_LICENCE,
    visibility: 'local',
    language,
    lead: '',
    sections: emptySections(),
    extra: ''
  }
}

/** The form's view of a page source; throws FrontMatterError when the source cannot be read. */
export function valuesFromSource (source: string, fallbackLanguage: string): LessonFormValues {
  const parsed = parseSource(source)
  const data = parsed.data
  const text = (value: unknown): string => value === undefined || value === null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value)
  const place = isRecord(data.place) ? data.place : {}
  const period = isRecord(data.period) ? data.period : {}
  const body = splitBody(parsed.body)
  return {
    title: text(data.title),
    summary: text(data.summary),
    programme: text(data.programme),
    organisation: text(data.organisation),
    placeName: typeof data.place === 'string' ? data.place : text(place.name),
    lat: text(place.lat),
    lon: text(place.lon),
    field: text(data.field),
    periodFrom: text(period.from),
    periodTo: text(period.to),
    outcome: text(data.outcome),
    impactStep: text(data.impactStep),
    coProduction: text(data.coProduction),
    evidence: Array.isArray(data.evidence)
      ? data.evidence.map(item => isRecord(item) ? { figure: text(item.figure), source: text(item.source), caveat: text(item.caveat) } : { figure: text(item), source: '', caveat: '' })
      : [],
    evidenceDesign: text(data.evidenceDesign),
    participants: text(data.participants),
    sites: text(data.sites),
    costBand: text(data.costBand),
    tags: parsed.fields.tags.join(', '),
    licence: parsed.fields.licence,
    visibility: parsed.fields.visibility,
    language: parsed.fields.language ?? fallbackLanguage,
    ...body
  }
}
