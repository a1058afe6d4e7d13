/**
 * A heuristic look for personal data in a text that is about to leave the wiki.
 * It cannot be complete; it catches the usual slips in case notes (a client's name,
 * a phone number, an address) and says what it found, so the author decides.
 */

export type PersonalDataKind = 'name' | 'email' | 'phone' | 'birthDate' | 'address'

export interface PersonalDataFinding {
  kind: PersonalDataKind
  /** The text as found, to show the author. */
  text: string
  /** 1-based line in the checked text. */
  line: number
}

const MAX_FINDINGS = 50
const MAX_TEXT_LENGTH = 1_000_000

const UPPER = 'A-ZÄÖÜ'
const LOWER = 'a-zäöüßéèáàóòíìúñç'
const NAME = `[${UPPER}][${LOWER}]+(?:-[${UPPER}][${LOWER}]+)?`
const INITIAL = `[${UPPER}]\\.`

// A leading "@" makes "@wiki@host" a fediverse handle, not an address to write to.
const EMAIL = /(?<![@\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b/g

// Phone numbers start with a country code or a trunk zero; years, figures and coordinates do not.
const PHONE = /(?<![\w.,/+-])(?:\+\d{1,3}|\(?0\d{1,5}\)?)(?:[ ./-]?\(?\d{1,6}\)?){1,5}(?![\w.,]\d)/g

const DATE = '(?:\\d{1,2}\\.\\s?\\d{1,2}\\.\\s?(?:19|20)?\\d{2}|(?:19|20)\\d{2}-\\d{2}-\\d{2}|\\d{1,2}\\.?\\s+(?:Jan|Feb|Mär|Mar|Apr|Mai|May|Jun|Jul|Aug|Sep|Okt|Oct|Nov|Dez|Dec)[a-zä]*\\.?\\s+(?:19|20)\\d{2}|(?:January|February|March|April|May|June|July|August|September|October|November|December)\\s+\\d{1,2},?\\s+(?:19|20)\\d{2})'
const BIRTH_WORD = '(?:geboren|geb\\.|Geburtsdatum|Geburtstag|born|date of birth|birth date|birthday|DOB|d\\.o\\.b\\.|\\*)'
const BIRTH_DATE = new RegExp(`${BIRTH_WORD}[^\\n\\d]{0,25}${DATE}`, 'gi')

const STREET_SUFFIX = '(?:straße|strasse|str\\.|weg|gasse|platz|allee|ring|damm|ufer|chaussee)'
const GERMAN_STREET = new RegExp(`\\b[${UPPER}][${LOWER}-]*${STREET_SUFFIX}\\s+\\d{1,4}\\s?[a-z]?\\b`, 'g')
const GERMAN_STREET_SEPARATE = new RegExp(`\\b(?:${NAME}\\s+)?(?:Straße|Strasse|Weg|Gasse|Platz|Allee|Ring|Damm)\\s+\\d{1,4}\\s?[a-z]?\\b`, 'g')
const ENGLISH_STREET = new RegExp(`\\b\\d{1,4}[a-z]?,?\\s+(?:${NAME}\\s+){1,3}(?:Street|St\\.|Road|Rd\\.|Lane|Avenue|Ave\\.|Close|Drive|Way|Terrace|Crescent|Gardens|Place)\\b`, 'g')

// Titles are followed by a surname; "eine Frau Anfang 50" is a woman, not Frau Anfang.
const TITLE_NAME = new RegExp(`(?<![${LOWER}${UPPER}])(?:(\\p{L}+)\\s+)?(Frau|Herrn?|Mr\\.?|Mrs\\.?|Ms\\.?|Miss|Mx\\.?)\\s+(${NAME}|${INITIAL})`, 'gu')
const NOT_A_TITLE_BEFORE = new Set([
  'ein', 'eine', 'einer', 'einem', 'einen', 'eines', 'die', 'der', 'den', 'dem', 'des', 'jede', 'jeder', 'jedem', 'jeden',
  'keine', 'keiner', 'diese', 'dieser', 'diesem', 'jene', 'manche', 'viele', 'alte', 'ältere', 'älteren', 'junge', 'jüngere',
  'jüngeren', 'andere', 'anderen', 'alleinerziehende', 'alleinstehende', 'eigene', 'welche', 'a', 'the'
])
const NOT_A_NAME_AFTER = new Set(['Anfang', 'Mitte', 'Ende', 'Und', 'Oder', 'Mit', 'Aus', 'In', 'Im', 'Am', 'Zu', 'Von'])

// German case nouns are capitalised like every noun, so a name after them needs a second part.
const GERMAN_CASE_NAME = new RegExp(`\\b(?:Klient(?:in|en|innen)?|Patient(?:in|en|innen)?|Bewohner(?:in|innen)?|Teilnehmer(?:in|innen)?|Betroffene[rn]?)\\s+(${NAME}\\s+(?:${NAME}|${INITIAL})|${NAME}(?=\\s*[,;:(])|${INITIAL})`, 'g')
const ENGLISH_CASE_NAME = new RegExp(`\\b(?:[Cc]lient|[Pp]atient|[Rr]esident|[Ss]ervice user|[Pp]articipant)s?\\s+(${NAME}(?:\\s+(?:${NAME}|${INITIAL}))?|${INITIAL})`, 'g')

export function findPersonalData (input: string): PersonalDataFinding[] {
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
  const add = (kind: PersonalDataKind, found: string, offset: number): void => {
    const clean = found.trim().replace(/\s+/g, ' ')
    const key = `${kind}:${clean}`
    if (findings.length >= MAX_FINDINGS || seen.has(key)) return
    seen.add(key)
    findings.push({ kind, text: clean, line: lineOf(offset) })
  }

  for (const match of text.matchAll(EMAIL)) add('email', match[0], match.index)
  for (const match of text.matchAll(PHONE)) {
    const digits = match[0].replace(/\D/g, '').length
    if (digits >= 7 && digits <= 15 && !/^0\d{0,3}[./-]\d{1,2}[./-]/.test(match[0])) add('phone', match[0], match.index)
  }
  for (const match of text.matchAll(BIRTH_DATE)) add('birthDate', match[0], match.index)
  for (const pattern of [GERMAN_STREET, GERMAN_STREET_SEPARATE, ENGLISH_STREET]) {
    for (const match of text.matchAll(pattern)) add('address', match[0], match.index)
  }
  for (const match of text.matchAll(TITLE_NAME)) {
    const before = (match[1] ?? '').toLowerCase()
    const name = match[3] ?? ''
    if (NOT_A_TITLE_BEFORE.has(before) || NOT_A_NAME_AFTER.has(name)) continue
    const start = match.index + (match[1] === undefined ? 0 : match[0].indexOf(match[2] ?? '', match[1].length))
    add('name', text.slice(start, match.index + match[0].length), start)
  }
  for (const pattern of [GERMAN_CASE_NAME, ENGLISH_CASE_NAME]) {
    for (const match of text.matchAll(pattern)) add('name', match[0], match.index)
  }
  return findings.sort((a, b) => a.line - b.line)
}
