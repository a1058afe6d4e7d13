import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { diffTexts, unifiedDiff } from '../../src/wiki/diff.ts'

describe('diffs', () => {
  it('reports identical texts as identical', () => {
    const diff = diffTexts('a\nb\n', 'a\nb\n')
    assert.equal(diff.identical, true)
    assert.deepEqual(diff.hunks, [])
  })

  it('numbers removed, added and unchanged lines in both texts', () => {
    const diff = diffTexts('a\nb\nc\n', 'a\nB\nc\nd\n')
    assert.equal(diff.added, 2)
    assert.equal(diff.removed, 1)
    assert.deepEqual(diff.hunks[0]?.lines, [
      { kind: 'unchanged', text: 'a', oldLine: 1, newLine: 1 },
      { kind: 'removed', text: 'b', oldLine: 2 },
      { kind: 'added', text: 'B', newLine: 2 },
      { kind: 'unchanged', text: 'c', oldLine: 3, newLine: 3 },
      { kind: 'added', text: 'd', newLine: 4 }
    ])
  })

  it('marks the words that changed within a changed line, but not in a line rewritten whole', () => {
    const diff = diffTexts('In fast jedem Träger gibt es Wissen.\nAlt und ganz anders.\n', 'In beinahe jedem Träger gibt es Wissen.\nNeu geschrieben, nichts gleich.\n')
    const [removed, , added] = diff.hunks[0]?.lines ?? []
    assert.deepEqual(removed?.parts?.filter(part => part.changed).map(part => part.text), ['fast'])
    assert.deepEqual(added?.parts?.filter(part => part.changed).map(part => part.text), ['beinahe'])
    assert.equal(removed?.parts?.map(part => part.text).join(''), removed?.text, 'the parts make up the line')
    const rewritten = diff.hunks[0]?.lines.filter(line => line.text.includes('anders') || line.text.includes('nichts'))
    assert.deepEqual(rewritten?.map(line => line.parts), [undefined, undefined])
  })

  it('pairs removed and added lines in order and leaves the extra ones whole', () => {
    const diff = diffTexts('eins alt\nzwei alt\n', 'eins neu\n')
    const lines = diff.hunks[0]?.lines ?? []
    assert.deepEqual(lines.map(line => [line.kind, line.parts === undefined]), [['removed', false], ['removed', true], ['added', false]])
  })

  it('ignores line endings and a missing final newline', () => {
    assert.equal(diffTexts('a\r\nb', 'a\nb\n').identical, true)
  })

  it('keeps distant changes in separate hunks with three lines of context', () => {
    const lines = Array.from({ length: 30 }, (_, index) => `Zeile ${index + 1}`)
    const changed = [...lines]
    changed[1] = 'geändert'
    changed[25] = 'auch geändert'
    const diff = diffTexts(lines.join('\n'), changed.join('\n'))
    assert.equal(diff.hunks.length, 2)
    assert.equal(diff.hunks[1]?.lines.filter(line => line.kind === 'unchanged').length, 6)
  })

  it('writes a unified patch', () => {
    const patch = unifiedDiff('r1', 'r2', 'a\n', 'b\n')
    assert.match(patch, /^--- r1/m)
    assert.match(patch, /^-a$/m)
    assert.match(patch, /^\+b$/m)
  })
})
