import lunr from 'lunr'
import stemmerSupport from 'lunr-languages/lunr.stemmer.support.js'
import german from 'lunr-languages/lunr.de.js'

/**
 * How text becomes index terms. Pages are analysed in their own language (German or
 * English stemmer and stop words from lunr and lunr-languages; other languages only
 * folded), and a query word is analysed in every language, so it finds pages of both.
 * The index gets ready-made terms, so a page's language never depends on a pipeline
 * that is shared by the whole index.
 */
stemmerSupport(lunr)
german(lunr)

export { lunr }

export type Analyser = 'de' | 'en' | 'none'
export const ANALYSERS: readonly Analyser[] = ['de', 'en', 'none']

/** Bump when analysis changes: shards written with another version are rebuilt. */
export const ANALYSIS_VERSION = 2

const WORD = /[\p{L}\p{N}]+/gu
// Longer "words" are base64, hashes or URLs squashed together; nobody searches for them.
const MAX_WORD_LENGTH = 60
const FOLDABLE = /[^\p{ASCII}]|ae|oe|ue/u
// Accents on Latin and Greek letters, once a letter is decomposed (NFD): é is e and U+0301.
const ACCENT = /(?<=[a-z\u03b1-\u03c9])[\u0300-\u036f]+/g
// Letters that Unicode does not decompose, written as people type them without the key.
const SEPARATE_LETTERS: Record<string, string> = { ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', ł: 'l', đ: 'd', ð: 'd', þ: 'th' }
const SEPARATE_LETTER = /[ßæœøłđðþ]/g

type PipelineFunction = (token: lunr.Token) => lunr.Token | undefined
const germanLanguage = (lunr as unknown as { de: { stemmer: PipelineFunction, stopWordFilter: PipelineFunction } }).de
const stemmers: Record<Analyser, PipelineFunction | null> = { de: germanLanguage.stemmer, en: lunr.stemmer, none: null }
const stopWords: Record<Analyser, PipelineFunction | null> = { de: germanLanguage.stopWordFilter, en: lunr.stopWordFilter, none: null }

export function analyserFor (language: string): Analyser {
  const base = language.toLowerCase().split('-')[0]
  return base === 'de' ? 'de' : base === 'en' ? 'en' : 'none'
}

/** Lower-cased words of a text, in order, with their offsets. */
export function words (text: string): string[] {
  return text.normalize('NFC').toLowerCase().match(WORD) ?? []
}

/**
 * Spelling variants that people use interchangeably become one: ß/ss, ä/ae, ö/oe, ü/ue
 * (as in German normalisation for search engines; "ue" after a vowel or q stays, as in
 * "neue" or "Quelle"), and a letter with an accent is the letter without it (é/e, ç/c,
 * ø/o), since keyboards without the accent are common: "cafe" finds "Café". Cyrillic
 * keeps its marks, as й and и are different letters. Both the index and queries go
 * through this, so either spelling finds either.
 */
export function fold (word: string): string {
  // Most words have none of these letters; skipping the replacements makes builds faster.
  if (!FOLDABLE.test(word)) return word
  return word
    .replace(SEPARATE_LETTER, letter => SEPARATE_LETTERS[letter] ?? letter)
    .normalize('NFD').replace(ACCENT, '').normalize('NFC')
    .replace(/ae/g, 'a').replace(/oe/g, 'o')
    .replace(/(^|[^aeiouq])ue/g, '$1u')
}

/** The index term for one lower-cased word, or null for a stop word. */
export function analyseWord (word: string, analyser: Analyser): string | null {
  if (word.length > MAX_WORD_LENGTH) return null
  const stopWordFilter = stopWords[analyser]
  if (stopWordFilter !== null && stopWordFilter(new lunr.Token(word, {})) === undefined) return null
  const folded = fold(word)
  const stemmer = stemmers[analyser]
  if (stemmer === null) return folded
  return stemmer(new lunr.Token(folded, {}))?.toString() ?? folded
}

export function analyse (text: string, analyser: Analyser): string[] {
  const terms: string[] = []
  for (const word of words(text)) {
    const term = analyseWord(word, analyser)
    if (term !== null && term !== '') terms.push(term)
  }
  return terms
}

/** What a query word may have become in a page of any language. */
export function queryVariants (word: string): string[] {
  const variants = new Set<string>()
  for (const analyser of ANALYSERS) {
    const term = analyseWord(word, analyser)
    if (term !== null && term !== '') variants.add(term)
  }
  return [...variants]
}

/** Folded words joined by single spaces, for phrase matching. */
export function phraseText (text: string): string {
  return ` ${words(text).map(fold).join(' ')} `
}
