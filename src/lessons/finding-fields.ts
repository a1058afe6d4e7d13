import { isMap, isNode, isScalar, isSeq, LineCounter, parseDocument } from 'yaml'
import { FrontMatterError, splitFrontMatter } from '../markdown/front-matter.ts'
import { boxOfLine } from './body-sections.ts'
import type { FormField } from './form-check.ts'

/** Where in the guided form a line of the source it composed came from; `row` counts evidence rows from 1. */
export interface FormPlace {
  field: FormField
  row?: number
}

/** The front matter keys the form writes, by the field that holds each. */
const KEY_FIELDS = new Map<string, FormField>(Object.entries({
  title: 'title',
  summary: 'summary',
  programme: 'programme',
  organisation: 'organisation',
  place: 'placeName',
  field: 'field',
  period: 'periodFrom',
  outcome: 'outcome',
  impactStep: 'impactStep',
  coProduction: 'coProduction',
  evidence: 'evidence',
  tags: 'tags',
  licence: 'licence',
  visibility: 'visibility',
  language: 'language'
}))

/**
 * The form field behind a line (counted from 1) of a source the guided form composed,
 * so a finding of the publishing check can be shown where the author typed it rather
 * than at a line of Markdown they never saw. Null for lines of front matter fields the
 * form keeps without showing them.
 */
export function formPlaceOfLine (source: string, line: number): FormPlace | null {
  let split
  try {
    split = splitFrontMatter(source)
  } catch (error) {
    if (error instanceof FrontMatterError) return null
    throw error
  }
  if (split.yaml === null || line >= split.bodyLine) {
    const box = boxOfLine(split.body, line - (split.yaml === null ? 1 : split.bodyLine))
    return { field: box === 'lead' || box === 'extra' ? box : `section-${box}` }
  }
  // The front matter starts on the source's second line.
  return frontMatterPlace(split.yaml, line - 2)
}

function frontMatterPlace (yaml: string, line: number): FormPlace | null {
  const lineCounter = new LineCounter()
  const document = parseDocument(yaml, { schema: 'core', lineCounter })
  if (!isMap(document.contents)) return null
  const lineOf = (offset: number | undefined): number => lineCounter.linePos(offset ?? 0).line - 1
  let place: FormPlace | null = null
  for (const pair of document.contents.items) {
    if (!isScalar(pair.key) || lineOf(pair.key.range?.[0]) > line) continue
    const field = KEY_FIELDS.get(String(pair.key.value))
    place = field === undefined ? null : { field }
    if (field === 'evidence' && isSeq(pair.value)) {
      pair.value.items.forEach((item, index) => {
        if (isNode(item) && lineOf(item.range?.[0]) <= line) place = { field, row: index + 1 }
      })
    }
  }
  return place
}
