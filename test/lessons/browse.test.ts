import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { facetCounts, filterLessons, queryOf, selectLessons, selectionOf } from '../../src/lessons/browse.ts'
import { lesson } from './fixtures.ts'

const lessons = [
  lesson({ slug: 'a', outcome: 'works', field: 'Altenhilfe', place: { name: 'Leipzig' }, tags: ['ehrenamt'], period: { from: '2022-03', to: '2023-02' }, impactStep: 3, coProduction: 'consulted', createdAt: new Date('2024-01-01'), updatedAt: new Date('2024-05-01') }),
  lesson({ slug: 'b', outcome: 'fails', field: 'Altenhilfe', place: { name: 'Halle' }, tags: ['ehrenamt', 'digital'], period: { from: '2023-05' }, impactStep: 2, createdAt: new Date('2024-02-01'), updatedAt: new Date('2024-02-01') }),
  lesson({ slug: 'c', outcome: 'fails', field: 'Jugendhilfe', place: { name: 'Leipzig' }, tags: ['Digital'], period: { from: '2021-01', to: '2021-12' }, coProduction: 'user-led', createdAt: new Date('2024-03-01'), updatedAt: new Date('2024-03-01') })
]

describe('browsing lessons', () => {
  it('filters by each facet', () => {
    const slugs = (filter: Parameters<typeof filterLessons>[1]) => filterLessons(lessons, filter).map(item => item.slug)
    assert.deepEqual(slugs({ outcome: 'fails' }), ['b', 'c'])
    assert.deepEqual(slugs({ field: 'Altenhilfe' }), ['a', 'b'])
    assert.deepEqual(slugs({ place: 'leipzig' }), ['a', 'c'])
    assert.deepEqual(slugs({ tag: 'digital' }), ['b', 'c'])
    assert.deepEqual(slugs({ year: '2023' }), ['a', 'b'])
    assert.deepEqual(slugs({ impactStep: '3' }), ['a'])
    assert.deepEqual(slugs({ coProduction: 'user-led' }), ['c'])
    assert.deepEqual(slugs({ outcome: 'fails', field: 'Altenhilfe' }), ['b'])
  })

  it('counts each facet value among lessons that match the other filters', () => {
    const counts = facetCounts(lessons, { outcome: 'fails' })
    assert.deepEqual(counts.outcome.map(item => [item.value, item.count, item.selected]), [['works', 1, false], ['fails', 2, true]])
    assert.deepEqual(counts.field.map(item => [item.value, item.count]), [['Altenhilfe', 1], ['Jugendhilfe', 1]])
    assert.deepEqual(counts.year.map(item => [item.value, item.count]), [['2023', 1], ['2021', 1]])
    assert.deepEqual(counts.tag.map(item => [item.value, item.count]), [['digital', 1], ['Digital', 1], ['ehrenamt', 1]])
  })

  it('keeps a chosen value with a zero count so it can be unselected', () => {
    const counts = facetCounts(lessons, { place: 'Cardiff' })
    assert.deepEqual(counts.place.find(item => item.value === 'Cardiff'), { value: 'Cardiff', count: 0, selected: true })
  })

  it('sorts by newest or recently updated and pages through the results', () => {
    const newest = selectLessons(lessons, { filter: {}, sort: 'newest', page: 1, perPage: 2 })
    assert.deepEqual(newest.lessons.map(item => item.slug), ['c', 'b'])
    assert.equal(newest.pageCount, 2)
    assert.equal(newest.total, 3)
    assert.deepEqual(selectLessons(lessons, { filter: {}, sort: 'newest', page: 2, perPage: 2 }).lessons.map(item => item.slug), ['a'])
    assert.deepEqual(selectLessons(lessons, { filter: {}, sort: 'updated', page: 1, perPage: 20 }).lessons.map(item => item.slug), ['a', 'c', 'b'])
  })

  it('reads empty query values as "any" and writes links without them', () => {
    const selection = selectionOf({ outcome: '', field: 'Altenhilfe', year: '', page: '2' })
    assert.deepEqual(selection.filter, { field: 'Altenhilfe' })
    assert.equal(selection.page, 2)
    assert.equal(queryOf(selection, { page: '3' }), '?field=Altenhilfe&page=3')
    assert.equal(queryOf(selection, { page: '1' }), '?field=Altenhilfe')
  })
})
