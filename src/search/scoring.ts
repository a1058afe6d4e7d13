import { FIELD_COUNT, FIELDS, fieldNumbers } from './fields.ts'
import type { QueryClause } from './query.ts'
import type { PostingArrays } from './shard-file.ts'

/** Which documents a query reaches, and the score of each. */
export interface Scored { scores: Float64Array, candidates: Uint8Array }

/**
 * A shard's postings, scored as Lunr scores a query: per field, the query vector's dot
 * product with the document's field vector divided by the query vector's length, summed
 * over the fields.
 */
export class Postings {
  readonly #offsets: Uint32Array
  readonly #postings: Uint32Array
  readonly #weights: Float64Array

  constructor ({ offsets, postings, weights }: PostingArrays) {
    this.#offsets = offsets
    this.#postings = postings
    this.#weights = weights
  }

  /**
   * Scores the `count` documents for these clauses, each standing for the index terms in
   * `expansions`; a query without a clause that may match reaches every document.
   */
  score (clauses: QueryClause[], expansions: Map<QueryClause, number[]>, count: number): Scored {
    const positive = clauses.filter(clause => clause.presence !== 'prohibited')
    const scores = new Float64Array(count)
    let candidates: Uint8Array
    if (positive.length === 0) {
      candidates = new Uint8Array(count).fill(1)
    } else {
      candidates = new Uint8Array(count)
      // Lunr's query vectors: per field, each expanded term weighs the clause's boost.
      const vectors = FIELDS.map(() => new Map<number, number>())
      for (const clause of positive) {
        for (const field of fieldNumbers(clause)) {
          const vector = vectors[field] as Map<number, number>
          for (const term of expansions.get(clause) ?? []) vector.set(term, (vector.get(term) ?? 0) + clause.boost)
        }
      }
      vectors.forEach((vector, field) => {
        let squares = 0
        for (const boost of vector.values()) squares += boost * boost
        const length = Math.sqrt(squares)
        for (const [term, boost] of vector) {
          const slot = term * FIELD_COUNT + field
          for (let at = this.#offsets[slot] ?? 0, end = this.#offsets[slot + 1] ?? 0; at < end; at++) {
            const position = this.#postings[at] ?? 0
            candidates[position] = 1
            if (length > 0) scores[position] = (scores[position] ?? 0) + boost * (this.#weights[at] ?? 0) / length
          }
        }
      })
    }

    // Lunr's own required/prohibited logic works per field and per term; a word with
    // one variant per language needs "any variant in any of the clause's fields".
    for (const clause of clauses) {
      if (clause.presence === 'optional') continue
      const matching = this.#documentsMatching(clause, expansions.get(clause) ?? [], count)
      const keep = clause.presence === 'required' ? 1 : 0
      for (let position = 0; position < count; position++) {
        if (candidates[position] === 1 && matching[position] !== keep) candidates[position] = 0
      }
    }
    return { scores, candidates }
  }

  has (term: number, field: number, position: number): boolean {
    const slot = term * FIELD_COUNT + field
    let low = this.#offsets[slot] ?? 0
    let high = this.#offsets[slot + 1] ?? 0
    while (low < high) {
      const middle = (low + high) >> 1
      const value = this.#postings[middle] ?? 0
      if (value === position) return true
      if (value < position) low = middle + 1
      else high = middle
    }
    return false
  }

  #documentsMatching (clause: QueryClause, terms: number[], count: number): Uint8Array {
    const found = new Uint8Array(count)
    for (const term of terms) {
      for (const field of fieldNumbers(clause)) {
        const slot = term * FIELD_COUNT + field
        for (let at = this.#offsets[slot] ?? 0, end = this.#offsets[slot + 1] ?? 0; at < end; at++) found[this.#postings[at] ?? 0] = 1
      }
    }
    return found
  }
}

/** Best first; equal scores put the newer page first, then a fixed order so pages never swap. */
export function compareMatches (a: { score: number, updatedAt: string, id: string }, b: typeof a): number {
  return b.score - a.score || b.updatedAt.localeCompare(a.updatedAt) || a.id.localeCompare(b.id)
}
