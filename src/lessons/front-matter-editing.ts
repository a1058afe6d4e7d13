import { Document, parseDocument } from 'yaml'
import { DEFAULT_LICENCE, FrontMatterError, splitFrontMatter } from '../markdown/front-matter.ts'
import { composeBody } from './body-sections.ts'
import type { LessonFormValues } from './form-values.ts'
import { isRecord } from './schema.ts'

/**
 * Writes the form's values into a source. With a base source (editing), the front
 * matter is edited in place: unknown fields, comments and the author's formatting of
 * unchanged fields stay as they were.
 */
export function sourceFromValues (values: LessonFormValues, baseSource: string | null): string {
  const document = baseDocument(baseSource)
  const baseData = (document.toJS() ?? {}) as Record<string, unknown>
  const put = (key: string, value: unknown): void => {
    if (value === undefined) {
      if (document.has(key)) document.delete(key)
      return
    }
    if (JSON.stringify(baseData[key]) === JSON.stringify(value)) return
    document.set(key, value)
  }
  const basePlace = isRecord(baseData.place) ? baseData.place : {}
  const basePeriod = isRecord(baseData.period) ? baseData.period : {}
  const baseEvidence = Array.isArray(baseData.evidence) ? baseData.evidence : []

  // An empty title would make the front matter unreadable; the form reports it at the field instead.
  put('title', values.title.trim() === '' ? undefined : values.title.trim())
  put('language', values.language)
  put('type', 'lesson')
  put('summary', values.summary.trim())
  put('programme', values.programme.trim())
  put('organisation', values.organisation.trim())
  const place: Record<string, unknown> = { ...basePlace, name: values.placeName.trim() }
  delete place.lat
  delete place.lon
  if (values.lat.trim() !== '') place.lat = numberOrText(values.lat)
  if (values.lon.trim() !== '') place.lon = numberOrText(values.lon)
  put('place', place)
  put('field', values.field.trim())
  const period: Record<string, unknown> = { ...basePeriod, from: values.periodFrom.trim() }
  delete period.to
  if (values.periodTo.trim() !== '') period.to = values.periodTo.trim()
  put('period', period)
  put('outcome', values.outcome.trim())
  put('impactStep', values.impactStep.trim() === '' ? undefined : numberOrText(values.impactStep))
  put('coProduction', values.coProduction.trim() === '' ? undefined : values.coProduction.trim())
  const evidence = values.evidence
    .map((row, index) => ({ row, base: isRecord(baseEvidence[index]) ? baseEvidence[index] : {} }))
    .filter(({ row }) => row.figure.trim() !== '' || row.source.trim() !== '' || row.caveat.trim() !== '')
    .map(({ row, base }) => {
      const item: Record<string, unknown> = { ...base, figure: row.figure.trim(), source: row.source.trim() }
      delete item.caveat
      if (row.caveat.trim() !== '') item.caveat = row.caveat.trim()
      return item
    })
  put('evidence', evidence.length === 0 ? undefined : evidence)
  const optional = (text: string): string | undefined => text.trim() === '' ? undefined : text.trim()
  put('evidenceDesign', optional(values.evidenceDesign))
  put('participants', values.participants.trim() === '' ? undefined : countOrText(values.participants))
  put('sites', values.sites.trim() === '' ? undefined : countOrText(values.sites))
  put('costBand', values.costBand.trim() === '' ? undefined : numberOrText(values.costBand))
  put('tags', splitTags(values.tags))
  put('licence', values.licence.trim() === '' ? DEFAULT_LICENCE : values.licence.trim())
  put('visibility', values.visibility)
  return `---\n${document.toString({ lineWidth: 0 })}---\n${composeBody(values)}`
}

/** The base source's front matter to edit; one the form cannot read is replaced by the form's own fields. */
function baseDocument (baseSource: string | null): Document {
  const yaml = baseSource === null ? null : frontMatterText(baseSource)
  if (yaml !== null) {
    const document = parseDocument(yaml, { schema: 'core' })
    if (document.errors.length === 0 && (document.contents === null || isRecord(document.toJS()))) return document
  }
  return new Document({}, { schema: 'core' })
}

function frontMatterText (source: string): string | null {
  try {
    return splitFrontMatter(source).yaml
  } catch (error) {
    if (error instanceof FrontMatterError) return null
    throw error
  }
}

function numberOrText (text: string): number | string {
  const trimmed = text.trim().replace(',', '.')
  return /^-?\d+(?:\.\d+)?$/.test(trimmed) ? Number(trimmed) : text.trim()
}

/** People write counts with thousands separators ("1.200", "1,200", "1 200"). */
function countOrText (text: string): number | string {
  const digits = text.trim().replace(/(?<=\d)[.,\s\u00a0\u202f](?=\d{3}(?:\D|$))/g, '')
  return /^\d+$/.test(digits) ? Number(digits) : text.trim()
}

export function splitTags (text: string): string[] {
  const tags: string[] = []
  for (const tag of text.split(',').map(item => item.trim()).filter(item => item !== '')) {
    if (!tags.includes(tag)) tags.push(tag)
  }
  return tags
}
