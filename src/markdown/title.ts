/**
 * Characters that change how a text runs or joins without being seen: the bidi embeddings,
 * overrides and isolates (U+202A–202E, U+2066–2069), the directional marks (U+200E, U+200F,
 * U+061C), and zero-width space, non-joiner, joiner, word joiner and byte order mark
 * (U+200B–200D, U+2060, U+FEFF). In a title they can reverse what a reader sees or make
 * two different titles look the same.
 */
const INVISIBLE_CONTROLS = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C\u200B-\u200D\u2060\uFEFF]/g

/**
 * A title as the wiki stores it, wherever it comes from (form, front matter, rename,
 * lesson form, import): composed to NFC, so that one title has one spelling in bytes,
 * without invisible controls, and trimmed.
 */
export function cleanTitle (title: string): string {
  return title.normalize('NFC').replace(INVISIBLE_CONTROLS, '').trim()
}
