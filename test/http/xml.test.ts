import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { escapeXml } from '../../src/http/xml.ts'

describe('XML text', () => {
  it('drops control characters, lone surrogates and U+FFFE/U+FFFF, and keeps tab, line breaks and astral characters', () => {
    assert.equal(escapeXml('a\u0000b\u0001c\u0008d\u000Be\u001Ff\uD800g\uDC00h\uFFFEi\uFFFFj'), 'abcdefghij')
    assert.equal(escapeXml('tab\there\nline\r\n🙂 \uE000\uFFFD\u0085'), 'tab\there\nline\r\n🙂 \uE000\uFFFD\u0085')
  })

  it('escapes markup characters in content and attribute values', () => {
    assert.equal(escapeXml('<a href="x">&\'</a>'), '&#60;a href=&#34;x&#34;&#62;&#38;&#39;&#60;/a&#62;')
  })
})
