import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { diff3Merge } from 'node-diff3'
import { MAX_MERGE_EDIT_LENGTH, mergedLines, mergeLines } from '../../src/wiki/merge-lines.ts'
import { seededRandom } from '../seeded-random.ts'

/** A page of paragraphs from a few words, so lines repeat as they do in real text (blank lines, short list items). */
function randomText (random: () => number, lines: number): string[] {
  const words = ['', '', '- ja', '- nein', 'Text', 'Mehr Text', '## Kontext', '| a | b |']
  return Array.from({ length: lines }, () => words[Math.floor(random() * words.length)] ?? '')
}

/** Replaces lines [start, end) with new ones made for this side. */
function edit (lines: readonly string[], start: number, end: number, side: string, random: () => number): string[] {
  const inserted = Array.from({ length: Math.floor(random() * 3) }, (_, index) => `${side} ${start}.${index}`)
  return [...lines.slice(0, start), ...inserted, ...lines.slice(end)]
}

describe('merging lines three-way', () => {
  it('merges edits of separate stretches exactly as applying both would, over 300 seeded random rounds', () => {
    const random = seededRandom(19)
    for (let round = 0; round < 300; round++) {
      const base = randomText(random, 5 + Math.floor(random() * 60))
      // Their stretch lies before ours with at least one untouched line between, so they cannot touch.
      const cut = 1 + Math.floor(random() * (base.length - 2))
      const theirStart = Math.floor(random() * cut)
      const theirEnd = theirStart + Math.floor(random() * (cut - theirStart))
      const yourStart = cut + 1 + Math.floor(random() * (base.length - cut - 1))
      const yourEnd = Math.min(base.length, yourStart + Math.floor(random() * 4))
      const theirs = edit(base, theirStart, theirEnd, 'theirs', random)
      const yours = edit(base, yourStart, yourEnd, 'yours', random)
      const expected = [...theirs.slice(0, theirs.length - (base.length - theirEnd)), ...base.slice(theirEnd, yourStart), ...yours.slice(yourStart)]
      const merged = mergeLines(base, theirs, yours)
      // node-diff3 alone on the whole texts is the reference: folding must not change what it decides.
      const reference = diff3Merge(theirs, base, yours, { excludeFalseConflicts: true })
      if (reference.every(region => region.conflict === undefined)) {
        assert.deepEqual(mergedLines(merged), expected, `round ${round}`)
      } else {
        assert.ok(merged.conflicts.length > 0 || JSON.stringify(mergedLines(merged)) === JSON.stringify(expected), `round ${round}`)
      }
    }
  })

  it('reports a stretch both changed differently with its three versions and where it starts', () => {
    const base = ['a', '', 'b', '', 'c']
    const merge = mergeLines(base, ['a', '', 'B1', '', 'c'], ['a', '', 'B2', '', 'C'])
    assert.equal(merge.coarse, false)
    assert.deepEqual(merge.conflicts, [{ base: ['b'], theirs: ['B1'], yours: ['B2'], baseStart: 2 }])
    assert.deepEqual(merge.runs.flatMap(run => 'lines' in run ? run.lines : ['<conflict>']), ['a', '', '<conflict>', '', 'C'])
  })

  it('does not pair lines past its budget: a side that changed more lines is one coarse conflict from the first change to the last', () => {
    const base = Array.from({ length: 3 * MAX_MERGE_EDIT_LENGTH }, (_, index) => `Zeile ${index}`)
    const theirs = base.map((line, index) => index >= 10 && index < 10 + MAX_MERGE_EDIT_LENGTH ? `${line} neu` : line)
    const yours = base.map((line, index) => index === base.length - 5 ? 'eigene' : line)
    const merge = mergeLines(base, theirs, yours)
    assert.equal(merge.coarse, true)
    assert.equal(merge.conflicts.length, 1)
    assert.equal(merge.conflicts[0]?.baseStart, 10)
    assert.equal(merge.conflicts[0]?.base.length, base.length - 5 + 1 - 10)
    // Within the budget, the same two edits merge.
    const smaller = base.map((line, index) => index >= 10 && index < 20 ? `${line} neu` : line)
    assert.equal(mergedLines(mergeLines(base, smaller, yours))?.length, base.length)
  })

  it('keeps text that looks like the folding tokens as it is', () => {
    const base = ['F0', 'L', 'F0', 'x', 'F1']
    assert.deepEqual(mergedLines(mergeLines(base, ['F0', 'L', 'F0', 'y', 'F1'], ['F0', 'L!', 'F0', 'x', 'F1'])), ['F0', 'L!', 'F0', 'y', 'F1'])
  })
})
