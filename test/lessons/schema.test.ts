import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { parseSource } from '../../src/markdown/front-matter.ts'
import { checkLesson, lessonOfPage, lessonYears } from '../../src/lessons/schema.ts'
import { DEFAULT_LESSON_FIELDS } from '../../src/lessons/vocabulary.ts'
import { starterPages, validLessonSource } from './fixtures.ts'

const check = (source: string) => checkLesson(parseSource(source).data, { fields: DEFAULT_LESSON_FIELDS })
const fieldsOf = (source: string) => check(source).map(problem => problem.field)

describe('lesson schema', () => {
  it('accepts every starter lesson', async () => {
    let lessons = 0
    for (const [file, source] of await starterPages()) {
      if (parseSource(source).fields.type !== 'lesson') continue
      lessons++
      assert.deepEqual(check(source), [], file)
    }
    assert.equal(lessons, 12)
  })

  it('accepts a lesson without the optional impact step, co-production, end and coordinates', () => {
    assert.deepEqual(fieldsOf(validLessonSource({ impactStep: '', coProduction: '', period: '{ from: "2023-01" }', place: '{ name: Halle }' })), [])
  })

  it('names every missing required field', () => {
    const source = '---\ntitle: Leer\ntype: lesson\n---\nText'
    assert.deepEqual(fieldsOf(source), ['programme', 'organisation', 'place.name', 'field', 'period.from', 'outcome', 'summary'])
  })

  it('refuses bad dates in the period', () => {
    assert.deepEqual(fieldsOf(validLessonSource({ period: '{ from: "2023-13", to: "2023-12" }' })), ['period.from'])
    assert.deepEqual(fieldsOf(validLessonSource({ period: '{ from: "März 2023" }' })), ['period.from'])
    assert.deepEqual(fieldsOf(validLessonSource({ period: '{ from: "2023-01", to: "2024" }' })), ['period.to'])
  })

  it('refuses a period that ends before it starts, with both dates in the message parameters', () => {
    const problems = check(validLessonSource({ period: '{ from: "2024-05", to: "2023-12" }' }))
    assert.equal(problems.length, 1)
    assert.equal(problems[0]?.field, 'period.to')
    assert.equal(problems[0]?.message, 'lessonError.periodOrder')
    assert.deepEqual(problems[0]?.params, { from: '2024-05', to: '2023-12' })
  })

  it('refuses latitude and longitude out of range, and one without the other', () => {
    assert.deepEqual(fieldsOf(validLessonSource({ place: '{ name: Halle, lat: 91, lon: 11 }' })), ['place.lat'])
    assert.deepEqual(fieldsOf(validLessonSource({ place: '{ name: Halle, lat: 51, lon: -181 }' })), ['place.lon'])
    assert.deepEqual(fieldsOf(validLessonSource({ place: '{ name: Halle, lat: 51 }' })), ['place.lon'])
    assert.deepEqual(fieldsOf(validLessonSource({ place: '{ name: Halle, lat: "north", lon: 11 }' })), ['place.lat'])
  })

  it('refuses an unknown outcome, impact step and co-production', () => {
    assert.deepEqual(fieldsOf(validLessonSource({ outcome: 'great' })), ['outcome'])
    assert.deepEqual(fieldsOf(validLessonSource({ impactStep: '8' })), ['impactStep'])
    assert.deepEqual(fieldsOf(validLessonSource({ impactStep: '2.5' })), ['impactStep'])
    assert.deepEqual(fieldsOf(validLessonSource({ coProduction: 'sometimes' })), ['coProduction'])
  })

  it('refuses a field outside the configured vocabulary and lists the choices', () => {
    const problems = checkLesson(parseSource(validLessonSource({ field: 'Raumfahrt' })).data, { fields: ['Altenhilfe', 'Jugendhilfe'] })
    assert.deepEqual(problems.map(problem => [problem.field, problem.params.fields]), [['field', 'Altenhilfe, Jugendhilfe']])
    assert.deepEqual(checkLesson(parseSource(validLessonSource({ field: 'Raumfahrt' })).data, { fields: ['Raumfahrt'] }), [])
  })

  it('refuses a 10 kB summary and says how long it is', () => {
    // The wiki's own front matter check stops a 10 kB summary earlier; the lesson check says the same on its own.
    const problems = checkLesson({ ...parseSource(validLessonSource()).data, summary: 'x'.repeat(10_000) }, { fields: DEFAULT_LESSON_FIELDS })
    assert.deepEqual(problems.map(problem => [problem.field, problem.params.length, problem.params.max]), [['summary', 10_000, 500]])
  })

  it('refuses evidence without a source and names the row', () => {
    const problems = check(validLessonSource({ evidence: '[{ figure: "9 von 24", source: "Liste" }, { figure: "3" }]' }))
    assert.deepEqual(problems.map(problem => [problem.field, problem.params.row]), [['evidence', 2]])
  })

  it('gives one message per field even when several things are wrong', () => {
    const problems = check(validLessonSource({ outcome: 'x', summary: '', programme: '', place: '{ lat: 100 }' }))
    assert.deepEqual(problems.map(problem => problem.field), ['programme', 'place.name', 'place.lat', 'place.lon', 'outcome', 'summary'])
  })

  it('reads a stored page into a lesson and the years its period covers', () => {
    const parsed = parseSource(validLessonSource())
    const read = lessonOfPage({ slug: 's', title: 't', language: 'de', frontMatter: parsed.data, fields: parsed.fields, createdAt: new Date(), updatedAt: new Date() })
    assert.ok(read !== null)
    assert.deepEqual(read.place, { name: 'Halle', lat: 51.48, lon: 11.97 })
    assert.equal(read.impactStep, 2)
    assert.deepEqual(lessonYears({ period: { from: '2022-04', to: '2025-03' } }), [2022, 2023, 2024, 2025])
    assert.deepEqual(lessonYears({ period: { from: '2023-04' } }), [2023])
  })
})
