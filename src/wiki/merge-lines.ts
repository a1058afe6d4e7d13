import { diffArrays } from 'diff'
import { diff3Merge } from 'node-diff3'

/** A stretch both sides changed differently: the lines of the common base and of each side. */
export interface LineConflict {
  base: string[]
  theirs: string[]
  yours: string[]
  /** Where the stretch starts in the base, counted from 0. */
  baseStart: number
}

/** The merge as it reads from top to bottom: runs of settled lines and the conflicts between them. */
export type MergedRun = { lines: string[] } | { conflict: LineConflict }

export interface LineMerge {
  runs: MergedRun[]
  conflicts: LineConflict[]
  /**
   * The changes were too large to pair within the budget: everything between the first and
   * the last line that differs is one conflict, as the diff view shows a rewrite as one block.
   */
  coarse: boolean
}

/**
 * The line diff (Myers, from the `diff` package) costs time in proportion to the text's length
 * times the lines changed; past this many changed lines on one side, the two edits are
 * rewrites and are not merged (the diff view stops at the same number).
 */
export const MAX_MERGE_EDIT_LENGTH = 200
/** A second bound on the same work, for texts whose lines are few but long. */
export const MERGE_DIFF_TIMEOUT_MS = 30
/** More conflicts than this are shown as one block: nobody decides hundreds of parts one by one. */
export const MAX_CONFLICTS = 100

/**
 * Three-way merge of line lists (git's and MediaWiki's rule): a stretch changed on one side
 * takes that side, the same change on both sides is taken once, and stretches changed
 * differently on both sides, or touching each other, are conflicts.
 *
 * node-diff3 does the merging, but its longest-common-subsequence search takes time in
 * proportion to the lines times the common lines (2,000 lines of a page took 6 s). So the
 * bounded Myers diff first finds what each side changed, every stretch of base lines that
 * both sides left alone is folded into one token, and node-diff3 merges only the changed
 * lines between those tokens: a few hundred elements at the most.
 */
export function mergeLines (base: readonly string[], theirs: readonly string[], yours: readonly string[]): LineMerge {
  if (sameLines(theirs, yours) || sameLines(base, yours)) return { runs: [{ lines: [...theirs] }], conflicts: [], coarse: false }
  if (sameLines(base, theirs)) return { runs: [{ lines: [...yours] }], conflicts: [], coarse: false }
  const theirsKept = keptLines(base, theirs)
  const yoursKept = theirsKept === null ? null : keptLines(base, yours)
  if (theirsKept === null || yoursKept === null) return coarseMerge(base, theirs, yours)

  // Fold each stretch of base lines that both sides keep, in one piece, into a token. Lines
  // become "L" and their text, folds "F" and a number, so no text of a page can pass for a fold.
  const folds: string[][] = []
  const baseStartOf: number[] = []
  const baseTokens: string[] = []
  const theirsTokens: Array<string | null> = theirs.map(line => `L${line}`)
  const yoursTokens: Array<string | null> = yours.map(line => `L${line}`)
  for (let line = 0; line < base.length;) {
    const inTheirs = theirsKept[line]
    const inYours = yoursKept[line]
    if (inTheirs === undefined || inYours === undefined) {
      baseTokens.push(`L${base[line] ?? ''}`)
      baseStartOf.push(line)
      line++
      continue
    }
    let end = line + 1
    while (end < base.length && theirsKept[end] === inTheirs + (end - line) && yoursKept[end] === inYours + (end - line)) end++
    const token = `F${folds.length}`
    folds.push(base.slice(line, end))
    baseTokens.push(token)
    baseStartOf.push(line)
    theirsTokens[inTheirs] = token
    yoursTokens[inYours] = token
    for (let offset = 1; offset < end - line; offset++) {
      theirsTokens[inTheirs + offset] = null
      yoursTokens[inYours + offset] = null
    }
    line = end
  }
  const theirsFolded = theirsTokens.filter((token): token is string => token !== null)
  const yoursFolded = yoursTokens.filter((token): token is string => token !== null)

  const unfold = (tokens: readonly string[]): string[] => tokens.flatMap(token => token.startsWith('F') ? folds[Number(token.slice(1))] ?? [] : [token.slice(1)])
  const runs: MergedRun[] = []
  const conflicts: LineConflict[] = []
  for (const region of diff3Merge(theirsFolded, baseTokens, yoursFolded, { excludeFalseConflicts: true })) {
    if (region.ok !== undefined) {
      runs.push({ lines: unfold(region.ok) })
    } else if (region.conflict !== undefined) {
      const conflict = {
        base: unfold(region.conflict.o),
        theirs: unfold(region.conflict.a),
        yours: unfold(region.conflict.b),
        baseStart: baseStartOf[region.conflict.oIndex] ?? base.length
      }
      conflicts.push(conflict)
      runs.push({ conflict })
    }
  }
  if (conflicts.length > MAX_CONFLICTS) return coarseMerge(base, theirs, yours)
  return { runs, conflicts, coarse: false }
}

/** The settled text of a merge without conflicts. */
export function mergedLines (merge: LineMerge): string[] | null {
  if (merge.conflicts.length > 0) return null
  return merge.runs.flatMap(run => 'lines' in run ? run.lines : [])
}

/**
 * For each base line, its index in the other text when the diff keeps it, else undefined;
 * null when the other text changed more lines than the budget allows.
 */
function keptLines (base: readonly string[], other: readonly string[]): Array<number | undefined> | null {
  // The lines both start and end with are kept as they are; the diff only sees the middle.
  const shortest = Math.min(base.length, other.length)
  let start = 0
  while (start < shortest && base[start] === other[start]) start++
  let end = 0
  while (end < shortest - start && base[base.length - 1 - end] === other[other.length - 1 - end]) end++
  const changes = diffArrays(base.slice(start, base.length - end), other.slice(start, other.length - end), { maxEditLength: MAX_MERGE_EDIT_LENGTH, timeout: MERGE_DIFF_TIMEOUT_MS })
  if (changes === undefined) return null
  const kept: Array<number | undefined> = new Array<number | undefined>(base.length)
  for (let line = 0; line < start; line++) kept[line] = line
  for (let line = 0; line < end; line++) kept[base.length - 1 - line] = other.length - 1 - line
  let baseLine = start
  let otherLine = start
  for (const change of changes) {
    const count = change.count
    if (change.added) {
      otherLine += count
    } else if (change.removed) {
      baseLine += count
    } else {
      for (let offset = 0; offset < count; offset++) kept[baseLine + offset] = otherLine + offset
      baseLine += count
      otherLine += count
    }
  }
  return kept
}

function sameLines (one: readonly string[], other: readonly string[]): boolean {
  return one.length === other.length && one.every((line, index) => line === other[index])
}

/** One conflict from the first line any side changed to the last; linear in the lines. */
function coarseMerge (base: readonly string[], theirs: readonly string[], yours: readonly string[]): LineMerge {
  const shortest = Math.min(base.length, theirs.length, yours.length)
  let start = 0
  while (start < shortest && base[start] === theirs[start] && base[start] === yours[start]) start++
  let end = 0
  while (end < shortest - start && base[base.length - 1 - end] === theirs[theirs.length - 1 - end] && base[base.length - 1 - end] === yours[yours.length - 1 - end]) end++
  const conflict: LineConflict = {
    base: base.slice(start, base.length - end),
    theirs: theirs.slice(start, theirs.length - end),
    yours: yours.slice(start, yours.length - end),
    baseStart: start
  }
  const runs: MergedRun[] = [{ lines: base.slice(0, start) }, { conflict }, { lines: base.slice(base.length - end) }]
  return { runs: runs.filter(run => !('lines' in run) || run.lines.length > 0), conflicts: [conflict], coarse: true }
}
