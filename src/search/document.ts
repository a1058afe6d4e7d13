import MarkdownIt from 'markdown-it'
import { FrontMatterError, splitFrontMatter } from '../markdown/front-matter.ts'
import { LARGE_BODY_LENGTH } from '../markdown/render.ts'
import { tableLimitsPlugin } from '../markdown/table-limits.ts'
import type { PageSnapshot } from '../wiki/events.ts'
import type { RemotePageSnapshot } from '../federation/events.ts'
import type { LessonFacets, SearchDocument } from './types.ts'

const OUTCOMES = new Set(['works', 'fails', 'mixed', 'open'])
// The page's own table limits: a page of wide tables would fill in millions of empty cells.
const markdown = new MarkdownIt({ html: true }).use(tableLimitsPlugin)

type Token = ReturnType<InstanceType<typeof MarkdownIt>['parse']>[number]

/** What a reader sees of a Markdown text, without markup: headings, paragraphs, list items, code. */
export function stripMarkdown (source: string): string {
  // Wiki links are not Markdown; their visible text is the label, or the target.
  const text = source.replace(/\[\[([^\]|\n]{1,200})(?:\|([^\]\n]{1,200}))?\]\]/g, (_whole, target: string, label?: string) => label ?? target)
  const plain = source.length < LARGE_BODY_LENGTH ? withoutMarkup(text) : withoutMarkupRoughly(text)
  return plain.replace(/[ \t]+/g, ' ').replace(/ ?\n[\s]*/g, '\n').trim()
}

function withoutMarkup (text: string): string {
  const parts: string[] = []
  const collect = (tokens: Token[]): void => {
    for (const token of tokens) {
      if (token.children !== null) collect(token.children)
      else if (token.type === 'text' || token.type === 'code_inline' || token.type === 'code_block' || token.type === 'fence') parts.push(token.content)
      else if (token.type === 'html_block' || token.type === 'html_inline') parts.push(token.content.replace(/<[^>]*>/g, ' '))
      else if (token.type === 'image') parts.push(token.content)
      else if (token.type === 'softbreak' || token.type === 'hardbreak') parts.push(' ')
      else if (token.block && token.nesting === -1) parts.push('\n')
    }
  }
  collect(markdown.parse(text, {}))
  return parts.join('')
}

/**
 * Indexing runs in the event loop when a page is saved, and markdown-it takes seconds
 * for some large texts (a page of `## a` lines): a large text loses its markup by line
 * patterns instead, in linear time. The index may keep a stray character the parser
 * would have dropped; the words are the same.
 */
function withoutMarkupRoughly (text: string): string {
  return text
    .replace(/<[^<>\n]{0,500}>/g, ' ')
    .replace(/!?\[([^[\]\n]{0,500})\]\([^()\n]{0,2000}\)/g, '$1')
    .replace(/^[ \t]{0,3}(?:#{1,6}(?=[ \t]|$)|>[ \t]?|[-*+](?=[ \t])|\d{1,9}[.)](?=[ \t])|(?:```|~~~)[^\n]*$)/gm, '')
    .replace(/[*_`|]+/g, ' ')
}

/** A local wiki page as the index sees it. */
export function documentFromPage (page: PageSnapshot & { visibility?: string }): SearchDocument {
  const data = page.frontMatter
  const body = bodyOf(page.source)
  const document: SearchDocument = {
    id: page.id,
    url: `/wiki/${page.slug}`,
    title: page.title,
    tags: page.fields.tags,
    summary: page.fields.summary ?? '',
    body: stripMarkdown(body),
    language: page.language,
    origin: 'local',
    visibility: page.fields.visibility,
    updatedAt: page.updatedAt.toISOString(),
    version: page.revisionId
  }
  const lesson = lessonFacets(data)
  if (lesson !== undefined) document.lesson = lesson
  return document
}

/**
 * A page another organisation published, as kept by federation. It is found
 * like a local page; the result links to its copy here, which names the source.
 */
export function documentFromRemote (page: RemotePageSnapshot): SearchDocument {
  const isMarkdown = !page.text.trimStart().startsWith('<')
  const body = isMarkdown ? stripMarkdown(bodyOf(page.text)) : page.text.replace(/<[^>]*>/g, ' ').replace(/&[a-z#0-9]+;/gi, ' ').replace(/\s+/g, ' ').trim()
  const document: SearchDocument = {
    id: page.id,
    url: page.localUrl,
    title: page.title,
    tags: page.tags,
    summary: page.summary,
    body,
    language: page.language,
    origin: page.origin,
    visibility: 'public',
    updatedAt: page.updatedAt.toISOString(),
    version: String(page.updatedAt.getTime())
  }
  const lesson = lessonFacets(page.frontMatter)
  if (lesson !== undefined) document.lesson = lesson
  return document
}

/** The Markdown after the front matter; the front matter's own fields are indexed separately. */
function bodyOf (source: string): string {
  const text = source.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n')
  try {
    return splitFrontMatter(text).body
  } catch (error) {
    // A text that opens with `---` and never closes it has no front matter: all of it is the body.
    if (error instanceof FrontMatterError) return text
    throw error
  }
}

/** Lesson fields from front matter, each only when it is present and makes sense. */
export function lessonFacets (data: Record<string, unknown>): LessonFacets | undefined {
  const facets: LessonFacets = {}
  const text = (value: unknown): string | undefined => {
    if (typeof value === 'string' && value.trim() !== '') return value.trim().slice(0, 200)
    if (typeof value === 'number') return String(value)
    return undefined
  }
  const outcome = text(data.outcome)?.toLowerCase()
  if (outcome !== undefined && OUTCOMES.has(outcome)) facets.outcome = outcome
  const field = text(data.field)
  if (field !== undefined) facets.field = field
  const place = typeof data.place === 'object' && data.place !== null ? text((data.place as Record<string, unknown>).name) : text(data.place)
  if (place !== undefined) facets.place = place
  const programme = text(data.programme)
  if (programme !== undefined) facets.programme = programme
  const organisation = text(data.organisation)
  if (organisation !== undefined) facets.organisation = organisation
  const period = data.period
  const from = typeof period === 'object' && period !== null ? (period as Record<string, unknown>).from : undefined
  const year = /^(\d{4})/.exec(from instanceof Date ? from.toISOString() : String(from ?? ''))?.[1]
  if (year !== undefined) facets.year = Number(year)
  if (typeof data.impactStep === 'number' && Number.isInteger(data.impactStep) && data.impactStep >= 1 && data.impactStep <= 7) facets.impactStep = data.impactStep
  const coProduction = text(data.coProduction)
  if (coProduction !== undefined) facets.coProduction = coProduction
  return Object.keys(facets).length === 0 ? undefined : facets
}
