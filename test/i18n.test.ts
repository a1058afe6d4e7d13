import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { de } from '../src/i18n/de.ts'
import { en } from '../src/i18n/en.ts'
import { negotiateLocale, translator } from '../src/i18n/index.ts'
import { variantsOf } from '../src/i18n/message.ts'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

describe('message catalogue', () => {
  it('has the same keys in German and English, none empty', () => {
    assert.deepEqual(Object.keys(en).sort(), Object.keys(de).sort())
    for (const [key, message] of [...Object.entries(de), ...Object.entries(en)]) {
      for (const text of variantsOf(message)) assert.ok(text.trim() !== '', key)
    }
  })

  it('uses the same placeholders in both languages', () => {
    const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map(match => match[1]).sort()
    for (const key of Object.keys(de) as Array<keyof typeof de>) {
      for (const text of [...variantsOf(de[key]), ...variantsOf(en[key])]) assert.deepEqual(placeholders(text), placeholders(variantsOf(de[key])[0] ?? ''), key)
    }
  })

  it('has every key that templates and code ask for', async () => {
    const files = [
      ...(await readdir(path.join(root, 'views'), { recursive: true })).filter(name => name.endsWith('.eta')).map(name => path.join(root, 'views', name)),
      ...(await readdir(path.join(root, 'src'), { recursive: true })).filter(name => name.endsWith('.ts')).map(name => path.join(root, 'src', name))
    ]
    const dynamicPrefixes = ['kind.', 'diff.', 'locale.name.']
    for (const file of files) {
      const text = await readFile(file, 'utf8')
      for (const match of text.matchAll(/\bt\('([a-zA-Z]+\.[a-zA-Z.]*)'/g)) {
        const key = match[1] ?? ''
        if (dynamicPrefixes.includes(key)) continue
        assert.ok(key in de, `${path.relative(root, file)} uses unknown key ${key}`)
      }
    }
  })

  it('fills placeholders', () => {
    assert.equal(translator('en')('page.licence', { licence: 'MIT' }), 'Licence: MIT')
  })

  it('gives plural messages only the forms each language has, always with "other"', () => {
    for (const [locale, catalogue] of [['de', de], ['en', en]] as const) {
      const categories = new Intl.PluralRules(locale).resolvedOptions().pluralCategories as string[]
      for (const [key, message] of Object.entries(catalogue)) {
        if (typeof message === 'string') continue
        assert.ok('other' in message, key)
        for (const category of Object.keys(message)) assert.ok(categories.includes(category), `${locale} ${key}: ${category}`)
      }
    }
  })

  it('says one lesson and two lessons, one result and two results, in German and English', () => {
    const german = translator('de')
    const english = translator('en')
    assert.equal(german('lessons.count', { count: 1 }), '1 Lektion gefunden')
    assert.equal(german('lessons.count', { count: 2 }), '2 Lektionen gefunden')
    assert.equal(german('lessons.count', { count: 0 }), '0 Lektionen gefunden')
    assert.equal(german('lessons.count', { count: 12345 }), '12.345 Lektionen gefunden')
    assert.equal(english('lessons.count', { count: 1 }), '1 lesson found')
    assert.equal(english('lessons.count', { count: 2 }), '2 lessons found')
    assert.equal(english('lessons.count', { count: 0 }), '0 lessons found')
    assert.equal(english('lessons.count', { count: 12345 }), '12,345 lessons found')
    assert.equal(german('search.results', { count: 1 }), '1 Treffer')
    assert.equal(german('search.results', { count: 2 }), '2 Treffer')
    assert.equal(english('search.results', { count: 1 }), '1 result')
    assert.equal(english('search.results', { count: 2 }), '2 results')
    assert.equal(english('search.resultsFor', { count: 1, query: 'Café' }), '1 result for “Café”')
    assert.equal(german('search.moreValues', { count: 1, facet: 'Ort' }), '1 weiterer bei „Ort“')
    assert.equal(german('search.moreValues', { count: 3, facet: 'Ort' }), 'Weitere 3 bei „Ort“')
    assert.match(english('login.slowDown', { count: 1 }), /wait 1 second,/)
    assert.match(german('login.slowDown', { count: 1 }), /warten Sie 1 Sekunde und/)
    assert.match(english('login.slowDown', { count: 4 }), /wait 4 seconds,/)
    assert.match(german('login.slowDown', { count: 4 }), /warten Sie 4 Sekunden und/)
  })

  it('picks the language by quality from Accept-Language', () => {
    assert.equal(negotiateLocale(undefined), 'de')
    assert.equal(negotiateLocale('en'), 'en')
    assert.equal(negotiateLocale('fr;q=1, en;q=0.8, de;q=0.9'), 'de')
    assert.equal(negotiateLocale('en-US,en;q=0.9'), 'en')
    assert.equal(negotiateLocale('de-AT'), 'de')
    assert.equal(negotiateLocale('en, de'), 'en')
    assert.equal(negotiateLocale('de;q=0, en;q=0.1'), 'en')
    assert.equal(negotiateLocale('*'), 'de')
    assert.equal(negotiateLocale(';;;,,,q=x'), 'de')
    assert.equal(negotiateLocale('fr-FR,fr;q=0.9'), 'de')
    assert.equal(negotiateLocale('*, en;q=0.5'), 'de')
  })

  it('reads Accept-Language in any letter case', () => {
    assert.equal(negotiateLocale('EN-GB'), 'en')
    assert.equal(negotiateLocale('De;q=0.5, En;q=0.9'), 'en')
  })
})
