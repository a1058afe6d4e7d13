import { structuredPatch, createTwoFilesPatch } from 'diff'

export type DiffLineKind = 'added' | 'removed' | 'unchanged'

export interface DiffLine {
  kind: DiffLineKind
  text: string
  /** Line number in the old text; absent for added lines. */
  oldLine?: number
  /** Line number in the new text; absent for removed lines. */
  newLine?: number
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
    return { oldStart: hunk.oldStart, newStart: hunk.newStart, lines }
  })
  return { hunks, added, removed, identical: hunks.length === 0 }
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
