import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { findPersonalData, findPersonalDataInTurns, MAX_FINDINGS, type PersonalDataKind } from '../../src/publishing/personal-data.ts'
import { starterPages } from '../lessons/fixtures.ts'
import { manyEmailsSource } from '../../scripts/adversarial-inputs.ts'
import { form, startTestApp, type TestApp } from '../helpers.ts'

const kinds = (text: string): PersonalDataKind[] => findPersonalData(text).map(finding => finding.kind)
const texts = (text: string): string[] => findPersonalData(text).map(finding => finding.text)

describe('personal data check', () => {
  it('finds person names next to case words', () => {
    assert.deepEqual(texts('Klientin Sabine Meier kam nicht mehr.'), ['Klientin Sabine Meier'])
    assert.deepEqual(texts('Wir sprachen mit Frau Müller und Herrn K. über den Umzug.'), ['Frau Müller', 'Herrn K.'])
    assert.deepEqual(texts('Mr Smith and Mrs. Jones came twice.'), ['Mr Smith', 'Mrs. Jones'])
    assert.deepEqual(texts('Our client John stopped coming.'), ['client John'])
  })

  it('finds names in any script, full names after a degree, and names after more case words', () => {
    assert.deepEqual(texts('Die Teilnehmerin Fatma Yılmaz brachte ihre Kinder mit.'), ['Teilnehmerin Fatma Yılmaz'])
    assert.deepEqual(texts('Frau Dr. Anna Weber kam jeden Dienstag.'), ['Frau Dr. Anna Weber'])
    assert.deepEqual(texts('Mr John Smith attended twice.'), ['Mr John Smith'])
    assert.deepEqual(texts('Ihre Mutter Agnieszka Nowak rief an.'), ['Mutter Agnieszka Nowak'])
    // A capitalised German noun after a surname is not part of the name.
    assert.deepEqual(texts('Wir wussten, dass Frau Müller Kuchen backt.'), ['Frau Müller'])
  })

  it('finds any street with a house number once a postcode and town follow, and IBANs', () => {
    assert.deepEqual(texts('Sie wohnt Am Markt 5, 04109 Leipzig.'), ['Am Markt 5, 04109 Leipzig'])
    assert.deepEqual(texts('Sie wohnt in der Lindenstraße 12a, 04109 Leipzig.'), ['Lindenstraße 12a, 04109 Leipzig'], 'the street is part of the address, not a second one')
    assert.deepEqual(findPersonalData('Überweisung auf DE89 3704 0044 0532 0130 00 erfolgt.').map(finding => [finding.kind, finding.text]), [['bankAccount', 'DE89 3704 0044 0532 0130 00']])
    assert.deepEqual(kinds('IBAN: GB29NWBK60161331926819'), ['bankAccount'])
  })

  it('finds e-mail addresses but not fediverse handles', () => {
    assert.deepEqual(findPersonalData('Schreiben Sie an anna.schmidt@example.org.').map(finding => [finding.kind, finding.text]), [['email', 'anna.schmidt@example.org']])
    assert.deepEqual(kinds('Folgen Sie @wiki@praxis.example.org im Fediverse.'), [])
  })

  it('finds phone numbers in the usual notations', () => {
    for (const number of ['030 1234567', '+49 176 12345678', '0176-12345678', '(0341) 123 45 67', '+44 29 2087 4000']) {
      assert.deepEqual(kinds(`Erreichbar unter ${number}.`), ['phone'], number)
    }
  })

  it('finds birth dates', () => {
    assert.deepEqual(kinds('Frau im Alter von 80, geboren am 12.03.1944.'), ['birthDate'])
    assert.deepEqual(kinds('He was born 3 March 1985 in Cardiff.'), ['birthDate'])
    assert.deepEqual(kinds('Geburtsdatum: 1961-07-02'), ['birthDate'])
  })

  it('finds street addresses', () => {
    assert.deepEqual(texts('Sie wohnt in der Lindenstraße 12a, zweiter Stock.'), ['Lindenstraße 12a'])
    assert.deepEqual(texts('Treffpunkt Große Straße 5.'), ['Große Straße 5'])
    assert.deepEqual(texts('He moved to 14 Bute Street last May.'), ['14 Bute Street'])
  })

  it('says on which line it found something', () => {
    assert.deepEqual(findPersonalData('Erste Zeile\nzweite Zeile mit Frau Özdemir').map(finding => finding.line), [2])
    assert.deepEqual(findPersonalData('Eins\n\nZwei\nSie wohnt in der Lindenstraße 12a.\nOur client Jane Doe left.').map(finding => [finding.text, finding.line]), [['Lindenstraße 12a', 4], ['client Jane Doe', 5]])
  })

  it('raises no alarm on ordinary text: dates, years, figures, coordinates, common nouns', () => {
    const ordinary = [
      'Eine Frau Anfang 50 kam jede Woche.',
      'Termin am 01.03.2024, 18 Uhr.',
      'Im Jahr 2023 waren es 1.234 Menschen, Kosten 12.500 Euro.',
      'place: { name: "Cardiff", lat: 51.481, lon: -3.179 }',
      'period: { from: "2022-04", to: "2025-03" }',
      'Die Klienten Unterstützung geben, ohne zu bevormunden.',
      'The client said the flat was too far away.',
      'Rund 70 % der Arbeitszeit, 9 von 24 Ehrenamtlichen.',
      'Am Anfang 3 Termine, dann 12000 Flyer für 4500 Euro.',
      'Die Mutter kam, der Vater nicht; Jugendliche blieben.',
      'Förderkennzeichen AB12 und Projekt DE2024 liefen aus.'
    ]
    for (const text of ordinary) assert.deepEqual(findPersonalData(text), [], text)
  })

  it('raises no alarm on any starter page', async () => {
    for (const [file, source] of await starterPages()) assert.deepEqual(findPersonalData(source), [], file)
  })
})

describe('personal data check over HTTP', () => {
  let test: TestApp
  before(async () => { test = await startTestApp() })
  after(async () => { await test.close() })

  it('answers a public page of 490 kB of e-mail addresses with 422, lists at most the first findings and stores nothing', async () => {
    const source = `---\ntitle: Verteiler\nvisibility: public\n---\n${manyEmailsSource(490_000)}\n`
    const response = await test.app.inject({ method: 'POST', url: '/wiki', ...form({ title: 'Verteiler', source }) })
    assert.equal(response.statusCode, 422)
    assert.equal(response.body.match(/E-Mail-Adresse in Zeile \d+/g)?.length, MAX_FINDINGS)
    assert.match(response.body, /E-Mail-Adresse in Zeile 5: „p0@b\.de“/, 'the first ones, in the order of the text')
    assert.equal((await test.app.inject({ url: '/wiki/verteiler' })).statusCode, 404)
  })

  it('gives the event loop back between its passes over a long page, and finds the same as in one go', async () => {
    const source = `Frau Müller, Tel. 030 1234567, Musterstraße 12, 10115 Berlin\n${manyEmailsSource(200_000)}`
    let turns = 0
    let counting = true
    const count = (): void => { if (counting) { turns++; setImmediate(count) } }
    setImmediate(count)
    const found = await findPersonalDataInTurns(source)
    counting = false
    assert.deepEqual(found, findPersonalData(source))
    assert.ok(turns >= 8, `other work ran only ${turns} times while the check ran`)
  })
})
