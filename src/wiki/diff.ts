import { createTwoFilesPatch, diffWordsWithSpace, structuredPatch } from 'diff'

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
}

const CONTEXT_LINES = 3

/** A line diff of two page sources, grouped into hunks with a few lines of context. */
export function diffTexts (oldText: string, newText: string): TextDiff {
  const patch = structuredPatch('old', 'new', normalise(oldText), normalise(newText), '', '', { context: CONTEXT_LINES })
  let added = 0
  let removed = 0
  const hunks = patch.hunks.map(hunk => {
    let oldLine = hunk.oldStart
    let newLine = hunk.newStart
    const lines: DiffLine[] = []
    for (const raw of hunk.lines) {
      const marker = raw[0]
      const text = raw.slice(1)
      if (marker === '+') {
        added++
        lines.push({ kind: 'added', text, newLine: newLine++ })
      } else if (marker === '-') {
        removed++
        lines.push({ kind: 'removed', text, oldLine: oldLine++ })
      } else if (marker === ' ') {
        lines.push({ kind: 'unchanged', text, oldLine: oldLine++, newLine: newLine++ })
      }
      // "\ No newline at end of file" markers carry no content of the page.
    }
    markChangedWords(lines)
    return { oldStart: hunk.oldStart, newStart: hunk.newStart, lines }
  })
  return { hunks, added, removed, identical: hunks.length === 0 }
}

/** Below this share of words in common, two lines are a rewrite, and marking words would only add noise. */
const MIN_COMMON_SHARE = 0.4
/** Longer lines are compared whole; a word diff of them costs more than it shows. */
const MAX_WORD_DIFF_LENGTH = 2000

/** Pairs each run of removed lines with the added lines right after it, and marks the words that changed. */
function markChangedWords (lines: DiffLine[]): void {
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
      const changes = diffWordsWithSpace(before.text, after.text)
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
  return createTwoFilesPatch(oldName, newName, normalise(oldText), normalise(newText), '', '', { context: CONTEXT_LINES })
}

// Line-ending differences are not edits a person made on purpose.
function normalise (text: string): string {
  const unix = text.replace(/\r\n?/g, '\n')
  return unix.endsWith('\n') ? unix : `${unix}\n`
}
