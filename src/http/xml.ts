import { escapeHtml } from './context.ts'

// XML 1.0's Char production: tab, line feed, carriage return, U+0020–U+D7FF, U+E000–U+FFFD and
// U+10000–U+10FFFF. One character outside it (a control character, a lone surrogate, U+FFFE) makes a
// reader refuse the whole document, and no escape can express it, so it is dropped.
const NOT_XML_CHARACTER = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu

/** Text for XML content or an attribute value: escaped, and without characters XML 1.0 forbids. */
export function escapeXml (text: string): string {
  return escapeHtml(text.replace(NOT_XML_CHARACTER, ''))
}
