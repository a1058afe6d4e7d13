import markdownIt from 'markdown-it'
import { LARGE_BODY_LENGTH } from '../markdown/render.ts'
import { tableLimitsPlugin } from '../markdown/table-limits.ts'
import { SECTION_HEADINGS, SECTION_IDS, headingsFor, type SectionId } from './vocabulary.ts'

/** A lesson body as the form's boxes hold it. */
export interface LessonBody {
  /** Body text before the first section heading. */
  lead: string
  sections: Record<SectionId, string>
  /** Sections with headings of the author's own, in their order. */
  extra: string
}

interface Heading {
  title: string
  /** The heading's lines in the text: from `start` up to, not including, `end`. */
  start: number
  end: number
}

// Only the block structure is read here: the renderer's plugins change inline text only,
// but for its table limits, which keep a page of wide tables from filling in millions of cells.
const markdown = markdownIt().use(tableLimitsPlugin)

/**
 * Level-2 headings as the page will render them: a `##` line in a code block, a quote
 * or a list does not start a section, and an underlined (setext) heading does.
 */
function sectionHeadings (text: string): Heading[] {
  if (text.length >= LARGE_BODY_LENGTH) return sectionHeadingsByLines(text)
  const tokens = markdown.parse(text, {})
  const headings: Heading[] = []
  tokens.forEach((token, index) => {
    if (token.type !== 'heading_open' || token.tag !== 'h2' || token.level !== 0 || token.map === null) return
    headings.push({ title: tokens[index + 1]?.content ?? '', start: token.map[0], end: token.map[1] })
  })
  return headings
}

const FENCE = /^ {0,3}(`{3,}|~{3,})/
const ATX_HEADING = /^ {0,3}##(?:[ \t]|$)/
const SETEXT_UNDERLINE = /^ {0,3}-+[ \t]*$/
/** Lines that open a block of their own: a quote, a list item, a thematic break, a heading of another level. */
const OTHER_BLOCK = /^ {0,3}(?:>|[-*+](?:[ \t]|$)|\d{1,9}[.)](?:[ \t]|$)|#{1,6}(?:[ \t]|$)|(?:[*_][ \t]*){3,}$)/

/**
 * The same headings read line by line, in linear time: markdown-it's block parse alone
 * takes most of a second for a large body (a page of `## a` lines), and the guided form
 * runs in the event loop. It sees `##` lines and underlined headings outside fenced code;
 * unlike the parser it takes them inside a list item's indented lines too.
 */
function sectionHeadingsByLines (text: string): Heading[] {
  const lines = text.split('\n')
  const headings: Heading[] = []
  let fence: string | null = null
  let paragraphStart: number | null = null
  lines.forEach((line, index) => {
    if (fence !== null) {
      if (line.trim().startsWith(fence) && line.trim().replaceAll(fence[0] ?? '', '') === '') fence = null
      return
    }
    const opening = FENCE.exec(line)
    if (opening !== null) {
      fence = opening[1] ?? null
      paragraphStart = null
    } else if (ATX_HEADING.test(line)) {
      headings.push({ title: atxTitle(line), start: index, end: index + 1 })
      paragraphStart = null
    } else if (paragraphStart !== null && SETEXT_UNDERLINE.test(line)) {
      headings.push({ title: lines.slice(paragraphStart, index).map(part => part.trim()).join('\n'), start: paragraphStart, end: index + 1 })
      paragraphStart = null
    } else if (line.trim() === '' || OTHER_BLOCK.test(line)) {
      paragraphStart = null
    } else if (paragraphStart === null && !/^ {4}|^\t/.test(line)) {
      paragraphStart = index
    }
  })
  return headings
}

/** A `## Title ##` line's title, without a regular expression that could backtrack over a long line. */
function atxTitle (line: string): string {
  const text = line.trim().slice(2).trim()
  let end = text.length
  while (end > 0 && text[end - 1] === '#') end--
  return end === 0 ? '' : end === text.length || text[end - 1] === ' ' || text[end - 1] === '\t' ? text.slice(0, end).trim() : text
}

function normaliseHeading (heading: string): string {
  return heading.toLowerCase().replace(/\s+/g, ' ').trim()
}

const KNOWN_HEADINGS = new Map<string, SectionId>()
for (const headings of Object.values(SECTION_HEADINGS)) {
  for (const id of SECTION_IDS) KNOWN_HEADINGS.set(normaliseHeading(headings[id]), id)
}

function sectionOfHeading (heading: string): SectionId | null {
  return KNOWN_HEADINGS.get(normaliseHeading(heading)) ?? null
}

export function emptySections (): Record<SectionId, string> {
  return { context: '', approach: '', happened: '', learned: '', soWhat: '', evidence: '' }
}

/**
 * The box each heading's text goes to: its lesson section the first time the heading
 * appears; a heading of the author's own, or a section's heading a second time, goes
 * to the extra box with its text as written.
 */
function boxesOf (headings: readonly Heading[]): Array<SectionId | 'extra'> {
  const filled = new Set<SectionId>()
  return headings.map(heading => {
    const id = sectionOfHeading(heading.title)
    if (id === null || filled.has(id)) return 'extra'
    filled.add(id)
    return id
  })
}

/** Splits a lesson body at its level-2 headings into the form's boxes. */
export function splitBody (body: string): LessonBody {
  const lines = body.split('\n')
  const text = (start: number, end: number): string => lines.slice(start, end).join('\n')
  const headings = sectionHeadings(body)
  const boxes = boxesOf(headings)
  const sections = emptySections()
  const extra: string[] = []
  headings.forEach((heading, index) => {
    const next = headings[index + 1]?.start ?? lines.length
    const box = boxes[index] ?? 'extra'
    if (box === 'extra') extra.push(text(heading.start, next))
    else sections[box] = text(heading.end, next).trim()
  })
  return { lead: text(0, headings[0]?.start ?? lines.length).trim(), sections, extra: extra.join('\n').trim() }
}

/** The form box that shows a line (counted from 0) of a lesson body, as splitBody divides it. */
export function boxOfLine (body: string, line: number): SectionId | 'lead' | 'extra' {
  const headings = sectionHeadings(body)
  const boxes = boxesOf(headings)
  let box: SectionId | 'lead' | 'extra' = 'lead'
  headings.forEach((heading, index) => {
    if (heading.start <= line) box = boxes[index] ?? 'extra'
  })
  return box
}

export function composeBody (values: LessonBody & { language: string }): string {
  const headings = headingsFor(values.language)
  const parts: string[] = []
  if (values.lead.trim() !== '') parts.push(values.lead.trim())
  for (const id of SECTION_IDS) {
    const text = values.sections[id].trim()
    if (text !== '') parts.push(`## ${headings[id]}\n\n${text}`)
  }
  if (values.extra.trim() !== '') parts.push(values.extra.trim())
  return `\n${parts.join('\n\n')}\n`
}

/** Whether a box's text has a level-2 heading, which would split it into other boxes on the next read. */
export function hasSectionHeading (text: string): boolean {
  return sectionHeadings(text).length > 0
}

/** Whether text for the extra box reads back into it: it opens with a level-2 heading, and none is a lesson section's. */
export function readsBackAsExtra (extra: string): boolean {
  const headings = sectionHeadings(extra)
  return headings[0]?.start === 0 && headings.every(heading => sectionOfHeading(heading.title) === null)
}
