import { analyseWord, analyserFor, fold } from './analysis.ts'
import { escapeHtml } from '../http/context.ts'

const WORD = /[\p{L}\p{N}]+/gu
const CONTEXT_BEFORE = 80
const SNIPPET_LENGTH = 260

/**
 * A short piece of the page around the first matched word, as escaped HTML in which
 * only the `<mark>` elements around matched words are markup.
 * `terms` are index terms (stems); a word matches when it analyses to one of them.
 */
export function snippet (texts: string[], language: string, terms: ReadonlySet<string>): string {
  const analyser = analyserFor(language)
  // Words repeat within a page, and stemming each again is most of a snippet's cost.
  const known = new Map<string, boolean>()
  const matches = (word: string): boolean => {
    const lower = word.toLowerCase()
    let found = known.get(lower)
    if (found === undefined) {
      const term = analyseWord(lower, analyser)
      found = (term !== null && terms.has(term)) || terms.has(fold(lower))
      known.set(lower, found)
    }
    return found
  }
  for (const text of texts) {
    const first = firstMatch(text, matches)
    if (first === -1) continue
    let start = Math.max(0, first - CONTEXT_BEFORE)
    if (start > 0) start = wordStartAfter(text, start)
    const end = wordEndBefore(text, Math.min(text.length, start + SNIPPET_LENGTH))
    return (start > 0 ? '… ' : '') + highlight(text.slice(start, end), matches) + (end < text.length ? ' …' : '')
  }
  const text = texts.find(candidate => candidate.trim() !== '') ?? ''
  const end = wordEndBefore(text, Math.min(text.length, SNIPPET_LENGTH))
  return flowing(escapeHtml(text.slice(0, end))) + (end < text.length ? ' …' : '')
}

function firstMatch (text: string, matches: (word: string) => boolean): number {
  for (const match of text.matchAll(WORD)) {
    if (matches(match[0])) return match.index
  }
  return -1
}

function highlight (text: string, matches: (word: string) => boolean): string {
  let html = ''
  let last = 0
  for (const match of text.matchAll(WORD)) {
    if (!matches(match[0])) continue
    html += escapeHtml(text.slice(last, match.index)) + '<mark>' + escapeHtml(match[0]) + '</mark>'
    last = match.index + match[0].length
  }
  return flowing(html + escapeHtml(text.slice(last)))
}

/**
 * One line of text: the page text keeps a line break between blocks, and a heading or list
 * item has no full stop to end it, so a middle dot keeps it from running into what follows.
 */
function flowing (text: string): string {
  return text.replace(/([.!?:;…])?[^\S\n]*\n\s*/g, (_break, stop: string | undefined) => stop === undefined ? ' · ' : `${stop} `).replace(/\s+/g, ' ')
}

function wordStartAfter (text: string, index: number): number {
  const space = text.slice(index).search(/\s/)
  return space === -1 ? index : index + space + 1
}

function wordEndBefore (text: string, index: number): number {
  if (index >= text.length) return text.length
  const space = text.lastIndexOf(' ', index)
  return space <= 0 ? index : space
}
