import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { applyPatch } from 'diff'
import { diffTexts, MAX_COARSE_BLOCK_LINES, MAX_DIFF_EDIT_LENGTH, MAX_WORD_DIFF_CHARACTERS, unifiedDiff } from '../../src/wiki/diff.ts'
import { longDiffRevisions } from '../../scripts/adversarial-inputs.ts'
import { createPage, currentRevision, form, pageSource, startTestApp, type TestApp } from '../helpers.ts'

describe('diffs', () => {
  it('reports identical texts as identical', () => {
    const diff = diffTexts('a\nb\n', 'a\nb\n')
    assert.equal(diff.identical, true)
    assert.deepEqual(diff.hunks, [])
  })

  it('numbers removed, added and unchanged lines in both texts', () => {
    const diff = diffTexts('a\nb\nc\n', 'a\nB\nc\nd\n')
    assert.equal(diff.coarse, false)
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

  it('past the edit budget shows one block replaced by another, with a bounded number of lines', () => {
    const { from, to } = longDiffRevisions(MAX_COARSE_BLOCK_LINES + 500)
    const diff = diffTexts(`Anfang\n${from}\nEnde`, `Anfang\n${to}\nEnde`)
    assert.equal(diff.coarse, true)
    assert.equal(diff.hunks.length, 1)
    assert.equal(diff.added, MAX_COARSE_BLOCK_LINES + 500, 'every line counts')
    assert.equal(diff.removed, MAX_COARSE_BLOCK_LINES + 500)
    assert.equal(diff.omittedLines, 1000)
    const lines = diff.hunks[0]?.lines ?? []
    assert.deepEqual(lines.map(line => line.kind).filter((kind, index, all) => kind !== all[index - 1]), ['unchanged', 'removed', 'added', 'unchanged'])
    assert.equal(lines.length, 2 * MAX_COARSE_BLOCK_LINES + 2)
    assert.deepEqual(lines[1], { kind: 'removed', text: 'Zeile 0 der alten Fassung', oldLine: 2 })
    assert.equal(lines.filter(line => line.parts !== undefined).length, 0, 'a replaced block pairs no lines')
  })

  it('keeps the line by line view while the changes stay within the budget', () => {
    const lines = Array.from({ length: 600 }, (_, index) => `Zeile ${index}`)
    const changed = lines.map((line, index) => index % 30 === 0 ? `${line} geändert` : line)
    const diff = diffTexts(lines.join('\n'), changed.join('\n'))
    assert.ok(2 * 20 < MAX_DIFF_EDIT_LENGTH)
    assert.equal(diff.coarse, false)
    assert.equal(diff.added, 20)
  })

  it('writes a patch that turns one text into the other, also past the edit budget', () => {
    const { from, to } = longDiffRevisions(MAX_DIFF_EDIT_LENGTH)
    const before = `eins\nzwei\ndrei\nvier\n${from}\nfünf\nsechs\n`
    const after = `eins\nzwei\ndrei\nvier\n${to}\nfünf\nsechs\n`
    assert.equal(diffTexts(before, after).coarse, true)
    assert.equal(applyPatch(before, unifiedDiff('r1', 'r2', before, after)), after)
  })

  it('marks changed words only up to its budget of characters and shows the other lines whole', () => {
    const long = 'Wort '.repeat(199)
    const pairs = MAX_DIFF_EDIT_LENGTH / 2 - 10
    const before = Array.from({ length: pairs }, (_, index) => `${long}alt ${String(index).padStart(3, '0')}`)
    const after = Array.from({ length: pairs }, (_, index) => `${long}neu ${String(index).padStart(3, '0')}`)
    const diff = diffTexts(before.join('\n'), after.join('\n'))
    const pairCost = (before[0]?.length ?? 0) + (after[0]?.length ?? 0)
    const marked = diff.hunks.flatMap(hunk => hunk.lines).filter(line => line.parts !== undefined).length
    assert.ok(pairs * pairCost > MAX_WORD_DIFF_CHARACTERS)
    assert.equal(diff.coarse, false)
    assert.equal(marked, 2 * Math.floor(MAX_WORD_DIFF_CHARACTERS / pairCost))
  })
})

describe('diffs over HTTP', () => {
  let test: TestApp
  before(async () => { test = await startTestApp() })
  after(async () => { await test.close() })

  it('answers the diff of two long revisions with nothing in common with the coarse view, to anyone', async () => {
    const { from, to } = longDiffRevisions(6000)
    const { slug, revision: first } = await createPage(test.app, 'Lang', from, 'visibility: public\n')
    const saved = await test.app.inject({ method: 'POST', url: `/wiki/${slug}`, ...form({ source: pageSource('Lang', to, 'visibility: public\n'), baseRevision: first }) })
    assert.equal(saved.statusCode, 303)
    const second = await currentRevision(test.app, slug)
    const response = await test.anonymous({ url: `/wiki/${slug}/diff?from=${first}&to=${second}` })
    assert.equal(response.statusCode, 200)
    assert.match(response.body, /class="notice diff-coarse"/)
    assert.match(response.body, /Weitere 10.000 Zeilen des Blocks/)
    assert.equal(response.body.match(/<tr class="diff-/g)?.length, 2 * MAX_COARSE_BLOCK_LINES + 3, 'three lines of front matter before')
  })

  it('shows an edit conflict of two long texts with the coarse view', async () => {
    const { from, to } = longDiffRevisions(3000)
    const { slug, revision } = await createPage(test.app, 'Streit', 'Anfang')
    assert.equal((await test.app.inject({ method: 'POST', url: `/wiki/${slug}`, ...form({ source: pageSource('Streit', from), baseRevision: revision }) })).statusCode, 303)
    const conflict = await test.app.inject({ method: 'POST', url: `/wiki/${slug}`, ...form({ source: pageSource('Streit', to), baseRevision: revision }) })
    assert.equal(conflict.statusCode, 409)
    assert.match(conflict.body, /class="notice diff-coarse"/)
  })
})
