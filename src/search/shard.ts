import { createHash } from 'node:crypto'
import { closeSync, openSync, readSync } from 'node:fs'
import { ANALYSIS_VERSION, analyse, analyserFor, fold, lunr, phraseText, queryVariants, type Analyser } from './analysis.ts'
import { parseQuery, type ParsedQuery, type QueryClause } from './query.ts'
import { snippet } from './snippet.ts'
import { FACET_NAMES, type FacetFilters, type FacetName, type SearchDocument, type SearchHit } from './types.ts'

/** Fields a query can name (`title:pflege`), with how much a match in each counts. */
export const FIELD_BOOSTS = {
  title: 10,
  tags: 5,
  summary: 3,
  programme: 3,
  organisation: 2,
  place: 2,
  field: 2,
  body: 1
} as const
export type FieldName = keyof typeof FIELD_BOOSTS
export const FIELDS = Object.keys(FIELD_BOOSTS) as FieldName[]
const FIELD_COUNT = FIELDS.length

const MAGIC = 'PRAXISWIKI-SEARCH-SHARD'
/** Bump when the file layout changes; files of another version are rebuilt. */
export const FORMAT_VERSION = 2
const MAX_HEADER_BYTES = 512

/** A shard file that cannot be used: damaged, cut short or written by another version. */
export class ShardFileError extends Error {
  constructor (readonly reason: 'corrupt' | 'old-format', message: string) {
    super(message)
    this.name = 'ShardFileError'
  }
}

/** What a shard keeps of a document in memory: everything but the body, which stays in the file. */
export type StoredDocument = Omit<SearchDocument, 'body'>

export interface ShardMatch { position: number, score: number }


interface Prepared { ref: string, fields: Record<FieldName, string[]> }

interface ShardMeta {
  analysis: number
  fields: string[]
  documents: StoredDocument[]
  /** Byte offsets of each body in the text section, and its end. */
  bodyOffsets: number[]
  /** Sorted; a term's number is its place here. */
  terms: string[]
}

/**
 * A bounded set of documents and their index. Lunr builds the index (its BM25 weights
 * per term, field and document); the shard keeps only those weights as postings in
 * typed arrays, about a tenth of the memory of a loaded `lunr.Index`, and scores a
 * query as Lunr does: per field, the query vector's dot product with the document's
 * field vector divided by the query vector's length, summed over the fields.
 * Page bodies stay in the shard file and are read for snippets, phrases and rebuilds only.
 *
 * File: a header line (magic, format, SHA-256 of the rest, section lengths), then the
 * metadata JSON, term×field posting offsets, postings (document numbers), weights and
 * the bodies as UTF-8.
 */
export class Shard {
  readonly documents: StoredDocument[]
  readonly #expansions = new WeakMap<ParsedQuery, Map<QueryClause, number[]>>()
  readonly #positions = new Map<string, number>()
  readonly #terms: string[]
  readonly #offsets: Uint32Array
  readonly #postings: Uint32Array
  readonly #weights: Float64Array
  readonly #bodyOffsets: number[]
  readonly #file: string
  readonly #textStart: number
  /** Facet values per facet and document, worked out once, for filters. */
  readonly #facets: string[][][]
  /** Every (facet, value) of the shard once, and per document the numbers of its own: counting is adding up numbers. */
  readonly #facetKeys: Array<[FacetName, string]> = []
  readonly #documentKeys: Uint32Array
  readonly #documentKeyOffsets: Uint32Array

  private constructor (meta: ShardMeta, offsets: Uint32Array, postings: Uint32Array, weights: Float64Array, file: string, textStart: number) {
    this.documents = meta.documents
    this.documents.forEach((document, position) => this.#positions.set(document.id, position))
    this.#terms = meta.terms
    this.#offsets = offsets
    this.#postings = postings
    this.#weights = weights
    this.#bodyOffsets = meta.bodyOffsets
    this.#file = file
    this.#textStart = textStart
    this.#facets = FACET_NAMES.map(name => this.documents.map(document => facetValues(document, name)))
    const keyNumbers = new Map<string, number>()
    const keys: number[] = []
    this.#documentKeyOffsets = new Uint32Array(this.documents.length + 1)
    this.documents.forEach((_document, position) => {
      FACET_NAMES.forEach((name, facet) => {
        for (const value of new Set(this.#facets[facet]?.[position] ?? [])) {
          const key = `${name}\u0000${value}`
          let number = keyNumbers.get(key)
          if (number === undefined) {
            number = this.#facetKeys.push([name, value]) - 1
            keyNumbers.set(key, number)
          }
          keys.push(number)
        }
      })
      this.#documentKeyOffsets[position + 1] = keys.length
    })
    this.#documentKeys = Uint32Array.from(keys)
  }

  get size (): number { return this.documents.length }

  positionOf (id: string): number | undefined { return this.#positions.get(id) }

  /** Builds the index of these documents and returns the shard file's bytes. */
  static serialise (input: SearchDocument[]): Buffer {
    const documents = input.map(normaliseDocument)
    const builder = lunrBuilder()
    documents.forEach((document, position) => { builder.add(prepare(document, String(position))) })
    // Lunr's `build` also makes a token trie of every term, which the shard does not keep:
    // only the steps that work out the weights are run.
    const index = builder as unknown as {
      calculateAverageFieldLengths: () => void
      createFieldVectors: () => void
      invertedIndex: Record<string, { _index: number }>
      fieldVectors: Record<string, { elements: number[] }>
    }
    index.calculateAverageFieldLengths()
    index.createFieldVectors()
    const terms = Object.keys(index.invertedIndex).sort()
    const termOf = new Map<number, number>()
    terms.forEach((term, number) => termOf.set((index.invertedIndex[term] as { _index: number })._index, number))

    // Field vectors hold (Lunr term number, weight) pairs per field and document; turned
    // around they are postings per term and field, ordered by document.
    const offsets = new Uint32Array(terms.length * FIELD_COUNT + 1)
    const vectors: number[][] = []
    for (let position = 0; position < documents.length; position++) {
      for (let field = 0; field < FIELD_COUNT; field++) {
        const elements = index.fieldVectors[`${FIELDS[field] ?? ''}/${position}`]?.elements ?? []
        vectors.push(elements)
        for (let element = 0; element < elements.length; element += 2) {
          const term = termOf.get(elements[element] ?? -1) ?? 0
          ;(offsets[term * FIELD_COUNT + field + 1] as number)++
        }
      }
    }
    for (let slot = 1; slot < offsets.length; slot++) offsets[slot] = (offsets[slot] ?? 0) + (offsets[slot - 1] ?? 0)
    const total = offsets[offsets.length - 1] ?? 0
    const postings = new Uint32Array(total)
    const weights = new Float64Array(total)
    const next = offsets.slice(0, offsets.length - 1)
    let vector = 0
    for (let position = 0; position < documents.length; position++) {
      for (let field = 0; field < FIELD_COUNT; field++) {
        const elements = vectors[vector++] ?? []
        for (let element = 0; element < elements.length; element += 2) {
          const slot = (termOf.get(elements[element] ?? -1) ?? 0) * FIELD_COUNT + field
          const at = next[slot] ?? 0
          postings[at] = position
          weights[at] = elements[element + 1] ?? 0
          next[slot] = at + 1
        }
      }
    }

    const bodies = documents.map(document => Buffer.from(document.body, 'utf8'))
    const bodyOffsets = [0]
    for (const body of bodies) bodyOffsets.push((bodyOffsets[bodyOffsets.length - 1] ?? 0) + body.length)
    const stored = documents.map(({ body: _body, ...rest }) => rest)
    const meta: ShardMeta = { analysis: ANALYSIS_VERSION, fields: FIELDS, documents: stored, bodyOffsets, terms }
    const sections = [Buffer.from(JSON.stringify(meta), 'utf8'), bytesOf(offsets), bytesOf(postings), bytesOf(weights), Buffer.concat(bodies)]
    const payload = Buffer.concat(sections)
    const checksum = createHash('sha256').update(payload).digest('hex')
    const header = `${MAGIC} ${FORMAT_VERSION} ${checksum} ${sections.map(section => section.length).join(' ')}\n`
    return Buffer.concat([Buffer.from(header, 'latin1'), payload])
  }

  /** A shard from its file's bytes; `file` is where its bodies are read from later. */
  static parse (bytes: Buffer, file: string): Shard {
    const newline = bytes.subarray(0, MAX_HEADER_BYTES).indexOf(10)
    const header = bytes.toString('latin1', 0, newline === -1 ? Math.min(bytes.length, MAX_HEADER_BYTES) : newline).split(' ')
    if (header[0] !== MAGIC) throw new ShardFileError('corrupt', 'not a search shard file')
    if (header[1] !== String(FORMAT_VERSION)) throw new ShardFileError('old-format', `shard format ${header[1] ?? '?'}, expected ${FORMAT_VERSION}`)
    const lengths = header.slice(3).map(Number)
    if (newline === -1 || lengths.length !== 5 || lengths.some(length => !Number.isSafeInteger(length) || length < 0)) throw new ShardFileError('corrupt', 'shard header is damaged')
    const payload = bytes.subarray(newline + 1)
    if (payload.length !== lengths.reduce((sum, length) => sum + length, 0)) throw new ShardFileError('corrupt', 'shard file has the wrong length')
    if (createHash('sha256').update(payload).digest('hex') !== header[2]) throw new ShardFileError('corrupt', 'shard checksum does not match')
    const [metaLength = 0, offsetsLength = 0, postingsLength = 0, weightsLength = 0] = lengths
    let meta: Partial<ShardMeta>
    try {
      meta = JSON.parse(payload.toString('utf8', 0, metaLength)) as Partial<ShardMeta>
    } catch {
      throw new ShardFileError('corrupt', 'shard metadata is not JSON')
    }
    if (meta.analysis !== ANALYSIS_VERSION || JSON.stringify(meta.fields) !== JSON.stringify(FIELDS)) throw new ShardFileError('old-format', `shard analysis ${String(meta.analysis)}, expected ${ANALYSIS_VERSION}`)
    if (!Array.isArray(meta.documents) || !Array.isArray(meta.terms) || !Array.isArray(meta.bodyOffsets) || meta.bodyOffsets.length !== meta.documents.length + 1) throw new ShardFileError('corrupt', 'shard metadata is incomplete')
    let at = metaLength
    const section = <T>(length: number, make: (buffer: ArrayBuffer) => T): T => {
      // A copy: typed arrays need aligned memory of their own.
      const copy = new Uint8Array(length)
      copy.set(payload.subarray(at, at + length))
      at += length
      return make(copy.buffer)
    }
    const offsets = section(offsetsLength, buffer => new Uint32Array(buffer))
    const postings = section(postingsLength, buffer => new Uint32Array(buffer))
    const weights = section(weightsLength, buffer => new Float64Array(buffer))
    if (offsets.length !== meta.terms.length * FIELD_COUNT + 1 || postings.length !== weights.length || offsets[offsets.length - 1] !== postings.length) throw new ShardFileError('corrupt', 'shard postings do not fit')
    return new Shard(meta as ShardMeta, offsets, postings, weights, file, newline + 1 + at)
  }

  /** Every body, in document order: for rebuilding this shard with some documents changed. */
  fullDocuments (): SearchDocument[] {
    const text = this.#readText(0, this.#bodyOffsets[this.documents.length] ?? 0)
    return this.documents.map((document, position) => ({ ...document, body: text.toString('utf8', this.#bodyOffsets[position], this.#bodyOffsets[position + 1]) }))
  }

  #body (position: number): string {
    const start = this.#bodyOffsets[position] ?? 0
    return this.#readText(start, this.#bodyOffsets[position + 1] ?? start).toString('utf8')
  }

  #readText (start: number, end: number): Buffer {
    const buffer = Buffer.alloc(end - start)
    if (buffer.length === 0) return buffer
    const descriptor = openSync(this.#file, 'r')
    try {
      let done = 0
      while (done < buffer.length) {
        const read = readSync(descriptor, buffer, done, buffer.length - done, this.#textStart + start + done)
        if (read === 0) throw new ShardFileError('corrupt', 'shard file was cut short')
        done += read
      }
    } finally {
      closeSync(descriptor)
    }
    return buffer
  }

  /** Documents that match the query and the filters; an empty query matches all. */
  search (query: ParsedQuery, filters: FacetFilters): ShardMatch[] {
    const count = this.documents.length
    const expansions = this.#expansionsOf(query)
    const positive = query.clauses.filter(clause => clause.presence !== 'prohibited')
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
    for (const clause of query.clauses) {
      if (clause.presence === 'optional') continue
      const matching = this.#documentsMatching(clause, expansions.get(clause) ?? [])
      const keep = clause.presence === 'required' ? 1 : 0
      for (let position = 0; position < count; position++) {
        if (candidates[position] === 1 && matching[position] !== keep) candidates[position] = 0
      }
    }

    const matches: ShardMatch[] = []
    let text: Buffer | null = null
    for (let position = 0; position < count; position++) {
      if (candidates[position] !== 1) continue
      const document = this.documents[position] as StoredDocument
      if (!matchesFilters(this.#facets, position, filters)) continue
      if (query.phrases.length > 0) {
        text ??= this.#readText(0, this.#bodyOffsets[count] ?? 0)
        const words = phraseText(`${document.title}\n${document.summary}\n${text.toString('utf8', this.#bodyOffsets[position], this.#bodyOffsets[position + 1])}`)
        if (!query.phrases.every(phrase => words.includes(` ${phrase} `))) continue
      }
      matches.push({ position, score: scores[position] ?? 0 })
    }
    return matches
  }

  /**
   * The index terms of the query that this document has, in any of their clauses'
   * fields, for its snippet. Worked out only for the results shown, not for every match.
   */
  matchedTerms (position: number, query: ParsedQuery): string[] {
    const expansions = this.#expansionsOf(query)
    const found = new Set<string>()
    for (const clause of query.clauses) {
      if (clause.presence === 'prohibited') continue
      for (const term of expansions.get(clause) ?? []) {
        if (fieldNumbers(clause).some(field => this.#has(term, field, position))) found.add(this.#terms[term] ?? '')
      }
    }
    return [...found]
  }

  #has (term: number, field: number, position: number): boolean {
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

  #documentsMatching (clause: QueryClause, terms: number[]): Uint8Array {
    const found = new Uint8Array(this.documents.length)
    for (const term of terms) {
      for (const field of fieldNumbers(clause)) {
        const slot = term * FIELD_COUNT + field
        for (let at = this.#offsets[slot] ?? 0, end = this.#offsets[slot + 1] ?? 0; at < end; at++) found[this.#postings[at] ?? 0] = 1
      }
    }
    return found
  }

  /**
   * The index terms each clause stands for, worked out once per parsed query: a fuzzy or
   * wildcard clause reads the whole term list, and the snippets of every hit need them again.
   */
  #expansionsOf (query: ParsedQuery): Map<QueryClause, number[]> {
    let expansions = this.#expansions.get(query)
    if (expansions === undefined) {
      expansions = new Map(query.clauses.map(clause => [clause, this.#expand(clause)]))
      this.#expansions.set(query, expansions)
    }
    return expansions
  }

  /** The numbers of the index terms a clause stands for: its variants, or what its wildcard or fuzziness reaches. */
  #expand (clause: QueryClause): number[] {
    const found = new Set<number>()
    for (const variant of clauseVariants(clause)) {
      // As in Lunr, fuzziness reads the term literally and wins over wildcards.
      if (clause.editDistance > 0) {
        for (const number of termsWithinEditDistance(this.#terms, variant, clause.editDistance)) found.add(number)
      } else if (variant.endsWith('*') && variant.indexOf('*') === variant.length - 1) {
        for (const number of termsStartingWith(this.#terms, variant.slice(0, -1))) found.add(number)
      } else if (variant.includes('*')) {
        const pattern = new RegExp(`^${variant.split('*').map(escapeRegExp).join('.*')}$`, 'u')
        this.#terms.forEach((term, number) => { if (pattern.test(term)) found.add(number) })
      } else {
        const number = this.#termNumber(variant)
        if (number !== -1) found.add(number)
      }
    }
    return [...found]
  }

  #termNumber (term: string): number {
    let low = 0
    let high = this.#terms.length
    while (low < high) {
      const middle = (low + high) >> 1
      const value = this.#terms[middle] ?? ''
      if (value === term) return middle
      if (value < term) low = middle + 1
      else high = middle
    }
    return -1
  }

  /** Adds the facet values of these documents to the counts. */
  countFacets (positions: number[], counts: Record<FacetName, Record<string, number>>): void {
    const tally = new Uint32Array(this.#facetKeys.length)
    for (const position of positions) {
      for (let at = this.#documentKeyOffsets[position] ?? 0, end = this.#documentKeyOffsets[position + 1] ?? 0; at < end; at++) {
        const key = this.#documentKeys[at] ?? 0
        tally[key] = (tally[key] ?? 0) + 1
      }
    }
    tally.forEach((count, key) => {
      const [name, value] = this.#facetKeys[key] ?? ['tag', '']
      if (count > 0) counts[name][value] = (counts[name][value] ?? 0) + count
    })
  }

  /** A result as shown, with its snippet made from the body read from the file. */
  hit (position: number, score: number, terms: string[]): SearchHit {
    const document = this.documents[position] as StoredDocument
    const hit: SearchHit = {
      id: document.id,
      url: document.url,
      title: document.title,
      summary: document.summary,
      snippet: snippet([this.#body(position), document.summary], document.language, new Set(terms)),
      language: document.language,
      origin: document.origin,
      visibility: document.visibility,
      tags: document.tags,
      updatedAt: document.updatedAt,
      score
    }
    if (document.lesson !== undefined) hit.lesson = document.lesson
    return hit
  }
}

/** Best first; equal scores put the newer page first, then a fixed order so pages never swap. */
export function compareMatches (a: { score: number, updatedAt: string, id: string }, b: typeof a): number {
  return b.score - a.score || b.updatedAt.localeCompare(a.updatedAt) || a.id.localeCompare(b.id)
}

export function parseForShard (q: string): ParsedQuery {
  return parseQuery(q, FIELDS)
}

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

function matchesFilters (facets: string[][][], position: number, filters: FacetFilters): boolean {
  for (const [facet, wanted] of Object.entries(filters) as Array<[FacetName, string | undefined]>) {
    if (wanted === undefined) continue
    const values = facets[FACET_NAMES.indexOf(facet)]?.[position] ?? []
    if (!values.some(value => value.toLowerCase() === wanted.toLowerCase())) return false
  }
  return true
}

function fieldNumbers (clause: QueryClause): number[] {
  if (clause.fields === undefined) return FIELDS.map((_field, number) => number)
  return clause.fields.map(field => FIELDS.indexOf(field as FieldName)).filter(number => number !== -1)
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

function bytesOf (array: Uint32Array | Float64Array): Buffer {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength)
}

/** A Lunr builder for documents made ready by `prepare`: the fields with their boosts. */
export function lunrBuilder (): lunr.Builder {
  const builder = new lunr.Builder()
  // Terms arrive analysed (see analysis.ts); Lunr's own pipelines would analyse them again.
  builder.pipeline.reset()
  builder.searchPipeline.reset()
  builder.ref('ref')
  for (const field of FIELDS) {
    builder.field(field, { boost: FIELD_BOOSTS[field], extractor: (prepared: object) => (prepared as Prepared).fields[field] } as unknown as object)
  }
  return builder
}

export function prepare (document: SearchDocument, ref: string): Prepared {
  const analyser: Analyser = analyserFor(document.language)
  const lesson = document.lesson
  return {
    ref,
    fields: {
      title: analyse(document.title, analyser),
      tags: analyse(document.tags.join(' '), analyser),
      summary: analyse(document.summary, analyser),
      programme: analyse(lesson?.programme ?? '', analyser),
      organisation: analyse(lesson?.organisation ?? '', analyser),
      place: analyse(lesson?.place ?? '', analyser),
      field: analyse(lesson?.field ?? '', analyser),
      body: analyse(document.body, analyser)
    }
  }
}

/** Text is compared by code points, so composed and decomposed umlauts must look the same. */
export function normaliseDocument (document: SearchDocument): SearchDocument {
  return {
    ...document,
    title: document.title.normalize('NFC'),
    summary: document.summary.normalize('NFC'),
    body: document.body.normalize('NFC'),
    tags: document.tags.map(tag => tag.normalize('NFC'))
  }
}
