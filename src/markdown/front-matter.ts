import { LineCounter, parseDocument, isMap, stringify } from 'yaml'
import { AppError } from '../http/errors.ts'
import type { MessageParams } from '../i18n/index.ts'
import { cleanTitle } from './title.ts'

export const VISIBILITIES = ['public', 'unlisted', 'local'] as const
export type Visibility = typeof VISIBILITIES[number]
export const DEFAULT_LICENCE = 'CC-BY-SA-4.0'
/** Pages never federate unless their author says so (see DESIGN.md, case notes). */
export const DEFAULT_VISIBILITY: Visibility = 'local'

/** The fields the wiki itself understands; every other field is kept as written. */
export interface PageFields {
  title?: string
  language?: string
  tags: string[]
  summary?: string
  licence: string
  visibility: Visibility
  type?: string
}

export interface ParsedSource {
  /** Every front matter field as parsed, including ones the wiki does not know. */
  data: Record<string, unknown>
  fields: PageFields
  /** The Markdown after the front matter. */
  body: string
  /** 1-based line of the source on which `body` starts. */
  bodyLine: number
}

/** Bad front matter in a page source; `line` counts from 1 in the whole source. */
export class FrontMatterError extends AppError {
  readonly statusCode = 400
  readonly code = 'invalid-front-matter'
  readonly messageKey = 'error.frontMatter'
  constructor (readonly line: number, readonly reason: string) {
    super(`front matter, line ${line}: ${reason}`)
  }

  override messageParams (): MessageParams { return { line: this.line, reason: this.reason } }
}

const OPENING = /^---[ \t]*$/
const CLOSING = /^(?:---|\.\.\.)[ \t]*$/
const LANGUAGE_TAG = /^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$/
// SPDX ids and simple expressions such as "CC-BY-SA-4.0" or "MIT OR Apache-2.0".
const LICENCE_EXPRESSION = /^[A-Za-z0-9.+-]+(?: (?:AND|OR|WITH) [A-Za-z0-9.+-]+)*$/
const MAX_TITLE_LENGTH = 200
const MAX_SUMMARY_LENGTH = 2000
const MAX_TAGS = 50
const MAX_TAG_LENGTH = 60
/**
 * The YAML parser checks each field name against all before it and nests without bound,
 * so 40,000 fields took a minute and deep brackets exhaust the stack (issue 14). The
 * fields a page has, a summary of 2,000 characters and 50 tags among them, fit well within this.
 */
export const MAX_FRONT_MATTER_LENGTH = 20_000
/** Brackets nested deeper than this are no page's fields; the parser takes seconds over thousands of them. */
export const MAX_FRONT_MATTER_NESTING = 50
/** Each field name is compared with every other in its map: 2,200 of them took 650 ms. Counted as "name:" pairs, colons in values too. */
export const MAX_FRONT_MATTER_FIELDS = 200

/** A source cut at its front matter delimiters; nothing is parsed yet. */
export interface SplitSource {
  /** The YAML between the `---` lines; null when the source has no front matter. */
  yaml: string | null
  body: string
  /** The line (1-based) where the body starts in the source. */
  bodyLine: number
}

/**
 * Cuts a source into front matter and body: the one place that knows the delimiters
 * (a first line `---`, closed by `---` or `...`). A byte-order mark and CR line ends
 * are dropped first. Throws FrontMatterError when the front matter is never closed.
 */
export function splitFrontMatter (source: string): SplitSource {
  const text = source.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n')
  const lines = text.split('\n')
  if (!OPENING.test(lines[0] ?? '')) return { yaml: null, body: text, bodyLine: 1 }
  const closing = lines.findIndex((line, index) => index > 0 && CLOSING.test(line))
  if (closing === -1) throw new FrontMatterError(1, 'the front matter has no closing "---" line')
  return { yaml: lines.slice(1, closing).join('\n'), body: lines.slice(closing + 1).join('\n'), bodyLine: closing + 2 }
}

/**
 * Splits a page source into YAML front matter and Markdown body, and checks the
 * fields the wiki relies on. A source without a leading `---` line has no front matter.
 */
export function parseSource (source: string): ParsedSource {
  const { yaml, body, bodyLine } = splitFrontMatter(source)
  if (yaml === null) return { data: {}, fields: checkFields({}, () => 1), body, bodyLine }
  const { data, lineOf } = parseYaml(yaml)
  return { data, fields: checkFields(data, lineOf), body, bodyLine }
}

/**
 * The source with its `title` field set, keeping the rest of the front matter as
 * written (comments, order, quoting), so a rename does not reformat the author's text.
 */
export function withTitle (source: string, title: string): string {
  parseSource(source)
  const { yaml, body } = splitFrontMatter(source)
  if (yaml === null) return composeSource({ title }, body)
  const document = parseDocument(yaml, { schema: 'core' })
  document.set('title', title)
  return `---\n${document.toString({ lineWidth: 0 })}---\n${body}`
}

/** Writes front matter and body back into one source, the form the editor shows. */
export function composeSource (data: Record<string, unknown>, body: string): string {
  if (Object.keys(data).length === 0) return body
  return `---\n${stringify(data, { lineWidth: 0 })}---\n${body}`
}

/** Parses the YAML between the delimiters; line numbers are shifted by the opening line. */
function parseYaml (yamlText: string): { data: Record<string, unknown>, lineOf: (key: string) => number } {
  if (yamlText.length > MAX_FRONT_MATTER_LENGTH) {
    const line = yamlText.slice(0, MAX_FRONT_MATTER_LENGTH).split('\n').length + 1
    throw new FrontMatterError(line, `the front matter is longer than ${MAX_FRONT_MATTER_LENGTH} characters; long text belongs in the page itself`)
  }
  const fields = yamlText.match(/:(?=[ \t\n]|$)/g)?.length ?? 0
  if (fields > MAX_FRONT_MATTER_FIELDS) throw new FrontMatterError(2, `the front matter has more than ${MAX_FRONT_MATTER_FIELDS} fields`)
  const tooDeep = bracketsTooDeep(yamlText)
  if (tooDeep !== null) throw new FrontMatterError(tooDeep + 1, `brackets are nested more than ${MAX_FRONT_MATTER_NESTING} deep`)
  const lineCounter = new LineCounter()
  // The core schema keeps "2024-03" and similar values as strings instead of dates.
  const document = parseDocument(yamlText, { lineCounter, schema: 'core', uniqueKeys: true, prettyErrors: false })
  const error = document.errors[0]
  if (error) {
    const line = lineCounter.linePos(error.pos[0]).line + 1
    throw new FrontMatterError(line, yamlReason(error.code, error.message))
  }
  if (document.contents === null) return { data: {}, lineOf: () => 1 }
  if (!isMap(document.contents)) {
    throw new FrontMatterError(2, 'the front matter must be a list of "name: value" fields')
  }
  const map = document.contents
  const lineOf = (key: string): number => {
    const pair = map.items.find(item => item.key !== null && typeof item.key === 'object' && 'value' in item.key && item.key.value === key)
    const node = pair?.value ?? pair?.key
    const offset = node !== null && typeof node === 'object' && 'range' in node && Array.isArray(node.range) ? node.range[0] as number : 0
    return lineCounter.linePos(offset).line + 1
  }
  let data: unknown
  try {
    data = document.toJS({ maxAliasCount: 50 })
  } catch (error) {
    // Unresolvable or excessive aliases only show up when the document is resolved.
    throw new FrontMatterError(2, error instanceof Error ? error.message : 'the front matter cannot be read')
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new FrontMatterError(2, 'the front matter must be a list of "name: value" fields')
  }
  const badName = findUnstorableName(data)
  if (badName !== null) {
    throw new FrontMatterError(2, `the field name "${badName}" must not start with "$" or contain "."`)
  }
  return { data: data as Record<string, unknown>, lineOf }
}

/** The line (1-based, in the YAML) where brackets first nest too deep, counting quoted ones too; null when they never do. */
function bracketsTooDeep (yamlText: string): number | null {
  let depth = 0
  let line = 1
  for (let index = 0; index < yamlText.length; index++) {
    const character = yamlText[index]
    if (character === '\n') line++
    else if (character === '[' || character === '{') {
      if (++depth > MAX_FRONT_MATTER_NESTING) return line
    } else if ((character === ']' || character === '}') && depth > 0) depth--
  }
  return null
}

/** Field names that MongoDB treats as operators or paths cannot be stored as written. */
function findUnstorableName (value: unknown, depth = 0): string | null {
  if (depth > 20 || value === null || typeof value !== 'object') return null
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = findUnstorableName(item, depth + 1)
      if (found !== null) return found
    }
    return null
  }
  for (const [name, item] of Object.entries(value)) {
    if (name.startsWith('$') || name.includes('.')) return name
    const found = findUnstorableName(item, depth + 1)
    if (found !== null) return found
  }
  return null
}

function yamlReason (code: string, message: string): string {
  if (code === 'DUPLICATE_KEY') return 'a field name appears twice'
  // The library's first message line names the problem; the rest repeats the source.
  return message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '') ?? message
}

function checkFields (data: Record<string, unknown>, lineOf: (key: string) => number): PageFields {
  const fail = (key: string, reason: string): never => {
    throw new FrontMatterError(lineOf(key), `"${key}" ${reason}`)
  }
  const optionalString = (key: string, maxLength: number): string | undefined => {
    const value = data[key]
    if (value === undefined || value === null) return undefined
    if (typeof value !== 'string' && typeof value !== 'number') fail(key, 'must be text')
    const text = String(value).trim()
    if (text.length > maxLength) fail(key, `must be at most ${maxLength} characters long`)
    return text
  }

  const written = optionalString('title', MAX_TITLE_LENGTH)
  const title = written === undefined ? undefined : cleanTitle(written)
  if (title === '') fail('title', 'must not be empty')

  const language = optionalString('language', 20)
  if (language !== undefined && !LANGUAGE_TAG.test(language)) {
    fail('language', 'must be a language code such as "de" or "en"')
  }

  const tags = checkTags(data.tags, () => fail('tags', `must be a list of at most ${MAX_TAGS} words, each at most ${MAX_TAG_LENGTH} characters`))

  const licence = optionalString('licence', 100) ?? DEFAULT_LICENCE
  if (!LICENCE_EXPRESSION.test(licence)) fail('licence', 'must be an SPDX licence id such as "CC-BY-SA-4.0"')

  const visibility = optionalString('visibility', 20) ?? DEFAULT_VISIBILITY
  if (!(VISIBILITIES as readonly string[]).includes(visibility)) {
    fail('visibility', `must be one of ${VISIBILITIES.join(', ')}`)
  }

  const fields: PageFields = { tags, licence, visibility: visibility as Visibility }
  const summary = optionalString('summary', MAX_SUMMARY_LENGTH)
  const type = optionalString('type', 40)
  if (title !== undefined) fields.title = title
  if (language !== undefined) fields.language = language
  if (summary !== undefined) fields.summary = summary
  if (type !== undefined) fields.type = type
  return fields
}

function checkTags (value: unknown, fail: () => never): string[] {
  if (value === undefined || value === null) return []
  // A single tag written without list syntax is common and unambiguous.
  const list = typeof value === 'string' ? [value] : value
  if (!Array.isArray(list) || list.length > MAX_TAGS) fail()
  const tags: string[] = []
  for (const tag of list as unknown[]) {
    if (typeof tag !== 'string' && typeof tag !== 'number') fail()
    const text = String(tag).trim()
    if (text === '' || text.length > MAX_TAG_LENGTH) fail()
    if (!tags.includes(text)) tags.push(text)
  }
  return tags
}
