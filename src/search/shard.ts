import { phraseText } from './analysis.ts'
import { FacetTable } from './facets.ts'
import { fieldNumbers } from './fields.ts'
import type { ParsedQuery, QueryClause } from './query.ts'
import { Postings } from './scoring.ts'
import { buildShardFile } from './shard-builder.ts'
import { decodeShardFile, readShardText, type DecodedShard, type StoredDocument } from './shard-file.ts'
import { snippet } from './snippet.ts'
import { expandClause } from './term-expansion.ts'
import type { FacetFilters, FacetName, SearchDocument, SearchHit } from './types.ts'

export interface ShardMatch { position: number, score: number }

/**
 * A bounded set of documents and their index. Lunr builds the index (its BM25 weights
 * per term, field and document); the shard keeps only those weights as postings in
 * typed arrays, about a tenth of the memory of a loaded `lunr.Index`, and scores a
 * query as Lunr does (see scoring.ts). Page bodies stay in the shard file
 * (see shard-file.ts) and are read for snippets, phrases and rebuilds only.
 */
export class Shard {
  readonly documents: StoredDocument[]
  readonly #expansions = new WeakMap<ParsedQuery, Map<QueryClause, number[]>>()
  readonly #positions = new Map<string, number>()
  readonly #terms: string[]
  readonly #postings: Postings
  readonly #bodyOffsets: number[]
  readonly #file: string
  readonly #textStart: number
  readonly #facets: FacetTable

  private constructor (decoded: DecodedShard, file: string) {
    this.documents = decoded.documents
    this.documents.forEach((document, position) => this.#positions.set(document.id, position))
    this.#terms = decoded.terms
    this.#postings = new Postings(decoded)
    this.#bodyOffsets = decoded.bodyOffsets
    this.#file = file
    this.#textStart = decoded.textStart
    this.#facets = new FacetTable(this.documents)
  }

  get size (): number { return this.documents.length }

  positionOf (id: string): number | undefined { return this.#positions.get(id) }

  /** Builds the index of these documents and returns the shard file's bytes. */
  static serialise (input: SearchDocument[]): Buffer {
    return buildShardFile(input)
  }

  /** A shard from its file's bytes; `file` is where its bodies are read from later. */
  static parse (bytes: Buffer, file: string): Shard {
    return new Shard(decodeShardFile(bytes), file)
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
    return readShardText(this.#file, this.#textStart, start, end)
  }

  /** Documents that match the query and the filters; an empty query matches all. */
  search (query: ParsedQuery, filters: FacetFilters): ShardMatch[] {
    const count = this.documents.length
    const { scores, candidates } = this.#postings.score(query.clauses, this.#expansionsOf(query), count)
    const matches: ShardMatch[] = []
    let text: Buffer | null = null
    for (let position = 0; position < count; position++) {
      if (candidates[position] !== 1) continue
      const document = this.documents[position] as StoredDocument
      if (!this.#facets.matches(position, filters)) continue
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
        if (fieldNumbers(clause).some(field => this.#postings.has(term, field, position))) found.add(this.#terms[term] ?? '')
      }
    }
    return [...found]
  }

  /**
   * The index terms each clause stands for, worked out once per parsed query: a fuzzy or
   * wildcard clause reads the whole term list, and the snippets of every hit need them again.
   */
  #expansionsOf (query: ParsedQuery): Map<QueryClause, number[]> {
    let expansions = this.#expansions.get(query)
    if (expansions === undefined) {
      expansions = new Map(query.clauses.map(clause => [clause, expandClause(this.#terms, clause)]))
      this.#expansions.set(query, expansions)
    }
    return expansions
  }

  /** Adds the facet values of these documents to the counts. */
  countFacets (positions: number[], counts: Record<FacetName, Record<string, number>>): void {
    this.#facets.count(positions, counts)
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
