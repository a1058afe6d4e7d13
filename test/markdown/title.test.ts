import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { cleanTitle } from '../../src/markdown/title.ts'
import { parseSource } from '../../src/markdown/front-matter.ts'

/** Written out from the list of controls a title must not keep, not taken from the code. */
const INVISIBLE = [0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069, 0x200e, 0x200f, 0x061c, 0x200b, 0x200c, 0x200d, 0x2060, 0xfeff]

describe('titles', () => {
  it('composes a title to NFC', () => {
    const decomposed = 'Cafe\u0301 fu\u0308r alle'
    assert.equal(cleanTitle(decomposed), 'Café für alle')
    assert.equal(cleanTitle(decomposed).length, 'Café für alle'.length)
  })

  it('takes out every bidi control and zero-width character, and nothing else', () => {
    for (const code of INVISIBLE) {
      const character = String.fromCodePoint(code)
      assert.equal(cleanTitle(`Ha${character}us${character}`), 'Haus', code.toString(16))
    }
    assert.equal(cleanTitle('  Работа — العمل, 社会 (2024)  '), 'Работа — العمل, 社会 (2024)')
  })

  it('cleans the title in front matter, and refuses one that was only invisible characters', () => {
    assert.equal(parseSource('---\ntitle: "\u202eCafe\u0301\u200b"\n---\nText.\n').fields.title, 'Café')
    assert.throws(() => parseSource('---\ntitle: "\u200b\u2066"\n---\nText.\n'), /must not be empty/)
  })
})
