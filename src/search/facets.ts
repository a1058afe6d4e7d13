import type { StoredDocument } from './shard-file.ts'
import { FACET_NAMES, type FacetFilters, type FacetName, type Facets } from './types.ts'

/** Most values of one facet shown; the rest are too rare to help narrow the results. */
const FACET_LIMIT = 30

export function facetValues (document: StoredDocument, facet: FacetName): string[] {
  switch (facet) {
    case 'outcome': return document.lesson?.outcome === undefined ? [] : [document.lesson.outcome]
    case 'field': return document.lesson?.field === undefined ? [] : [document.lesson.field]
    case 'place': return document.lesson?.place === undefined ? [] : [document.lesson.place]
    case 'year': return document.lesson?.year === undefined ? [] : [String(document.lesson.year)]
    case 'tag': return document.tags
    case 'origin': return [document.origin]
    case 'language': return [document.language]
  }
}

/** A shard's facet values, worked out once when it is loaded, for filters and counts. */
export class FacetTable {
  /** Facet values per facet and document. */
  readonly #values: string[][][]
  /** Every (facet, value) of the shard once, and per document the numbers of its own: counting is adding up numbers. */
  readonly #keys: Array<[FacetName, string]> = []
  readonly #documentKeys: Uint32Array
  readonly #documentKeyOffsets: Uint32Array

  constructor (documents: StoredDocument[]) {
    this.#values = FACET_NAMES.map(name => documents.map(document => facetValues(document, name)))
    const keyNumbers = new Map<string, number>()
    const keys: number[] = []
    this.#documentKeyOffsets = new Uint32Array(documents.length + 1)
    documents.forEach((_document, position) => {
      FACET_NAMES.forEach((name, facet) => {
        for (const value of new Set(this.#values[facet]?.[position] ?? [])) {
          const key = `${name}\u0000${value}`
          let number = keyNumbers.get(key)
          if (number === undefined) {
            number = this.#keys.push([name, value]) - 1
            keyNumbers.set(key, number)
          }
          keys.push(number)
        }
      })
      this.#documentKeyOffsets[position + 1] = keys.length
    })
    this.#documentKeys = Uint32Array.from(keys)
  }

  matches (position: number, filters: FacetFilters): boolean {
    for (const [facet, wanted] of Object.entries(filters) as Array<[FacetName, string | undefined]>) {
      if (wanted === undefined) continue
      const values = this.#values[FACET_NAMES.indexOf(facet)]?.[position] ?? []
      if (!values.some(value => value.toLowerCase() === wanted.toLowerCase())) return false
    }
    return true
  }

  /** Adds the facet values of these documents to the counts. */
  count (positions: number[], counts: Record<FacetName, Record<string, number>>): void {
    const tally = new Uint32Array(this.#keys.length)
    for (const position of positions) {
      for (let at = this.#documentKeyOffsets[position] ?? 0, end = this.#documentKeyOffsets[position + 1] ?? 0; at < end; at++) {
        const key = this.#documentKeys[at] ?? 0
        tally[key] = (tally[key] ?? 0) + 1
      }
    }
    tally.forEach((count, key) => {
      const [name, value] = this.#keys[key] ?? ['tag', '']
      if (count > 0) counts[name][value] = (counts[name][value] ?? 0) + count
    })
  }
}

/** One facet's counts from every worker, added up and put in the order they are shown. */
export function mergeFacetCounts (counts: Array<Record<string, number>>, name: FacetName): Facets[FacetName] {
  const total = new Map<string, number>()
  for (const part of counts) {
    for (const [value, count] of Object.entries(part)) total.set(value, (total.get(value) ?? 0) + count)
  }
  const list = [...total].map(([value, count]) => ({ value, count }))
  // Years read best in order; everything else by how many pages have it.
  if (name === 'year') list.sort((a, b) => b.value.localeCompare(a.value))
  else list.sort((a, b) => b.count - a.count || a.value.localeCompare(b.value))
  return list.slice(0, FACET_LIMIT)
}
