/**
 * A heuristic look for personal data in a text that is about to leave the wiki.
 * It cannot be complete; it catches the usual slips in case notes (a client's name,
 * a phone number, an address) and says what it found, so the author decides.
 */
import { FoundSpans } from './found-spans.ts'
import { setImmediate as yieldToEventLoop } from 'node:timers/promises'

export type PersonalDataKind = 'name' | 'email' | 'phone' | 'birthDate' | 'address' | 'bankAccount'

export interface PersonalDataFinding {
  kind: PersonalDataKind
  /** The text as found, to show the author. */
  text: string
  /** 1-based line in the checked text. */
  line: number
}

/** The author reads each finding; past this many, the first ones make the point. */
export const MAX_FINDINGS = 50
const MAX_TEXT_LENGTH = 1_000_000

// Any script's letters: clients are called Yılmaz, Nowak, Ødegaard or Nguyễn as well as Müller.
const UPPER = '\\p{Lu}'
const LOWER = '\\p{Ll}'
const NAME = `[${UPPER}][${LOWER}]+(?:-[${UPPER}][${LOWER}]+)?`
const INITIAL = `[${UPPER}]\\.`
const DEGREE = '(?:Dr\\.|Prof\\.|Dipl\\.-\\p{L}+\\.)'
const WITH_DEGREE = new RegExp(DEGREE, 'u')

// A leading "@" makes "@wiki@host" a fediverse handle, not an address to write to.
const EMAIL = /(?<![@\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b/g

// Phone numbers start with a country code or a trunk zero; years, figures and coordinates do not.
const PHONE = /(?<![\w.,/+-])(?:\+\d{1,3}|\(?0\d{1,5}\)?)(?:[ ./-]?\(?\d{1,6}\)?){1,5}(?![\w.,]\d)/g

const DATE = '(?:\\d{1,2}\\.\\s?\\d{1,2}\\.\\s?(?:19|20)?\\d{2}|(?:19|20)\\d{2}-\\d{2}-\\d{2}|\\d{1,2}\\.?\\s+(?:Jan|Feb|Mär|Mar|Apr|Mai|May|Jun|Jul|Aug|Sep|Okt|Oct|Nov|Dez|Dec)[a-zä]*\\.?\\s+(?:19|20)\\d{2}|(?:January|February|March|April|May|June|July|August|September|October|November|December)\\s+\\d{1,2},?\\s+(?:19|20)\\d{2})'
const BIRTH_WORD = '(?:geboren|geb\\.|Geburtsdatum|Geburtstag|born|date of birth|birth date|birthday|DOB|d\\.o\\.b\\.|\\*)'
const BIRTH_DATE = new RegExp(`${BIRTH_WORD}[^\\n\\d]{0,25}${DATE}`, 'gi')

// \b is ASCII-only even with the u flag; these look-arounds are its Unicode form.
const START = '(?<![\\p{L}\\p{N}])'
const END = '(?![\\p{L}\\p{N}])'
const STREET_SUFFIX = '(?:straße|strasse|str\\.|weg|gasse|platz|allee|ring|damm|ufer|chaussee)'
const GERMAN_STREET = new RegExp(`${START}[${UPPER}][${LOWER}-]*${STREET_SUFFIX}\\s+\\d{1,4}\\s?[a-z]?${END}`, 'gu')
const GERMAN_STREET_SEPARATE = new RegExp(`${START}(?:${NAME}\\s+)?(?:Straße|Strasse|Weg|Gasse|Platz|Allee|Ring|Damm)\\s+\\d{1,4}\\s?[a-z]?${END}`, 'gu')
// Any street name with a house number, once a postcode and town follow: "Am Markt 5, 04109 Leipzig".
const GERMAN_POSTAL_ADDRESS = new RegExp(`${START}(?:${NAME}\\s+){1,4}\\d{1,4}\\s?[a-z]?,\\s*\\d{5}\\s+${NAME}`, 'gu')
const ENGLISH_STREET = new RegExp(`${START}\\d{1,4}[a-z]?,?\\s+(?:${NAME}\\s+){1,3}(?:Street|St\\.|Road|Rd\\.|Lane|Avenue|Ave\\.|Close|Drive|Way|Terrace|Crescent|Gardens|Place)${END}`, 'gu')

// An IBAN: two letters, two check digits, then up to 30 letters and digits, often in groups of four.
const IBAN = /(?<![\p{L}\p{N}])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?![\p{L}\p{N}])/gu

// Titles are followed by a surname; "eine Frau Anfang 50" is a woman, not Frau Anfang.
// A degree may come between title and name, and then a first name may too: "Frau Dr. Anna Weber".
// English nouns are lower case, so a capitalised second word after Mr or Mrs is a surname.
// The title is matched first (a literal, quick to find); the word before it is looked at afterwards.
const TITLE_NAME = new RegExp(`(?<!\\p{L})(Frau|Herrn?|Mr\\.?|Mrs\\.?|Ms\\.?|Miss|Mx\\.?)\\s+(?:${DEGREE}\\s+)*(${NAME}(?:\\s+${NAME})?|${INITIAL})`, 'gu')
const WORD_BEFORE = /(\p{L}+)\s+$/u
const NOT_A_TITLE_BEFORE = new Set([
  'ein', 'eine', 'einer', 'einem', 'einen', 'eines', 'die', 'der', 'den', 'dem', 'des', 'jede', 'jeder', 'jedem', 'jeden',
  'keine', 'keiner', 'diese', 'dieser', 'diesem', 'jene', 'manche', 'viele', 'alte', 'ältere', 'älteren', 'junge', 'jüngere',
  'jüngeren', 'andere', 'anderen', 'alleinerziehende', 'alleinstehende', 'eigene', 'welche', 'a', 'the'
])
const NOT_A_NAME_AFTER = new Set(['Anfang', 'Mitte', 'Ende', 'Und', 'Oder', 'Mit', 'Aus', 'In', 'Im', 'Am', 'Zu', 'Von'])

// German case nouns are capitalised like every noun, so a name after them needs a second part.
const GERMAN_CASE_WORDS = [
  'Klient(?:in|en|innen)?', 'Patient(?:in|en|innen)?', 'Bewohner(?:in|innen)?', 'Teilnehmer(?:in|innen)?', 'Betroffene[rn]?',
  'Nutzer(?:in|innen)?', 'Mieter(?:in|innen)?', 'Schüler(?:in|innen)?', 'Jugendliche[rn]?', 'Ratsuchende[rn]?', 'Bewerber(?:in|innen)?',
  'Mutter', 'Vater', 'Sohn', 'Tochter'
].join('|')
const GERMAN_CASE_NAME = new RegExp(`${START}(?:${GERMAN_CASE_WORDS})\\s+(${NAME}\\s+(?:${NAME}|${INITIAL})|${NAME}(?=\\s*[,;:(])|${INITIAL})`, 'gu')
const ENGLISH_CASE_WORDS = ['client', 'patient', 'resident', 'service user', 'participant', 'tenant', 'pupil', 'mother', 'father']
const ENGLISH_CASE_HINT = new RegExp(ENGLISH_CASE_WORDS.join('|'), 'i')
const ENGLISH_CASE_NAME = new RegExp(`${START}(?:${ENGLISH_CASE_WORDS.map(word => `[${word[0]?.toUpperCase()}${word[0]}]${word.slice(1)}`).join('|')})s?\\s+(${NAME}(?:\\s+(?:${NAME}|${INITIAL}))?|${INITIAL})`, 'gu')

export function findPersonalData (input: string): PersonalDataFinding[] {
  const scan = scanPersonalData(input)
  for (let step = scan.next(); ; step = scan.next()) if (step.done === true) return step.value
}

/**
 * The same check, giving the event loop back between its passes: over a long page each
 * pass costs tens of milliseconds, all of them together more than a request may hold.
 */
export async function findPersonalDataInTurns (input: string): Promise<PersonalDataFinding[]> {
  const scan = scanPersonalData(input)
  for (let step = scan.next(); ; step = scan.next()) {
    if (step.done === true) return step.value
    await yieldToEventLoop()
  }
}

/** The passes of the check, one pattern (or group of patterns) each, with a pause point after every one. */
function * scanPersonalData (input: string): Generator<void, PersonalDataFinding[]> {
  const text = input.slice(0, MAX_TEXT_LENGTH)
  const findings: PersonalDataFinding[] = []
  const seen = new Set<string>()
  const lineStarts = [0]
  for (let index = text.indexOf('\n'); index !== -1 && lineStarts.length < MAX_TEXT_LENGTH; index = text.indexOf('\n', index + 1)) lineStarts.push(index + 1)
  const lineOf = (offset: number): number => {
    let low = 0
    let high = lineStarts.length - 1
    while (low < high) {
      const middle = (low + high + 1) >> 1
      if ((lineStarts[middle] ?? 0) <= offset) low = middle
      else high = middle - 1
    }
    return low + 1
  }
  // The longer patterns run first; what starts inside something already found is part of it
  // (the digits of an IBAN are no phone number, the street of a postal address no second address).
  const spans = new FoundSpans()
  const add = (kind: PersonalDataKind, found: string, offset: number): void => {
    if (spans.covers(offset)) return
    spans.add(offset, offset + found.length)
    const clean = found.trim().replace(/\s+/g, ' ')
    const key = `${kind}:${clean}`
    if (findings.length >= MAX_FINDINGS || seen.has(key)) return
    seen.add(key)
    findings.push({ kind, text: clean, line: lineOf(offset) })
  }

  yield
  for (const match of text.matchAll(EMAIL)) add('email', match[0], match.index)
  yield
  for (const match of text.matchAll(IBAN)) {
    if (match[0].replace(/ /g, '').length >= 15) add('bankAccount', match[0], match.index)
  }
  yield
  for (const match of text.matchAll(PHONE)) {
    const digits = match[0].replace(/\D/g, '').length
    if (digits >= 7 && digits <= 15 && !/^0\d{0,3}[./-]\d{1,2}[./-]/.test(match[0])) add('phone', match[0], match.index)
  }
  yield
  for (const match of text.matchAll(BIRTH_DATE)) add('birthDate', match[0], match.index)
  yield
  // Unicode-aware patterns that may start at any capital are slow over long texts; they run only
  // on the lines that could hold what they look for (an address needs a house number).
  const onLines = function * (pattern: RegExp, hint: RegExp): Generator<{ text: string, index: number }> {
    for (let line = 0; line < lineStarts.length; line++) {
      const from = lineStarts[line] ?? 0
      const content = text.slice(from, (lineStarts[line + 1] ?? text.length + 1) - 1)
      if (!hint.test(content)) continue
      for (const match of content.matchAll(pattern)) yield { text: match[0], index: from + match.index }
    }
  }
  for (const pattern of [GERMAN_POSTAL_ADDRESS, GERMAN_STREET, GERMAN_STREET_SEPARATE, ENGLISH_STREET]) {
    for (const match of onLines(pattern, /\d/)) add('address', match.text, match.index)
    yield
  }
  for (const match of text.matchAll(TITLE_NAME)) {
    const before = (WORD_BEFORE.exec(text.slice(Math.max(0, match.index - 40), match.index))?.[1] ?? '').toLowerCase()
    const title = match[1] ?? ''
    const name = match[2] ?? ''
    const firstName = name.split(/\s+/)[0] ?? ''
    if (NOT_A_TITLE_BEFORE.has(before) || NOT_A_NAME_AFTER.has(firstName)) continue
    const start = match.index
    let end = match.index + match[0].length
    // German nouns are capitalised: in "Frau Müller Kuchen backt" the second word is no name,
    // unless a degree shows that a full name follows ("Frau Dr. Anna Weber").
    const german = /^(?:Frau|Herrn?)$/.test(title)
    if (german && name !== firstName && !WITH_DEGREE.test(match[0])) end -= name.length - firstName.length
    add('name', text.slice(start, end), start)
  }
  yield
  for (const match of text.matchAll(GERMAN_CASE_NAME)) add('name', match[0], match.index)
  yield
  for (const match of onLines(ENGLISH_CASE_NAME, ENGLISH_CASE_HINT)) add('name', match.text, match.index)
  return findings.sort((a, b) => a.line - b.line)
}
