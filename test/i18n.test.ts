import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { de } from '../src/i18n/de.ts'
import { en } from '../src/i18n/en.ts'
import { negotiateLocale, translator } from '../src/i18n/index.ts'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

describe('message catalogue', () => {
  it('has the same keys in German and English, none empty', () => {
    assert.deepEqual(Object.keys(en).sort(), Object.keys(de).sort())
    for (const [key, text] of [...Object.entries(de), ...Object.entries(en)]) assert.ok(text.trim() !== '', key)
  })

  it('uses the same placeholders in both languages', () => {
    const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map(match => match[1]).sort()
    for (const key of Object.keys(de) as Array<keyof typeof de>) assert.deepEqual(placeholders(en[key]), placeholders(de[key]), key)
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
