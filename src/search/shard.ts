import { createHash } from 'node:crypto'
import { ANALYSIS_VERSION, analyse, analyserFor, fold, lunr, phraseText, queryVariants, type Analyser } from './analysis.ts'
import { parseQuery, type ParsedQuery, type QueryClause } from './query.ts'
import { snippet } from './snippet.ts'
import type { WorkerHit } from './protocol.ts'
import type { FacetFilters, FacetName, SearchDocument } from './types.ts'

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

const MAGIC = 'PRAXISWIKI-SEARCH-SHARD'
/** Bump when the file layout changes; files of another version are rebuilt. */
export const FORMAT_VERSION = 1

/** A shard file that cannot be used: damaged, cut short or written by another version. */
export class ShardFileError extends Error {
  constructor (readonly reason: 'corrupt' | 'old-format', message: string) {
    super(message)
    this.name = 'ShardFileError'
  }
}

export interface ShardMatch {
  document: SearchDocument
  score: number
  /** Index terms that matched, for highlighting. */
  terms: Set<string>
}

interface Prepared { id: string, fields: Record<FieldName, string[]> }

/**
 * A bounded set of documents with its own immutable Lunr index. Changing a document
 * means building the shard's index again, which is why shards are kept small.
 */
export class Shard {
  readonly documents = new Map<string, SearchDocument>()
  #index: lunr.Index | null = null

  apply (upserts: SearchDocument[], removes: string[]): void {
    for (const id of removes) this.documents.delete(id)
    for (const document of upserts) this.documents.set(document.id, normaliseDocument(document))
  }

  build (): void {
    const builder = new lunr.Builder()
    // Terms arrive analysed (see analysis.ts); Lunr's own pipelines would analyse them again.
    builder.pipeline.reset()
    builder.searchPipeline.reset()
    builder.ref('id')
    for (const field of FIELDS) {
      builder.field(field, { boost: FIELD_BOOSTS[field], extractor: (prepared: object) => (prepared as Prepared).fields[field] } as unknown as object)
    }
    for (const document of this.documents.values()) builder.add(prepare(document))
    this.#index = builder.build()
  }

  get size (): number { return this.documents.size }

  serialise (): string {
    if (this.#index === null) this.build()
    const payload = JSON.stringify({ analysis: ANALYSIS_VERSION, documents: [...this.documents.values()], index: this.#index })
    const checksum = createHash('sha256').update(payload).digest('hex')
    return `${MAGIC} ${FORMAT_VERSION} ${checksum} ${Buffer.byteLength(payload)}\n${payload}`
  }

  static parse (text: string): Shard {
    const newline = text.indexOf('\n')
    const header = (newline === -1 ? text : text.slice(0, newline)).split(' ')
    if (header[0] !== MAGIC) throw new ShardFileError('corrupt', 'not a search shard file')
    if (header[1] !== String(FORMAT_VERSION)) throw new ShardFileError('old-format', `shard format ${header[1] ?? '?'}, expected ${FORMAT_VERSION}`)
    const payload = text.slice(newline + 1)
    if (Buffer.byteLength(payload) !== Number(header[3])) throw new ShardFileError('corrupt', 'shard file has the wrong length')
    if (createHash('sha256').update(payload).digest('hex') !== header[2]) throw new ShardFileError('corrupt', 'shard checksum does not match')
    let data: { analysis?: number, documents?: SearchDocument[], index?: object }
    try {
      data = JSON.parse(payload) as typeof data
    } catch {
      throw new ShardFileError('corrupt', 'shard payload is not JSON')
    }
    if (data.analysis !== ANALYSIS_VERSION) throw new ShardFileError('old-format', `shard analysis ${String(data.analysis)}, expected ${ANALYSIS_VERSION}`)
    if (!Array.isArray(data.documents) || data.index === undefined) throw new ShardFileError('corrupt', 'shard payload is incomplete')
    const shard = new Shard()
    for (const document of data.documents) shard.documents.set(document.id, document)
    try {
      shard.#index = lunr.Index.load(data.index)
    } catch {
      throw new ShardFileError('corrupt', 'shard index cannot be loaded')
    }
    return shard
  }

  /** Every document that matches the query and the filters; an empty query matches all. */
  search (query: ParsedQuery, filters: FacetFilters): ShardMatch[] {
    if (this.#index === null) this.build()
    const index = this.#index as lunr.Index
    const positive = query.clauses.filter(clause => clause.presence !== 'prohibited')
    const variants = new Map(query.clauses.map(clause => [clause, clauseVariants(clause)]))

    let candidates: ShardMatch[]
    if (positive.length === 0) {
      candidates = [...this.documents.values()].map(document => ({ document, score: 0, terms: new Set<string>() }))
    } else {
      const results = index.query(builder => {
        for (const clause of positive) {
          for (const variant of variants.get(clause) ?? []) {
            builder.term(variant, {
              fields: clause.fields ?? FIELDS,
              boost: clause.boost,
              // Lunr reads any editDistance, even 0, as fuzzy matching, which ignores wildcards.
              ...(clause.editDistance > 0 ? { editDistance: clause.editDistance } : {}),
              usePipeline: false,
              wildcard: lunr.Query.wildcard.NONE,
              presence: lunr.Query.presence.OPTIONAL
            })
          }
        }
      })
      candidates = []
      for (const result of results) {
        const document = this.documents.get(result.ref)
        if (document !== undefined) candidates.push({ document, score: result.score, terms: new Set(Object.keys(result.matchData.metadata)) })
      }
    }

    // Lunr's own required/prohibited logic works per field and per term; a word with
    // one variant per language needs "any variant in any of the clause's fields".
    for (const clause of query.clauses) {
      if (clause.presence === 'optional') continue
      const matching = this.#documentsMatching(index, clause, variants.get(clause) ?? [])
      const keep = clause.presence === 'required'
      candidates = candidates.filter(candidate => matching.has(candidate.document.id) === keep)
    }
    if (query.phrases.length > 0) {
      candidates = candidates.filter(candidate => {
        const text = phraseText(`${candidate.document.title}\n${candidate.document.summary}\n${candidate.document.body}`)
        return query.phrases.every(phrase => text.includes(` ${phrase} `))
      })
    }
    return candidates.filter(candidate => matchesFilters(candidate.document, filters))
  }

  #documentsMatching (index: lunr.Index, clause: QueryClause, variants: string[]): Set<string> {
    const internals = index as unknown as { tokenSet: lunr.TokenSet, invertedIndex: Record<string, Record<string, Record<string, unknown>>> }
    const tokenSets = lunr.TokenSet as unknown as { fromString: (text: string) => lunr.TokenSet, fromFuzzyString: (text: string, distance: number) => lunr.TokenSet }
    const found = new Set<string>()
    for (const variant of variants) {
      const pattern = clause.editDistance > 0 ? tokenSets.fromFuzzyString(variant, clause.editDistance) : tokenSets.fromString(variant)
      for (const term of internals.tokenSet.intersect(pattern).toArray()) {
        const postings = internals.invertedIndex[term]
        if (postings === undefined) continue
        for (const field of clause.fields ?? FIELDS) {
          for (const id of Object.keys(postings[field] ?? {})) found.add(id)
        }
      }
    }
    return found
  }
}

export function parseForShard (q: string): ParsedQuery {
  return parseQuery(q, FIELDS)
}

/** A result, with the matched terms its snippet will be made from. */
export function toHit (match: ShardMatch): WorkerHit {
  const document = match.document
  const hit: WorkerHit = {
    id: document.id,
    url: document.url,
    title: document.title,
    summary: document.summary,
    snippet: '',
    terms: [...match.terms],
    language: document.language,
    origin: document.origin,
    visibility: document.visibility,
    tags: document.tags,
    updatedAt: document.updatedAt,
    score: match.score
  }
  if (document.lesson !== undefined) hit.lesson = document.lesson
  return hit
}

/** The snippet shows where the page matched. */
export function snippetOf (document: SearchDocument, terms: string[]): string {
  return snippet([document.body, document.summary], document.language, new Set(terms))
}

export function facetValues (document: SearchDocument, facet: FacetName): string[] {
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

function matchesFilters (document: SearchDocument, filters: FacetFilters): boolean {
  for (const [facet, wanted] of Object.entries(filters) as Array<[FacetName, string | undefined]>) {
    if (wanted === undefined) continue
    const values = facetValues(document, facet)
    if (!values.some(value => value.toLowerCase() === wanted.toLowerCase())) return false
  }
  return true
}

function clauseVariants (clause: QueryClause): string[] {
  // A wildcard term cannot be stemmed; it is matched against the stems as written.
  if (clause.term.includes('*')) return [fold(clause.term)]
  return queryVariants(clause.term)
}

function prepare (document: SearchDocument): Prepared {
  const analyser: Analyser = analyserFor(document.language)
  const lesson = document.lesson
  return {
    id: document.id,
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
function normaliseDocument (document: SearchDocument): SearchDocument {
  return {
    ...document,
    title: document.title.normalize('NFC'),
    summary: document.summary.normalize('NFC'),
    body: document.body.normalize('NFC'),
    tags: document.tags.map(tag => tag.normalize('NFC'))
  }
}
