import { fold, queryVariants } from './analysis.ts'
import type { QueryClause } from './query.ts'

/**
 * The numbers of the sorted index `terms` a clause stands for: its variants, or what its
 * wildcard or fuzziness reaches.
 */
export function expandClause (terms: string[], clause: QueryClause): number[] {
  const found = new Set<number>()
  for (const variant of clauseVariants(clause)) {
    // As in Lunr, fuzziness reads the term literally and wins over wildcards.
    if (clause.editDistance > 0) {
      for (const number of termsWithinEditDistance(terms, variant, clause.editDistance)) found.add(number)
    } else if (variant.endsWith('*') && variant.indexOf('*') === variant.length - 1) {
      for (const number of termsStartingWith(terms, variant.slice(0, -1))) found.add(number)
    } else if (variant.includes('*')) {
      const pattern = new RegExp(`^${variant.split('*').map(escapeRegExp).join('.*')}$`, 'u')
      terms.forEach((term, number) => { if (pattern.test(term)) found.add(number) })
    } else {
      const number = termNumber(terms, variant)
      if (number !== -1) found.add(number)
    }
  }
  return [...found]
}

function termNumber (terms: string[], term: string): number {
  let low = 0
  let high = terms.length
  while (low < high) {
    const middle = (low + high) >> 1
    const value = terms[middle] ?? ''
    if (value === term) return middle
    if (value < term) low = middle + 1
    else high = middle
  }
  return -1
}

function clauseVariants (clause: QueryClause): string[] {
  // A wildcard term cannot be stemmed; it is matched against the stems as written.
  if (clause.term.includes('*')) return [fold(clause.term)]
  return queryVariants(clause.term)
}

function escapeRegExp (text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** The first position in `terms` from `low` on whose term does not start with `prefix`; the ones before it all do. */
function endOfPrefix (terms: string[], prefix: string, low: number): number {
  let high = terms.length
  while (low < high) {
    const middle = (low + high) >> 1
    if ((terms[middle] ?? '').startsWith(prefix)) low = middle + 1
    else high = middle
  }
  return low
}

/** The numbers of the sorted `terms` that start with `prefix`: one binary search, then a run. */
export function termsStartingWith (terms: string[], prefix: string): number[] {
  let low = 0
  let high = terms.length
  while (low < high) {
    const middle = (low + high) >> 1
    if ((terms[middle] ?? '') < prefix) low = middle + 1
    else high = middle
  }
  const end = endOfPrefix(terms, prefix, low)
  return Array.from({ length: end - low }, (_value, offset) => low + offset)
}

/**
 * The numbers of the sorted `terms` at most `limit` edits from `word` (edits being
 * insertions, deletions, substitutions and swaps of neighbours, as Lunr's fuzzy terms count
 * them). Neighbours in a sorted list share prefixes, so the table's rows for the shared
 * part are kept; and once a prefix is too far, every term that starts with it is skipped.
 * That is a trie's pruning, as Lunr gets from its token sets, without building a trie.
 */
export function termsWithinEditDistance (terms: string[], word: string, limit: number): number[] {
  const width = word.length + 1
  // Prefixes longer than this are too long already; their rows are never needed.
  const deepest = word.length + limit
  const rows = new Int32Array((deepest + 1) * width)
  for (let column = 0; column < width; column++) rows[column] = column
  const found: number[] = []
  let previous = ''
  let valid = 0
  let number = 0
  while (number < terms.length) {
    const term = terms[number] ?? ''
    let depth = 0
    const shared = Math.min(valid, term.length, previous.length)
    while (depth < shared && term.charCodeAt(depth) === previous.charCodeAt(depth)) depth++
    let tooFar = false
    while (depth < term.length && depth < deepest) {
      depth++
      const row = depth * width
      const above = row - width
      const here = term.charCodeAt(depth - 1)
      const back = depth > 1 ? term.charCodeAt(depth - 2) : -1
      rows[row] = depth
      let best = depth
      for (let column = 1; column < width; column++) {
        const there = word.charCodeAt(column - 1)
        let value = Math.min((rows[above + column] ?? 0) + 1, (rows[row + column - 1] ?? 0) + 1, (rows[above + column - 1] ?? 0) + (here === there ? 0 : 1))
        if (column > 1 && here === word.charCodeAt(column - 2) && back === there) value = Math.min(value, (rows[above - width + column - 2] ?? 0) + 1)
        rows[row + column] = value
        if (value < best) best = value
      }
      // No longer prefix comes closer: each cell of the next row is at least the smallest of
      // this one (a swap reaches two rows back, but then a substitution here costs no more).
      if (best > limit) {
        tooFar = true
        break
      }
    }
    previous = term
    valid = depth
    if (tooFar) {
      number = endOfPrefix(terms, term.slice(0, depth), number)
      continue
    }
    if (term.length <= deepest && (rows[term.length * width + word.length] ?? Infinity) <= limit) found.push(number)
    number++
  }
  return found
}
