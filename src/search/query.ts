import { fold, lunr, words } from './analysis.ts'

export type Presence = 'optional' | 'required' | 'prohibited'

export interface QueryClause {
  /** Lower-cased, not yet analysed; may hold `*` wildcards. */
  term: string
  /** Undefined: every field. */
  fields?: string[]
  presence: Presence
  boost: number
  editDistance: number
}

export interface ParsedQuery {
  clauses: QueryClause[]
  /** Each phrase as folded words joined by single spaces. */
  phrases: string[]
  /** True when Lunr could not parse the query and it was read as plain words. */
  relaxed: boolean
}

/** More clauses than this make a query slow without making it better. */
export const MAX_CLAUSES = 32
const MAX_EDIT_DISTANCE = 2
const MAX_BOOST = 100
const PHRASE = /"([^"]*)"/g
const TERM_PART = /[\p{L}\p{N}*]+/gu

/**
 * Reads Lunr's query syntax (`+required`, `-excluded`, `field:term`, `wild*`, `term~1`,
 * `term^2`) plus quoted phrases, which Lunr does not have: a phrase's words are required
 * and the page text must contain them in order. Anything Lunr cannot parse is searched as plain words.
 */
export function parseQuery (input: string, fields: string[]): ParsedQuery {
  const phrases: string[] = []
  const clauses: QueryClause[] = []
  let rest = input.normalize('NFC').replace(PHRASE, (_whole, phrase: string) => {
    const phraseWords = words(phrase)
    if (phraseWords.length > 0) {
      phrases.push(phraseWords.map(fold).join(' '))
      for (const word of phraseWords) clauses.push({ term: word, presence: 'required', boost: 1, editDistance: 0 })
    }
    return ' '
  })
  // A quote left over has no partner; it means nothing.
  rest = rest.replace(/"/g, ' ')

  let relaxed = false
  let parsed: ParsedLunrClause[]
  try {
    const query = new lunr.Query(fields)
    const parser = new (lunr as unknown as { QueryParser: new (text: string, query: lunr.Query) => { parse: () => lunr.Query } }).QueryParser(rest, query)
    parsed = parser.parse().clauses as ParsedLunrClause[]
  } catch (error) {
    if (!(error instanceof lunr.QueryParseError)) throw error
    relaxed = true
    parsed = words(rest).map(word => ({ term: word, presence: lunr.Query.presence.OPTIONAL }))
  }

  for (const clause of parsed) {
    const parts = String(clause.term).toLowerCase().match(TERM_PART) ?? []
    for (const part of parts) {
      if (/^\*+$/.test(part)) continue
      const result: QueryClause = {
        term: part,
        presence: presenceOf(clause.presence),
        boost: Math.min(MAX_BOOST, Math.max(0, clause.boost ?? 1)),
        editDistance: Math.min(MAX_EDIT_DISTANCE, Math.max(0, clause.editDistance ?? 0))
      }
      if (clause.fields !== undefined && clause.fields.length < fields.length) result.fields = clause.fields
      clauses.push(result)
    }
  }
  return { clauses: clauses.slice(0, MAX_CLAUSES), phrases, relaxed }
}

/** A clause as Lunr's parser leaves it; the type definitions lack `presence`. */
interface ParsedLunrClause {
  term: string
  fields?: string[]
  boost?: number
  editDistance?: number
  presence?: number
}

function presenceOf (presence: number | undefined): Presence {
  if (presence === lunr.Query.presence.REQUIRED) return 'required'
  if (presence === lunr.Query.presence.PROHIBITED) return 'prohibited'
  return 'optional'
}
