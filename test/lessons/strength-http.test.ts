import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { form, startTestApp, type TestApp } from '../helpers.ts'
import { csvRecords } from './csv-reader.ts'
import { validLessonSource } from './fixtures.ts'

/** A complete lesson as the guided form posts it, with the fields of "how sure, and at what cost". */
function lessonForm (overrides: Record<string, string> = {}): Record<string, string> {
  return {
    title: 'Lernpaten im Stadtteil',
    summary: 'Ehrenamtliche lernen mit Kindern.',
    programme: 'Lernpaten',
    organisation: 'Bürgerstiftung Ost',
    placeName: 'Dresden',
    lat: '51.05',
    lon: '13.74',
    field: 'Jugendhilfe',
    periodFrom: '2022-09',
    periodTo: '2023-07',
    outcome: 'works',
    impactStep: '4',
    evidenceFigure: 'Noten in Mathematik im Mittel um 0,4 besser',
    evidenceSource: 'Zeugnisse vorher und nachher',
    evidenceDesign: 'before-after',
    participants: '1.200',
    sites: '1',
    costBand: '2',
    licence: 'CC-BY-SA-4.0',
    visibility: 'public',
    language: 'de',
    action: 'save',
    ...overrides
  }
}

describe('how sure, and at what cost, over HTTP', () => {
  let test: TestApp
  before(async () => { test = await startTestApp() })
  after(async () => { await test.close() })

  it('asks the new questions in the guided form, in plain words, all optional', async () => {
    const response = await test.app.inject({ url: '/lessons/new' })
    assert.equal(response.statusCode, 200)
    assert.match(response.body, /<legend>Wie sicher ist das Ergebnis, und was hat es gekostet\?<\/legend>/)
    assert.match(response.body, /<label for="evidenceDesign">Woher wissen Sie, was passiert ist\?<\/label>/)
    assert.match(response.body, /<option value="randomised">Vergleich mit Zufallsverteilung<\/option>/)
    assert.match(response.body, /<option value="3">Stufe 3: 500 € bis unter 2000 €<\/option>/)
    assert.match(response.body, /<option value="5">Stufe 5: 10.000 € und mehr<\/option>/)
    assert.match(response.body, /<label for="participants">/)
    assert.match(response.body, /<label for="sites">/)
    assert.match(response.body, /href="\/help\/evidence"/)
  })

  it('saves the answers into the front matter and shows the rating beside the outcome, with the reasons', async () => {
    const saved = await test.app.inject({ method: 'POST', url: '/lessons/new', ...form(lessonForm()) })
    assert.equal(saved.statusCode, 303, saved.body)
    const slug = String(saved.headers.location).replace('/wiki/', '')
    const source = (await test.app.inject({ url: `/api/pages/${slug}` })).json<{ source: string }>().source
    assert.match(source, /^evidenceDesign: before-after$/m)
    assert.match(source, /^participants: 1200$/m)
    assert.match(source, /^sites: 1$/m)
    assert.match(source, /^costBand: 2$/m)
    const page = await test.app.inject({ url: `/wiki/${slug}` })
    // The outcome badge and the rating are two separate statements.
    assert.match(page.body, /<span class="outcome-badge outcome-works">/)
    assert.match(page.body, /Wie viel die Zahlen tragen: <span class="rating-marks" aria-hidden="true">●●●○○<\/span> <strong>3 von 5<\/strong>/)
    assert.match(page.body, /<li>Ausgangspunkt: Vorher-nachher-Messung\.<\/li>/)
    assert.match(page.body, /<dt>Teilnehmende<\/dt><dd>1200<\/dd>/)
    assert.match(page.body, /<dt>Kosten pro Person<\/dt><dd>Stufe 2: 100 € bis unter 500 €<\/dd>/)
    const english = await test.app.inject({ url: `/wiki/${slug}`, headers: { 'accept-language': 'en' }, cookies: { locale: 'en' } })
    assert.match(english.body, /How much the figures can carry: .*<strong>3 of 5<\/strong>/)
  })

  it('shows "not stated" for a lesson without the new fields, which stays valid', async () => {
    const created = await test.app.inject({ method: 'POST', url: '/api/pages', payload: { source: validLessonSource({ title: 'Ohne Angaben' }) } })
    assert.equal(created.statusCode, 201, created.body)
    const page = await test.app.inject({ url: '/wiki/ohne-angaben' })
    assert.match(page.body, /Wie viel die Zahlen tragen: <strong>nicht angegeben<\/strong>/)
    assert.match(page.body, /<dt>Woher das Ergebnis bekannt ist<\/dt><dd>nicht angegeben<\/dd>/)
  })

  it('refuses wrong answers in the form with 400 at the field, keeping what was typed', async () => {
    const response = await test.app.inject({ method: 'POST', url: '/lessons/new', ...form(lessonForm({ title: 'Falsche Zahl', participants: 'viele', costBand: '9' })) })
    assert.equal(response.statusCode, 400)
    assert.match(response.body, /<a href="#participants">/)
    assert.match(response.body, /<a href="#costBand">/)
    assert.match(response.body, /id="participants" name="participants" type="text" value="viele"/)
    assert.equal((await test.app.inject({ url: '/api/pages/falsche-zahl' })).statusCode, 404)
  })

  it('refuses bad values in front matter with 400 and stores nothing', async () => {
    for (const [name, extra] of [
      ['design', { evidenceDesign: 'gut-gefuehl' }],
      ['negative', { participants: '-3' }],
      ['fraction', { sites: '1.5' }],
      ['band', { costBand: '6' }],
      ['band-text', { costBand: 'cheap' }]
    ] as const) {
      const response = await test.app.inject({ method: 'POST', url: '/api/pages', payload: { source: validLessonSource({ title: `Schlecht ${name}`, ...extra }) } })
      assert.equal(response.statusCode, 400, `${name}: ${response.body}`)
      assert.equal((await test.app.inject({ url: `/api/pages/schlecht-${name}` })).statusCode, 404, name)
    }
  })

  it('puts the fields and the derived rating into every export', async () => {
    const source = validLessonSource({ title: 'Export mit Angaben', visibility: 'public', evidenceDesign: 'randomised', participants: '400', sites: '6', costBand: '4', evidence: '[{ figure: "12 % weniger Abbrüche", source: "Studie" }]' })
    assert.equal((await test.app.inject({ method: 'POST', url: '/api/pages', payload: { source } })).statusCode, 201)
    const json = (await test.anonymous({ url: '/api/lessons?perPage=100' })).json<{ lessons: Array<Record<string, unknown>> }>()
    const item = json.lessons.find(lesson => lesson.title === 'Export mit Angaben')
    assert.deepEqual([item?.evidenceDesign, item?.participants, item?.sites, item?.costBand, item?.evidenceRating], ['randomised', 400, 6, 4, 5])
    const plain = json.lessons.find(lesson => lesson.title === 'Lernpaten im Stadtteil')
    assert.deepEqual([plain?.evidenceDesign, plain?.participants, plain?.sites, plain?.costBand, plain?.evidenceRating], ['before-after', 1200, 1, 2, 3])

    const rows = csvRecords((await test.anonymous({ url: '/lessons.csv' })).body)
    const row = rows.find(entry => entry.title === 'Export mit Angaben')
    assert.deepEqual([row?.evidence_design, row?.participants, row?.sites, row?.cost_band, row?.evidence_rating], ['randomised', '400', '6', '4', '5'])

    const jsonLd = (await test.anonymous({ url: '/lessons.jsonld' })).json<{ itemListElement: Array<{ item: { headline: string, additionalProperty: Array<{ propertyID: string, value: unknown }> } }> }>()
    const article = jsonLd.itemListElement.find(entry => entry.item.headline === 'Export mit Angaben')?.item
    assert.deepEqual(article?.additionalProperty.map(property => [property.propertyID, property.value]),
      [['evidenceDesign', 'randomised'], ['participants', 400], ['sites', 6], ['costBand', 4], ['evidenceRating', 5]])
  })

  it('explains the rule on a help page in German and English', async () => {
    const german = await test.anonymous({ url: '/help/evidence' })
    assert.equal(german.statusCode, 200)
    assert.match(german.body, /<h1>Hilfe: Wie sicher ist ein Ergebnis\?<\/h1>/)
    assert.match(german.body, /kein Urteil über die Menschen/)
    assert.match(german.body, /<li>Stufe 1: unter 100 €<\/li>/)
    const english = await test.anonymous({ url: '/help/evidence', headers: { 'accept-language': 'en' } })
    assert.match(english.body, /<h1>Help: how sure is a result\?<\/h1>/)
    assert.match(english.body, /no verdict on the people/)
    assert.match(english.body, /<li>Band 5: €10,000 or more<\/li>/)
  })
})
