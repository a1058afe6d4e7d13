import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { analyse, fold, queryVariants } from '../../src/search/analysis.ts'
import { documentFromRemote, stripMarkdown } from '../../src/search/document.ts'
import { LARGE_BODY_LENGTH } from '../../src/markdown/render.ts'
import { parseQuery } from '../../src/search/query.ts'
import { snippet } from '../../src/search/snippet.ts'

const sameTerms = (a: string, b: string, language: 'de' | 'en'): void => {
  assert.deepEqual(analyse(a, language), analyse(b, language), `${a} / ${b}`)
}

describe('search analysis', () => {
  it('stems German plurals and adjectives to the same term', () => {
    sameTerms('Pflegekräfte', 'Pflegekraft', 'de')
    sameTerms('Ehrenamtliche', 'ehrenamtlich', 'de')
  })

  it('treats ä/ae, ö/oe, ü/ue and ß/ss as the same letters', () => {
    sameTerms('Häuser', 'Haeuser', 'de')
    sameTerms('Straße', 'Strasse', 'de')
    sameTerms('Müller', 'Mueller', 'de')
    sameTerms('Öffentlichkeit', 'Oeffentlichkeit', 'de')
    assert.equal(fold('neue quelle'), 'neue quelle')
  })

  it('treats a letter with an accent and the letter without it as the same, in both languages', () => {
    for (const language of ['de', 'en'] as const) {
      sameTerms('Café', 'Cafe', language)
      sameTerms('cafés', 'cafes', language)
      sameTerms('Grünau', 'Gruenau', language)
      sameTerms('Grünau', 'Grunau', language)
      sameTerms('Nguyễn', 'Nguyen', language)
      sameTerms('Ødegaard', 'Odegaard', language)
      sameTerms('Łódź', 'Lodz', language)
      sameTerms('Ελλάδα', 'Ελλαδα', language)
    }
    // Decomposed input (e and a combining accent) is the same word as the composed one.
    sameTerms('Cafe\u0301', 'Café', 'de')
    assert.deepEqual(queryVariants('cafe').sort(), queryVariants('café').sort())
    assert.deepEqual(queryVariants('gruenau').sort(), queryVariants('grünau').sort())
    // In Cyrillic the mark makes another letter: й is not и.
    assert.notDeepEqual(analyse('йод', 'none'), analyse('иод', 'none'))
  })

  it('stems English words', () => {
    sameTerms('volunteers', 'volunteering', 'en')
    sameTerms('running', 'runs', 'en')
  })

  it('drops stop words of the page language only', () => {
    assert.deepEqual(analyse('und die the', 'de'), ['the'])
    assert.deepEqual(analyse('und die the', 'en'), ['und', 'die'])
  })

  it('gives a query word a variant for each language', () => {
    assert.ok(queryVariants('pflegekräfte').includes(analyse('Pflegekraft', 'de')[0] ?? ''))
    assert.ok(queryVariants('volunteering').includes(analyse('volunteers', 'en')[0] ?? ''))
  })

  it('strips Markdown and keeps wiki link labels', () => {
    const text = stripMarkdown('## Kontext\n\nWir **lernten** viel über [[Quartiersarbeit|das Quartier]] und [Links](https://example.org).\n\n- Punkt')
    assert.equal(text, 'Kontext\nWir lernten viel über das Quartier und Links.\nPunkt')
  })

  it('strips the markup of a large text by patterns, leaving the words the parser leaves', () => {
    const part = '## Kontext\n\nWir **lernten** viel über [[Quartiersarbeit|das Quartier]] und [Links](https://example.org).\n\n> Zitat\n\n1. Punkt\n- `Code`\n\n```js\nlet x\n```\n\n'
    const copies = Math.ceil(2 * LARGE_BODY_LENGTH / part.length)
    const words = (text: string): string[] => text.split(/\s+/).filter(word => word !== '')
    assert.deepEqual(words(stripMarkdown(part.repeat(copies))), words(stripMarkdown(part).replace(/\n|$/g, ' ').repeat(copies)))
  })

  it('indexes the text after the front matter, and all of a text whose front matter is never closed', () => {
    const remote = (text: string): string => documentFromRemote({
      id: 'https://other.example/articles/1',
      localUrl: '/remote/1',
      originalUrl: 'https://other.example/wiki/1',
      origin: 'other.example',
      title: 'Bericht',
      summary: '',
      tags: [],
      language: 'de',
      text,
      frontMatter: {},
      updatedAt: new Date(0)
    }).body
    assert.equal(remote('---\r\ntitle: Bericht\r\n---\r\nWir lernten viel.\r\n'), 'Wir lernten viel.')
    assert.equal(remote('---\ntitle: Bericht\n\nWir lernten viel.'), 'title: Bericht\nWir lernten viel.')
  })

  it('reads phrases, required, excluded, fields, wildcards and fuzziness', () => {
    const parsed = parseQuery('"peer support" +volunteer -app title:pfleg* ehrenamt~1', ['title', 'body'])
    assert.deepEqual(parsed.phrases, ['peer support'])
    assert.deepEqual(parsed.clauses.map(clause => [clause.term, clause.presence, clause.fields ?? null, clause.editDistance]), [
      ['peer', 'required', null, 0],
      ['support', 'required', null, 0],
      ['volunteer', 'required', null, 0],
      ['app', 'prohibited', null, 0],
      ['pfleg*', 'optional', ['title'], 0],
      ['ehrenamt', 'optional', null, 1]
    ])
    assert.equal(parsed.relaxed, false)
  })

  it('reads what Lunr cannot parse as plain words', () => {
    assert.equal(parseQuery('unknown:field word', ['title']).relaxed, true)
    assert.deepEqual(parseQuery('-', ['title']).clauses, [])
    assert.deepEqual(parseQuery('"open quote', ['title']).clauses.map(clause => clause.term), ['open', 'quote'])
  })

  it('escapes snippets and marks only matched words', () => {
    const html = snippet(['Die <b>Pflegekräfte</b> kamen & gingen.'], 'de', new Set(analyse('Pflegekraft', 'de')))
    assert.equal(html, 'Die &#60;b&#62;<mark>Pflegekräfte</mark>&#60;/b&#62; kamen &#38; gingen.')
  })

  it('keeps a heading or list item from running into the next block in a snippet', () => {
    const text = stripMarkdown('## Was wir getan haben\n\nWir haben Ehrenamtliche gewonnen.\n\nUnsere Annahmen:\n\n- Abends kommen alle\n- Am Wochenende nicht\n')
    assert.equal(snippet([text], 'de', new Set(analyse('Ehrenamtliche', 'de'))), 'Was wir getan haben · Wir haben <mark>Ehrenamtliche</mark> gewonnen. Unsere Annahmen: Abends kommen alle · Am Wochenende nicht')
    assert.equal(snippet([text], 'de', new Set()), 'Was wir getan haben · Wir haben Ehrenamtliche gewonnen. Unsere Annahmen: Abends kommen alle · Am Wochenende nicht')
  })
})
