import { diffWordsWithSpace, formatPatch, structuredPatch, type StructuredPatch } from 'diff'

export type DiffLineKind = 'added' | 'removed' | 'unchanged'

export interface DiffLine {
  kind: DiffLineKind
  text: string
  /** Line number in the old text; absent for added lines. */
  oldLine?: number
  /** Line number in the new text; absent for removed lines. */
  newLine?: number
  /**
   * For a changed line (a removed line answered by an added one), its words, with the ones
   * that changed marked, so "fast" → "beinahe" shows without reading both lines whole.
   */
  parts?: DiffPart[]
}

export interface DiffPart {
  text: string
  changed: boolean
}

export interface DiffHunk {
  oldStart: number
  newStart: number
  lines: DiffLine[]
}

export interface TextDiff {
  hunks: DiffHunk[]
  added: number
  removed: number
  identical: boolean
  /**
   * The texts differ too much to pair their lines within the budget: everything between
   * the first and the last changed line is shown as one block replaced by another.
   */
  coarse: boolean
  /** Lines of a coarse block left out of the view (they still count in added and removed). */
  omittedLines: number
}

const CONTEXT_LINES = 3
/**
 * The line diff (Myers) costs time in proportion to the text's length times the number of
 * changed lines. Past this many, two revisions are rewrites of each other, and a line by line
 * pairing would take seconds of the server's only thread while showing little.
 */
export const MAX_DIFF_EDIT_LENGTH = 200
/** A second bound on the same work, for texts whose lines are few but long. */
export const DIFF_TIMEOUT_MS = 50
/** A coarse block shows at most this many lines of each side; a rewrite is not read line by line. */
export const MAX_COARSE_BLOCK_LINES = 1000

/** A line diff of two page sources, grouped into hunks with a few lines of context. */
export function diffTexts (oldText: string, newText: string): TextDiff {
  const { patch, coarse } = linePatch(oldText, newText)
  let added = 0
  let removed = 0
  let omittedLines = 0
  const hunks = patch.hunks.map(hunk => {
    let oldLine = hunk.oldStart
    let newLine = hunk.newStart
    const lines: DiffLine[] = []
    for (const raw of hunk.lines) {
      const marker = raw[0]
      const text = raw.slice(1)
      if (marker === '+') {
        if (coarse && added >= MAX_COARSE_BLOCK_LINES) omittedLines++
        else lines.push({ kind: 'added', text, newLine })
        added++
        newLine++
      } else if (marker === '-') {
        if (coarse && removed >= MAX_COARSE_BLOCK_LINES) omittedLines++
        else lines.push({ kind: 'removed', text, oldLine })
        removed++
        oldLine++
      } else if (marker === ' ') {
        lines.push({ kind: 'unchanged', text, oldLine: oldLine++, newLine: newLine++ })
      }
      // "\ No newline at end of file" markers carry no content of the page.
    }
    return { oldStart: hunk.oldStart, newStart: hunk.newStart, lines }
  })
  // A coarse block pairs nothing: its lines are not changed versions of each other.
  if (!coarse) markChangedWords(hunks.flatMap(hunk => hunk.lines))
  return { hunks, added, removed, identical: hunks.length === 0, coarse, omittedLines }
}

/** The line patch within the budget, or past it one block from the first to the last changed line. */
function linePatch (oldText: string, newText: string): { patch: StructuredPatch, coarse: boolean } {
  const before = normalise(oldText)
  const after = normalise(newText)
  const patch = structuredPatch('old', 'new', before, after, '', '', { context: CONTEXT_LINES, maxEditLength: MAX_DIFF_EDIT_LENGTH, timeout: DIFF_TIMEOUT_MS })
  if (patch !== undefined) return { patch, coarse: false }
  return { patch: blockPatch(before.split('\n').slice(0, -1), after.split('\n').slice(0, -1)), coarse: true }
}

/** One hunk that replaces the old lines between the common start and end by the new ones; linear in the lines. */
function blockPatch (oldLines: string[], newLines: string[]): StructuredPatch {
  let start = 0
  while (start < oldLines.length && start < newLines.length && oldLines[start] === newLines[start]) start++
  let end = 0
  while (end < oldLines.length - start && end < newLines.length - start && oldLines[oldLines.length - 1 - end] === newLines[newLines.length - 1 - end]) end++
  const contextBefore = Math.min(CONTEXT_LINES, start)
  const contextAfter = Math.min(CONTEXT_LINES, end)
  const oldEnd = oldLines.length - end
  const newEnd = newLines.length - end
  const lines = [
    ...oldLines.slice(start - contextBefore, start).map(line => ` ${line}`),
    ...oldLines.slice(start, oldEnd).map(line => `-${line}`),
    ...newLines.slice(start, newEnd).map(line => `+${line}`),
    ...oldLines.slice(oldEnd, oldEnd + contextAfter).map(line => ` ${line}`)
  ]
  const hunk = {
    oldStart: start - contextBefore + 1,
    oldLines: contextBefore + oldEnd - start + contextAfter,
    newStart: start - contextBefore + 1,
    newLines: contextBefore + newEnd - start + contextAfter,
    lines
  }
  return { oldFileName: 'old', newFileName: 'new', oldHeader: '', newHeader: '', hunks: [hunk] }
}

/** Below this share of words in common, two lines are a rewrite, and marking words would only add noise. */
const MIN_COMMON_SHARE = 0.4
/** Longer lines are compared whole; a word diff of them costs more than it shows. */
const MAX_WORD_DIFF_LENGTH = 2000
/** A line pair with more changed words than this is a rewrite; the word diff gives up there. */
export const MAX_WORD_EDIT_LENGTH = 200
/** Words are marked in the first lines of a diff up to this many characters; the rest show whole. */
export const MAX_WORD_DIFF_CHARACTERS = 100_000

/** Pairs each run of removed lines with the added lines right after it, and marks the words that changed. */
function markChangedWords (lines: DiffLine[]): void {
  let budget = MAX_WORD_DIFF_CHARACTERS
  for (let start = 0; start < lines.length; start++) {
    if (lines[start]?.kind !== 'removed') continue
    let removedEnd = start
    while (lines[removedEnd]?.kind === 'removed') removedEnd++
    let addedEnd = removedEnd
    while (lines[addedEnd]?.kind === 'added') addedEnd++
    const pairs = Math.min(removedEnd - start, addedEnd - removedEnd)
    for (let offset = 0; offset < pairs; offset++) {
      const before = lines[start + offset] as DiffLine
      const after = lines[removedEnd + offset] as DiffLine
      if (before.text.length > MAX_WORD_DIFF_LENGTH || after.text.length > MAX_WORD_DIFF_LENGTH) continue
      budget -= before.text.length + after.text.length
      if (budget < 0) return
      const changes = diffWordsWithSpace(before.text, after.text, { maxEditLength: MAX_WORD_EDIT_LENGTH })
      if (changes === undefined) continue
      const common = changes.filter(change => !change.added && !change.removed).reduce((sum, change) => sum + change.value.length, 0)
      if (common < MIN_COMMON_SHARE * Math.max(before.text.length, after.text.length)) continue
      before.parts = changes.filter(change => !change.added).map(change => ({ text: change.value, changed: change.removed === true }))
      after.parts = changes.filter(change => !change.removed).map(change => ({ text: change.value, changed: change.added === true }))
    }
    start = addedEnd - 1
  }
}

/** The same diff as a unified patch, for the JSON API and for people who read patches. */
export function unifiedDiff (oldName: string, newName: string, oldText: string, newText: string): string {
  const { patch } = linePatch(oldText, newText)
  return formatPatch({ ...patch, oldFileName: oldName, newFileName: newName })
}

// Line-ending differences are not edits a person made on purpose.
function normalise (text: string): string {
  const unix = text.replace(/\r\n?/g, '\n')
  return unix.endsWith('\n') ? unix : `${unix}\n`
}
