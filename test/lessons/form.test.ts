import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { parseSource } from '../../src/markdown/front-matter.ts'
import { splitBody } from '../../src/lessons/body-sections.ts'
import { LARGE_BODY_LENGTH } from '../../src/markdown/render.ts'
import { checkForm } from '../../src/lessons/form-check.ts'
import { blankValues, valuesFromSource, type LessonFormValues } from '../../src/lessons/form-values.ts'
import { sourceFromValues } from '../../src/lessons/front-matter-editing.ts'
import { DEFAULT_LESSON_FIELDS } from '../../src/lessons/vocabulary.ts'
import { starterPages } from './fixtures.ts'

function filledValues (): LessonFormValues {
  return {
    ...blankValues('de', DEFAULT_LESSON_FIELDS),
    title: 'Sprechstunde im Waschsalon',
    summary: 'Wir boten Beratung dort an, wo Menschen ohnehin warten. Es kamen viele – aber selten zur Beratung.',
    programme: 'Beratung vor Ort',
    organisation: 'Quartiersbüro Süd',
    placeName: 'Halle (Saale)',
    lat: '51.48',
    lon: '11.97',
    field: 'Quartiersarbeit',
    periodFrom: '2023-02',
    periodTo: '2023-11',
    outcome: 'mixed',
    impactStep: '3',
    coProduction: 'co-designed',
    evidence: [{ figure: '140 Gespräche, "kurz"', source: 'Strichliste', caveat: 'Zählt Gespräche, nicht Menschen,\nund keine Folgen.' }],
    tags: 'beratung, quartier',
    licence: 'CC-BY-4.0',
    visibility: 'public',
    lead: 'Eine Einleitung mit [[Wiki-Link]].',
    sections: {
      context: 'Der Waschsalon ist der einzige Treffpunkt.',
      approach: 'Wir saßen dienstags dort.\n\n- Annahme: Wer wartet, redet.',
      happened: 'Es kamen viele.\n\n### Unterpunkt\n\nMit Unterüberschrift.',
      learned: 'Ort allein reicht nicht.',
      soWhat: 'Wir kommen mit Kaffee.',
      evidence: 'Siehe Tabelle.'
    },
    extra: '## Danke\n\nAn alle im Salon.'
  }
}

describe('lesson form and Markdown source', () => {
  it('gives back the same values after form → source → form', () => {
    const values = filledValues()
    const source = sourceFromValues(values, null)
    assert.deepEqual(valuesFromSource(source, 'en'), values)
  })

  it('writes the same front matter fields the plain editor edits, with the lesson headings of its language', () => {
    const source = sourceFromValues(filledValues(), null)
    const parsed = parseSource(source)
    assert.equal(parsed.fields.type, 'lesson')
    assert.deepEqual(parsed.data.place, { name: 'Halle (Saale)', lat: 51.48, lon: 11.97 })
    assert.deepEqual(parsed.data.period, { from: '2023-02', to: '2023-11' })
    assert.equal(parsed.data.impactStep, 3)
    assert.deepEqual(parsed.fields.tags, ['beratung', 'quartier'])
    assert.match(parsed.body, /## Kontext\n\nDer Waschsalon/)
    assert.match(parsed.body, /## Und jetzt: was sich geändert hat, was wir empfehlen\n/)
    const english = parseSource(sourceFromValues({ ...filledValues(), language: 'en' }, null))
    assert.match(english.body, /## So what: what changed, what we recommend\n/)
  })

  it('keeps unknown fields, comments and body text when a hand-edited source is opened in the form and saved', () => {
    const handEdited = [
      '---',
      '# Eine Notiz für das Team',
      'title: Handgeschrieben',
      'language: de',
      'type: lesson',
      'summary: Kurz.',
      'programme: P',
      'organisation: O',
      'place: { name: Halle, district: Neustadt }',
      'field: Altenhilfe',
      'period: { from: "2023-01" }',
      'outcome: open',
      'funding: Stiftung Beispiel',
      'evidence:',
      '  - { figure: "3", source: "Liste", year: 2023 }',
      'tags: [a, b]',
      '---',
      'Vorweg ein Satz.',
      '',
      '## Kontext',
      '',
      'Kontexttext.',
      '',
      '## Eigene Überschrift',
      '',
      'Eigener Text.',
      '',
      '```',
      '## kein Abschnitt, sondern Code',
      '```',
      '',
      '## Was wir gelernt haben',
      '',
      'Gelerntes.',
      ''
    ].join('\n')
    const values = valuesFromSource(handEdited, 'de')
    assert.equal(values.lead, 'Vorweg ein Satz.')
    assert.equal(values.sections.context, 'Kontexttext.')
    assert.equal(values.sections.learned, 'Gelerntes.')
    assert.match(values.extra, /^## Eigene Überschrift\n\nEigener Text\.\n\n```\n## kein Abschnitt, sondern Code\n```$/)
    const saved = sourceFromValues(values, handEdited)
    const parsed = parseSource(saved)
    assert.match(saved, /# Eine Notiz für das Team/)
    assert.equal(parsed.data.funding, 'Stiftung Beispiel')
    assert.deepEqual(parsed.data.place, { name: 'Halle', district: 'Neustadt' })
    assert.deepEqual(parsed.data.evidence, [{ figure: '3', source: 'Liste', year: 2023 }])
    for (const text of ['Vorweg ein Satz.', 'Kontexttext.', '## Eigene Überschrift', 'Eigener Text.', '## kein Abschnitt, sondern Code', 'Gelerntes.']) assert.ok(saved.includes(text), text)
    assert.deepEqual(valuesFromSource(saved, 'de'), values)
  })

  it('leaves every starter lesson unchanged in content when opened in the form and saved', async () => {
    const checked: string[] = []
    const skipped: string[] = []
    for (const [file, source] of await starterPages()) {
      const parsed = parseSource(source)
      if (parsed.fields.type !== 'lesson') {
        skipped.push(file)
        continue
      }
      checked.push(file)
      const values = valuesFromSource(source, 'de')
      const saved = sourceFromValues(values, source)
      assert.deepEqual(parseSource(saved).data, parsed.data, file)
      assert.equal(parseSource(saved).body.trim(), parsed.body.trim(), file)
      assert.deepEqual(checkForm(values, source, { fields: DEFAULT_LESSON_FIELDS }).problems, [], file)
    }
    assert.deepEqual([checked.length, skipped.length], [12, 10])
  })

  it('splits a body at level-2 headings in either language', () => {
    const { sections, lead, extra } = splitBody('## Context\n\nC\n\n## Belege\n\nE\n')
    assert.equal(sections.context, 'C')
    assert.equal(sections.evidence, 'E')
    assert.equal(lead, '')
    assert.equal(extra, '')
  })

  it('splits where the page shows a level-2 heading, not at a ## line in a quote, a list or indented code', () => {
    const { sections, lead, extra } = splitBody('> ## Zitat\n\n- ## Punkt\n\n    ## Code\n\nKontext\n-------\n\nK\n')
    assert.equal(lead, '> ## Zitat\n\n- ## Punkt\n\n    ## Code')
    assert.equal(sections.context, 'K')
    assert.equal(extra, '')
  })

  it('splits a large body line by line where the page shows its level-2 headings', () => {
    const prose = 'Ein Satz, der den Text lang macht. '.repeat(Math.ceil(LARGE_BODY_LENGTH / 35))
    const body = `> ## Zitat\n\n- ## Punkt\n\n    ## Code\n\n\`\`\`\n## Im Code\n\`\`\`\n\n${prose}\n\nKontext\n-------\n\nK\n\n## Belege ##\n\nE\n\n## Belege\n\nNoch einmal\n\n## Eigene\nText\n---\n`
    const { sections, lead, extra } = splitBody(body)
    assert.ok(body.length >= LARGE_BODY_LENGTH)
    assert.equal(lead, `> ## Zitat\n\n- ## Punkt\n\n    ## Code\n\n\`\`\`\n## Im Code\n\`\`\`\n\n${prose.trim()}`)
    assert.equal(sections.context, 'K')
    assert.equal(sections.evidence, 'E')
    assert.equal(extra, '## Belege\n\nNoch einmal\n\n## Eigene\nText\n---')
  })

  it('accepts the extra box with the line ends a browser posts', () => {
    const checked = checkForm({ ...filledValues(), extra: '## Danke\r\n\r\nAn alle im Salon.' }, null, { fields: DEFAULT_LESSON_FIELDS })
    assert.deepEqual(checked.problems, [])
  })

  it('gives a message per wrong field and keeps what was typed', () => {
    const values = { ...filledValues(), title: '', periodFrom: '2023-1', lat: 'north', outcome: 'maybe', extra: 'Text ohne Überschrift', sections: { ...filledValues().sections, learned: '## Zwischenüberschrift' } }
    const checked = checkForm(values, null, { fields: DEFAULT_LESSON_FIELDS })
    assert.deepEqual(checked.problems.map(problem => problem.field), ['title', 'lat', 'periodFrom', 'outcome', 'section-learned', 'extra'])
    const typed = valuesFromSource(checked.source ?? '', 'de')
    assert.deepEqual([typed.lat, typed.periodFrom, typed.outcome], ['north', '2023-1', 'maybe'])
  })
})
