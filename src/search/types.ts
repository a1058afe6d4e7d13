/** One searchable page, local or from another instance, as the index stores it. */
export interface SearchDocument {
  /** Stable across renames: the wiki's page id, or the ActivityPub id of a remote page. */
  id: string
  /** A path on this wiki for local pages, an absolute URL for remote ones. */
  url: string
  title: string
  tags: string[]
  summary: string
  /** The Markdown body stripped to plain text. */
  body: string
  /** 'de', 'en' or any other language tag; others are indexed without stemming. */
  language: string
  /** 'local', or the host of the instance the page came from. */
  origin: string
  /** Kept so results can be filtered once accounts exist; every live page is indexed. */
  visibility: string
  /** ISO 8601. */
  updatedAt: string
  /** Changes whenever the page changes (a revision id); start-up compares it with the sources. */
  version: string
  lesson?: LessonFacets
}

/** The structured fields of a lesson, when the page has them. */
export interface LessonFacets {
  outcome?: string
  field?: string
  place?: string
  programme?: string
  organisation?: string
  /** From `period.from`. */
  year?: number
  impactStep?: number
  coProduction?: string
}

export const FACET_NAMES = ['outcome', 'field', 'place', 'tag', 'year', 'origin', 'language'] as const
export type FacetName = typeof FACET_NAMES[number]
export type FacetFilters = Partial<Record<FacetName, string>>
export interface FacetCount { value: string, count: number }
export type Facets = Record<FacetName, FacetCount[]>

export interface QueryRequest {
  q: string
  filters: FacetFilters
  offset: number
  limit: number
  /** Whether pages with `visibility: local` may appear (signed-in readers); default false. */
  includeLocal?: boolean
}

/** A result as shown to people: the snippet is escaped HTML with `<mark>` around matched words. */
export interface SearchHit {
  id: string
  url: string
  title: string
  summary: string
  snippet: string
  language: string
  origin: string
  visibility: string
  tags: string[]
  updatedAt: string
  score: number
  lesson?: LessonFacets
}

export interface QueryAnswer {
  hits: SearchHit[]
  total: number
  facets: Facets
  /** True when the query could not be read as Lunr syntax and was searched as plain words. */
  relaxed: boolean
}

export function emptyFacets (): Facets {
  return { outcome: [], field: [], place: [], tag: [], year: [], origin: [], language: [] }
}

export type SearchState = 'loading' | 'ready' | 'closed'

export interface SearchStatus {
  state: SearchState
  documents: number
  shards: number
  /** Changes waiting for their shard to be rebuilt. */
  pending: number
  /** Shards read from disk at start. */
  loadedShards: number
  /** Shards built since start. */
  builtShards: number
  /** Shard files found damaged or of an old format, and therefore rebuilt. */
  discardedShards: number
  generation: number
  /** Workers that crashed and whose replacements are loading their shards again; search answers 503 meanwhile. */
  recoveringWorkers: number[]
  /** Workers that crashed too often and are not restarted; search answers 503 until the server restarts. */
  stoppedWorkers: number[]
}
