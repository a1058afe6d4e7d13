import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { translator } from '../../src/i18n/index.ts'
import { fieldLabel } from '../../src/lessons/field-labels.ts'
import { DEFAULT_LESSON_FIELDS } from '../../src/lessons/vocabulary.ts'
import { startTestApp, type TestApp } from '../helpers.ts'
import { validLessonSource } from './fixtures.ts'

describe('fields of practice in the reader\'s language', () => {
  it('names every default field in English and keeps the German name in German', () => {
    const english = translator('en')
    const german = translator('de')
    assert.deepEqual(DEFAULT_LESSON_FIELDS.map(field => fieldLabel(english, field)), [
      'Care for older people',
      'Youth services',
      'Disability support',
      'Neighbourhood work',
      'Homelessness services',
      'Addiction services',
      'Migration and integration',
      'Family support',
      'Employment support',
      'Health promotion'
    ])
    for (const field of DEFAULT_LESSON_FIELDS) assert.equal(fieldLabel(german, field), field)
  })

  it('shows a field the organisation added as it is stored', () => {
    assert.equal(fieldLabel(translator('en'), 'Stadtteilküche'), 'Stadtteilküche')
    assert.equal(fieldLabel(translator('en'), 'constructor'), 'constructor')
  })
})

describe('lessons over HTTP in German and English', () => {
  let test: TestApp
  const english = { 'accept-language': 'en' }
  const german = { 'accept-language': 'de' }
  const read = async (url: string, headers: Record<string, string>): Promise<string> => {
    const response = await test.anonymous({ url, headers })
    assert.equal(response.statusCode, 200, url)
    return response.body
  }

  before(async () => {
    test = await startTestApp({ LESSON_FIELDS: 'Altenhilfe, Jugendhilfe, Stadtteilküche' })
    const lessons = [
      { title: 'Besuchsdienst', field: 'Altenhilfe' },
      { title: 'Mittagstisch', field: 'Altenhilfe' },
      { title: 'Suppenküche', field: 'Stadtteilküche' }
    ]
    for (const lesson of lessons) {
      await test.app.wiki.createPage({ source: validLessonSource({ title: lesson.title, field: lesson.field, visibility: 'public' }), confirmPublication: true })
    }
  })
  after(async () => { await test.close() })

  it('says 1 lesson and 2 lessons, 1 Lektion and 2 Lektionen', async () => {
    assert.match(await read('/lessons?field=Stadtteilk%C3%BCche', english), /<p class="lesson-count" role="status">1 lesson found<\/p>/)
    assert.match(await read('/lessons?field=Altenhilfe', english), /<p class="lesson-count" role="status">2 lessons found<\/p>/)
    assert.match(await read('/lessons?field=Stadtteilk%C3%BCche', german), /<p class="lesson-count" role="status">1 Lektion gefunden<\/p>/)
    assert.match(await read('/lessons?field=Altenhilfe', german), /<p class="lesson-count" role="status">2 Lektionen gefunden<\/p>/)
  })

  it('labels the field filter in the reader\'s language and filters by the stored value', async () => {
    const englishList = await read('/lessons?field=Altenhilfe', english)
    assert.match(englishList, /<option value="Altenhilfe" selected>Care for older people \(2\)<\/option>/)
    assert.match(englishList, /<option value="Stadtteilküche">Stadtteilküche \(1\)<\/option>/)
    assert.match(await read('/lessons', german), /<option value="Altenhilfe">Altenhilfe \(2\)<\/option>/)
    const api = (await test.anonymous({ url: '/api/lessons?field=Altenhilfe', headers: english })).json<{ lessons: Array<{ field: string }> }>()
    assert.deepEqual(api.lessons.map(lesson => lesson.field), ['Altenhilfe', 'Altenhilfe'])
  })

  it('shows the field in the fact box, the overview and the form in the reader\'s language', async () => {
    assert.match(await read('/wiki/besuchsdienst', english), /<dt>Field<\/dt><dd>Care for older people<\/dd>/)
    assert.match(await read('/wiki/besuchsdienst', german), /<dt>Arbeitsfeld<\/dt><dd>Altenhilfe<\/dd>/)
    const overview = await read('/lessons/overview', english)
    assert.match(overview, /Care for older people/)
    assert.doesNotMatch(overview, />Altenhilfe</)
    assert.match(overview, /Stadtteilküche/)
    const formPage = await test.app.inject({ url: '/lessons/new', headers: english })
    assert.match(formPage.body, /<option value="Altenhilfe"[^>]*>Care for older people<\/option>/)
    assert.match(formPage.body, /<option value="Jugendhilfe"[^>]*>Youth services<\/option>/)
    assert.match(formPage.body, /<option value="Stadtteilküche"[^>]*>Stadtteilküche<\/option>/)
  })

  it('labels the field facet of the search page in the reader\'s language', async () => {
    await test.app.searchIndex.settled()
    const search = await read('/search?field=Altenhilfe', english)
    assert.match(search, /<h3>Field<\/h3>\s*<ul>\s*<li><a href="[^"]*" aria-current="true">Care for older people<\/a> <span class="count">\(2\)<\/span><\/li>/)
    assert.match(await read('/search?field=Altenhilfe', german), /aria-current="true">Altenhilfe<\/a>/)
  })
})
