import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { parseSource, composeSource, withTitle, FrontMatterError, MAX_FRONT_MATTER_FIELDS, MAX_FRONT_MATTER_LENGTH, MAX_FRONT_MATTER_NESTING } from '../../src/markdown/front-matter.ts'

function failure (source: string): FrontMatterError {
  try {
    parseSource(source)
  } catch (error) {
    assert.ok(error instanceof FrontMatterError)
    return error
  }
  assert.fail('expected a FrontMatterError')
}

describe('front matter', () => {
  it('reads the fields the wiki knows and applies defaults', () => {
    const parsed = parseSource('---\ntitle: Willkommen\ntags: [start, hilfe]\nlanguage: de\n---\n# Hallo\n')
    assert.equal(parsed.fields.title, 'Willkommen')
    assert.deepEqual(parsed.fields.tags, ['start', 'hilfe'])
    assert.equal(parsed.fields.language, 'de')
    assert.equal(parsed.fields.licence, 'CC-BY-SA-4.0')
    assert.equal(parsed.fields.visibility, 'local')
    assert.equal(parsed.body, '# Hallo\n')
    assert.equal(parsed.bodyLine, 6)
  })

  it('treats a source without a leading --- line as body only', () => {
    const parsed = parseSource('# Nur Text\n\n---\n')
    assert.deepEqual(parsed.data, {})
    assert.equal(parsed.body, '# Nur Text\n\n---\n')
  })

  it('keeps lesson and unknown fields exactly as written', () => {
    const source = [
      '---',
      'title: Mittagstisch im Quartier',
      'type: lesson',
      'place: {name: Köln-Kalk, lat: 50.94, lon: 6.99}',
      'period: {from: "2022-03", to: "2023-11"}',
      'outcome: mixed',
      'impactStep: 4',
      'evidence:',
      '  - figure: 120 Gäste pro Woche',
      '    source: Zählung',
      '    caveat: Doppelzählungen möglich',
      'custom: 2023-04-01',
      '---',
      'Text'
    ].join('\n')
    const parsed = parseSource(source)
    assert.deepEqual(parsed.data.place, { name: 'Köln-Kalk', lat: 50.94, lon: 6.99 })
    assert.deepEqual(parsed.data.period, { from: '2022-03', to: '2023-11' })
    assert.equal(parsed.data.impactStep, 4)
    assert.equal(parsed.data.custom, '2023-04-01')
    assert.deepEqual(parsed.data.evidence, [{ figure: '120 Gäste pro Woche', source: 'Zählung', caveat: 'Doppelzählungen möglich' }])
    assert.equal(parsed.fields.type, 'lesson')
  })

  it('accepts Windows line endings and a byte order mark', () => {
    const parsed = parseSource('\uFEFF---\r\ntitle: A\r\n---\r\nB\r\n')
    assert.equal(parsed.fields.title, 'A')
    assert.equal(parsed.body, 'B\n')
  })

  it('names the line of a YAML syntax error', () => {
    const error = failure('---\ntitle: Hallo\ntags: [a, b\n---\nText')
    assert.equal(error.line, 3)
    assert.match(error.message, /line 3/)
  })

  it('names the line of a field that appears twice', () => {
    const error = failure('---\ntitle: a\nsummary: b\ntitle: c\n---\n')
    assert.equal(error.line, 4)
    assert.match(error.reason, /twice/)
  })

  it('names the field and line of a wrong visibility', () => {
    const error = failure('---\ntitle: a\nvisibility: secret\n---\n')
    assert.equal(error.line, 3)
    assert.match(error.reason, /"visibility" must be one of public, unlisted, local/)
  })

  it('refuses a title that is not text, tags that are not a list of words and a bad licence', () => {
    assert.match(failure('---\ntitle: [a]\n---\n').reason, /"title" must be text/)
    assert.match(failure('---\ntags: {a: 1}\n---\n').reason, /"tags"/)
    assert.match(failure('---\nlicence: "free for all"\n---\n').reason, /"licence"/)
    assert.match(failure('---\nlanguage: Deutsch\n---\n').reason, /"language"/)
  })

  it('refuses front matter that is not a mapping or is never closed', () => {
    assert.match(failure('---\n- a\n- b\n---\n').reason, /name: value/)
    assert.equal(failure('---\ntitle: a\nText ohne Ende').line, 1)
  })

  it('refuses unresolvable aliases instead of throwing something else', () => {
    assert.ok(failure('---\ntitle: *missing\n---\n') instanceof FrontMatterError)
  })

  it('composes a source that parses back to the same data and body', () => {
    const data = { title: 'Straße & Platz', tags: ['a'], place: { name: 'Berlin' } }
    const source = composeSource(data, '# Inhalt\n')
    const parsed = parseSource(source)
    assert.deepEqual(parsed.data, data)
    assert.equal(parsed.body, '# Inhalt\n')
  })
})

describe('front matter edits', () => {
  it('sets a new title and keeps comments and other fields as written', () => {
    const source = '---\n# Kommentar\ntitle: Alt\ntags: [a, b]\n---\nText\n'
    const changed = withTitle(source, 'Neu & besser')
    assert.match(changed, /# Kommentar/)
    assert.match(changed, /tags: \[ a, b \]|tags: \[a, b\]/)
    assert.equal(parseSource(changed).fields.title, 'Neu & besser')
    assert.equal(parseSource(changed).body, 'Text\n')
  })

  it('adds front matter with the title to a source that had none', () => {
    const changed = withTitle('Nur Text\n', 'Titel')
    assert.equal(parseSource(changed).fields.title, 'Titel')
    assert.equal(parseSource(changed).body, 'Nur Text\n')
  })

  it('refuses field names the store would read as operators or paths', () => {
    assert.match(failure('---\n$where: x\n---\n').reason, /"\$where"/)
    assert.match(failure('---\nplace: {a.b: 1}\n---\n').reason, /"a\.b"/)
  })

  it('refuses front matter past its bounds before parsing it, naming the line', () => {
    const long = failure(`---\ntitle: x\nsummary: ${'a'.repeat(MAX_FRONT_MATTER_LENGTH)}\n---\n`)
    assert.equal(long.line, 3)
    assert.match(long.reason, /longer than 20000 characters/)
    const deep = failure(`---\ntitle: x\nplace: ${'['.repeat(MAX_FRONT_MATTER_NESTING + 1)}\n---\n`)
    assert.equal(deep.line, 3)
    assert.match(deep.reason, /nested more than 50 deep/)
    const fields = Array.from({ length: MAX_FRONT_MATTER_FIELDS + 1 }, (_, index) => `k${index}: v`).join('\n')
    assert.match(failure(`---\n${fields}\n---\n`).reason, /more than 200 fields/)
    assert.equal(parseSource(`---\nplace: ${'['.repeat(MAX_FRONT_MATTER_NESTING)}${']'.repeat(MAX_FRONT_MATTER_NESTING)}\n---\n`).body, '', 'as deep as the limit is read')
  })
})
