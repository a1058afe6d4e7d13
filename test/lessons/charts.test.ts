import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { chartModel, outcomesByField, outcomesByImpactStep } from '../../src/lessons/charts.ts'
import { lesson } from './fixtures.ts'

const lessons = [
  lesson({ slug: 'a', field: 'Altenhilfe', outcome: 'works', impactStep: 3 }),
  lesson({ slug: 'b', field: 'Altenhilfe', outcome: 'fails', impactStep: 3 }),
  lesson({ slug: 'c', field: 'Suchthilfe', outcome: 'fails' }),
  lesson({ slug: 'd', field: 'Raumfahrt', outcome: 'open', impactStep: 7 })
]

describe('overview charts', () => {
  it('counts outcomes per configured field, keeps empty fields and adds fields only lessons name', () => {
    const rows = outcomesByField(lessons, ['Altenhilfe', 'Jugendhilfe', 'Suchthilfe'])
    assert.deepEqual(rows.map(row => [row.key, row.counts.works, row.counts.fails, row.counts.mixed, row.counts.open, row.total]), [
      ['Altenhilfe', 1, 1, 0, 0, 2],
      ['Jugendhilfe', 0, 0, 0, 0, 0],
      ['Suchthilfe', 0, 1, 0, 0, 1],
      ['Raumfahrt', 0, 0, 0, 1, 1]
    ])
  })

  it('counts outcomes per impact step, with a row for lessons that name none', () => {
    const rows = outcomesByImpactStep(lessons)
    assert.deepEqual(rows.map(row => [row.key, row.total]), [['1', 0], ['2', 0], ['3', 2], ['4', 0], ['5', 0], ['6', 0], ['7', 1], ['', 1]])
  })

  it('makes bars whose segments are as wide as their counts and carry them as text', () => {
    const rows = outcomesByField(lessons, ['Altenhilfe'])
    const model = chartModel(rows, key => key, row => `${row.key} ${row.total}`)
    const bar = model.bars[0]
    assert.equal(bar?.total, 2)
    assert.deepEqual(bar?.segments.map(segment => [segment.outcome, segment.count]), [['works', 1], ['fails', 1]])
    assert.equal(bar?.segments[0]?.width, bar?.segments[1]?.width)
    assert.equal(bar?.text, 'Altenhilfe 2')
  })

  it('makes the label column as wide as the longest label, shortens only very long ones, and keeps the legend inside', () => {
    const rows = outcomesByField(lessons, ['Altenhilfe'])
    const short = chartModel(rows, key => key, row => row.key)
    const long = chartModel(rows, key => key === 'Altenhilfe' ? 'Offene Altenhilfe mit aufsuchender Beratung im ländlichen Raum' : key, row => row.key)
    // About 8.2px per character at 14px, plus a gap before the bars.
    assert.equal(short.labelWidth, 98)
    assert.equal(long.labelWidth, 508)
    assert.ok(long.width > short.width)
    const veryLong = chartModel(rows, key => key === 'Altenhilfe' ? 'x'.repeat(200) : key, row => row.key)
    assert.equal(veryLong.bars[0]?.label, `${'x'.repeat(59)}…`)
    assert.ok(chartModel([{ key: 'A', counts: { works: 0, fails: 0, mixed: 0, open: 1 }, total: 1 }], key => key, row => row.key).legendX >= 8, 'the legend fits beside the narrowest labels')
  })

  it('puts a number inside a segment only where its chip fits', () => {
    const [bar] = chartModel([{ key: 'A', counts: { works: 40, fails: 1, mixed: 0, open: 0 }, total: 41 }], key => key, row => row.key).bars
    assert.deepEqual(bar?.segments.map(segment => [segment.outcome, segment.labelInside]), [['works', true], ['fails', false]])
  })
})
