import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { formPlaceOfLine } from '../../src/lessons/finding-fields.ts'
import { sourceFromValues } from '../../src/lessons/front-matter-editing.ts'
import { blankValues } from '../../src/lessons/form-values.ts'
import { findPersonalData } from '../../src/publishing/personal-data.ts'
import { form, startTestApp, type TestApp } from '../helpers.ts'

/** A complete lesson as the form posts it, with personal data where a careless author might type it. */
function lessonForm (overrides: Record<string, string | string[]> = {}): Record<string, string | string[]> {
  return {
    title: 'Sprechstunde im Waschsalon',
    summary: 'Beratung dort, wo Menschen warten.\nRückfragen an info@beispiel.org.',
    programme: 'Beratung vor Ort',
    organisation: 'Quartiersbüro Süd',
    placeName: 'Halle (Saale)',
    field: 'Quartiersarbeit',
    periodFrom: '2023-02',
    outcome: 'mixed',
    evidenceFigure: ['140 Gespräche', '12 Rückrufe'],
    evidenceSource: ['Strichliste', 'Notizen, Tel. 0345 1234567'],
    evidenceCaveat: ['', ''],
    tags: 'beratung',
    licence: 'CC-BY-SA-4.0',
    visibility: 'public',
    language: 'de',
    'section-context': 'Der Waschsalon ist der einzige Treffpunkt.',
    'section-happened': 'Anfangs kam niemand.\n\nDann kam Klientin Erika Mustermann jede Woche.',
    action: 'save',
    ...overrides
  }
}

function post (fields: Record<string, string | string[]>): { payload: string, headers: Record<string, string> } {
  const parameters = new URLSearchParams()
  for (const [name, value] of Object.entries(fields)) {
    for (const item of Array.isArray(value) ? value : [value]) parameters.append(name, item)
  }
  return { ...form({}), payload: parameters.toString() }
}

describe('personal data found in the guided form', () => {
  it('maps each line of the composed source back to the form field it came from', () => {
    const values = {
      ...blankValues('de', []),
      title: 'Titel',
      summary: 'Erste Zeile\nzweite Zeile mit 0345 1234567',
      programme: 'Programm',
      evidence: [{ figure: '1', source: 'a', caveat: '' }, { figure: '2', source: 'b@beispiel.org', caveat: '' }],
      lead: 'Vorweg.',
      sections: { context: 'Kontext.', approach: '', happened: 'Eins.\n\nZwei: Frau Erika Muster.', learned: '', soWhat: '', evidence: '' },
      extra: '## Eigenes\n\nMehr.'
    }
    const source = sourceFromValues(values, null)
    const lines = source.split('\n')
    const lineOf = (text: string): number => lines.findIndex(line => line.includes(text)) + 1
    assert.deepEqual(formPlaceOfLine(source, lineOf('title:')), { field: 'title' })
    assert.deepEqual(formPlaceOfLine(source, lineOf('zweite Zeile')), { field: 'summary' })
    assert.deepEqual(formPlaceOfLine(source, lineOf('programme:')), { field: 'programme' })
    assert.deepEqual(formPlaceOfLine(source, lineOf('b@beispiel.org')), { field: 'evidence', row: 2 })
    assert.deepEqual(formPlaceOfLine(source, lineOf('source: a')), { field: 'evidence', row: 1 })
    assert.deepEqual(formPlaceOfLine(source, lineOf('Vorweg.')), { field: 'lead' })
    assert.deepEqual(formPlaceOfLine(source, lineOf('Kontext.')), { field: 'section-context' })
    assert.deepEqual(formPlaceOfLine(source, lineOf('Zwei: Frau')), { field: 'section-happened' })
    // A section starts at its heading: the blank line before is the section before.
    assert.deepEqual(formPlaceOfLine(source, lineOf('## Was passiert')), { field: 'section-happened' })
    assert.deepEqual(formPlaceOfLine(source, lineOf('## Was passiert') - 1), { field: 'section-context' })
    assert.deepEqual(formPlaceOfLine(source, lineOf('Mehr.')), { field: 'extra' })
    // The checker's own line numbers lead to the same fields.
    const places = findPersonalData(source).map(finding => [finding.kind, formPlaceOfLine(source, finding.line)?.field])
    assert.deepEqual(places, [['phone', 'summary'], ['email', 'evidence'], ['name', 'section-happened']])
  })

  it('names no field for front matter the form keeps without showing it', () => {
    const source = '---\ntitle: T\ncontact: Frau Erika Muster\nsummary: S\n---\n\nText.\n'
    assert.equal(formPlaceOfLine(source, 3), null)
    assert.deepEqual(formPlaceOfLine(source, 4), { field: 'summary' })
  })

  describe('over HTTP', () => {
    let test: TestApp
    before(async () => { test = await startTestApp() })
    after(async () => { await test.close() })

    const findings = (body: string): string[] => {
      const warning = /<div class="notice warning" role="alert" id="publication-warning">([\s\S]*?)<\/div>/.exec(body)?.[1] ?? ''
      return [...warning.matchAll(/<li>([^<]*)<\/li>/g)].map(match => match[1] ?? '')
    }

    it('names the form field of each finding, not a Markdown line, in German and English', async () => {
      const german = await test.app.inject({ method: 'POST', url: '/lessons/new', ...post(lessonForm()), headers: { ...post({}).headers, 'accept-language': 'de' } })
      assert.equal(german.statusCode, 422)
      assert.deepEqual(findings(german.body), [
        'E-Mail-Adresse im Feld „Zusammenfassung“: „info@beispiel.org“',
        'Telefonnummer im Feld „Beleg 2“: „0345 1234567“',
        'Name einer Person im Feld „Was passiert ist und warum“: „Klientin Erika Mustermann“'
      ])
      const english = await test.app.inject({ method: 'POST', url: '/lessons/new', ...post(lessonForm()), headers: { ...post({}).headers, 'accept-language': 'en' } })
      assert.equal(english.statusCode, 422)
      assert.deepEqual(findings(english.body), [
        'E-mail address in “Summary”: “info@beispiel.org”',
        'Phone number in “Evidence 2”: “0345 1234567”',
        'Name of a person in “What happened and why”: “Klientin Erika Mustermann”'
      ])
    })

    it('still names the line in the plain editor', async () => {
      const source = '---\ntitle: Notiz\nvisibility: public\n---\n\nRückfragen an info@beispiel.org.\n'
      const response = await test.app.inject({ method: 'POST', url: '/wiki', ...form({ title: 'Notiz', source }), headers: { ...form({}).headers, 'accept-language': 'en' } })
      assert.equal(response.statusCode, 422)
      assert.deepEqual(findings(response.body), ['E-mail address on line 6: “info@beispiel.org”'])
    })
  })
})
