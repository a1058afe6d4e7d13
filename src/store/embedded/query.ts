import { LRUCache } from 'lru-cache'
import { BSON, type Document } from 'mongodb'
import { Aggregator, Query } from 'mingo'
import type { Options } from 'mingo/types'
import { EmbeddedNotSupportedError, serverError } from './errors.ts'
import { compileFieldProjection } from './projection.ts'
import { sortByKeys, type SortSpec } from './sort.ts'
import { indexKey, isIndexableScalar, isPlainObject, valuesAtPath } from './values.ts'

/** Scripts ($where, $function, $accumulator) never run inside the engine. */
export const queryOptions: Partial<Options> = { scriptEnabled: false }

// Query operators MongoDB knows that mingo does not evaluate (or that need a server).
const SERVER_ONLY_OPERATORS = new Set([
  '$text', '$where', '$near', '$nearSphere', '$geoWithin', '$geoIntersects', '$jsonSchema', '$rand', '$natural',
  '$box', '$center', '$centerSphere', '$geometry', '$maxDistance', '$minDistance', '$polygon', '$search'
])

function findOperators (value: unknown, found: Set<string>, depth = 0): void {
  if (depth > 100) throw serverError(15, 'Overflow', 'filter nested too deeply')
  if (Array.isArray(value)) {
    for (const element of value) findOperators(element, found, depth + 1)
  } else if (isPlainObject(value)) {
    for (const [key, inner] of Object.entries(value)) {
      if (key.startsWith('$')) found.add(key)
      findOperators(inner, found, depth + 1)
    }
  }
}

function rejectServerOnly (expression: unknown, what: string): void {
  const operators = new Set<string>()
  findOperators(expression, operators)
  for (const operator of operators) {
    if (SERVER_ONLY_OPERATORS.has(operator)) throw new EmbeddedNotSupportedError(`the ${operator} operator in ${what}`)
  }
}

/** Turns mingo's complaints into the errors a MongoDB server would give. */
function asServerError (error: unknown, what: string): Error {
  if (error instanceof EmbeddedNotSupportedError) return error
  const message = (error as Error).message ?? String(error)
  const unknown = /unknown (?:top level |query )?operator:? (\$\w+)/i.exec(message)
  if (unknown) {
    return serverError(2, 'BadValue', /top level/.test(message) ? `unknown top level operator: ${unknown[1]}` : `unknown operator: ${unknown[1]}`)
  }
  return serverError(2, 'BadValue', `invalid ${what}: ${message}`)
}

/** What the engine needs of a compiled filter. */
export interface CompiledFilter {
  test: (document: Document) => boolean
}

const MATCH_ALL: CompiledFilter = { test: () => true }

/**
 * Filters that only pin fields to scalars, or top-level fields to null
 * (`{ slug: 'a', deletedAt: null }`), are the common case on every page view and
 * every incoming activity; they are tested directly, with MongoDB's equality (array
 * elements match, numbers compare by value; null matches a missing field, a null and
 * an array holding null, not an empty array), instead of compiling a mingo query each time.
 */
function compileEqualities (filter: Document): CompiledFilter | null {
  const entries = Object.entries(filter)
  if (entries.length === 0) return MATCH_ALL
  if (entries.length > 8) return null
  const conditions: Array<[string, string]> = []
  const nulls: string[] = []
  for (const [path, value] of entries) {
    if (path.startsWith('$')) return null
    if (value === null && !path.includes('.') && path !== '__proto__') nulls.push(path)
    else if (isIndexableScalar(value)) conditions.push([path, indexKey(value)])
    else return null
  }
  return {
    test: document => nulls.every(path => isNullOrMissing(Object.hasOwn(document as Document, path) ? (document as Document)[path] : undefined)) &&
      conditions.every(([path, key]) => valuesAtPath(document, path).some(value => indexKey(value) === key))
  }
}

function isNullOrMissing (value: unknown): boolean {
  return value === undefined || value === null || (Array.isArray(value) && value.includes(null))
}

/**
 * Compiled mingo queries by filter. Building one costs about 20 µs (mingo copies its
 * operator tables for each), more than testing it against a few documents, and the app
 * and activitypub-express ask the same few shapes with the same values again and again.
 * A query is a pure test once built, so sharing one is safe; `$expr` is left out, since
 * it may read the time of compiling ($$NOW).
 */
const compiledQueries = new LRUCache<string, Query>({ max: 1000 })

export function compileFilter (filter: Document | undefined): CompiledFilter {
  const simple = compileEqualities(filter ?? {})
  if (simple) return simple
  const condition: Document = { ...(filter ?? {}) }
  delete condition.$comment
  rejectServerOnly(condition, 'a filter')
  const key = cacheKeyOf(condition)
  const known = key === null ? undefined : compiledQueries.get(key)
  if (known !== undefined) return known
  try {
    const query = new Query(condition, queryOptions)
    if (key !== null) compiledQueries.set(key, query)
    return query
  } catch (error) {
    throw asServerError(error, 'filter')
  }
}

/**
 * Canonical Extended JSON tells apart what plain JSON would not (an ObjectId from its
 * hex string, a Date from an ISO string). Null for a filter it could confuse with
 * another: values JSON drops (`{ a: undefined }` would read as `{}`), BSON number and
 * regular expression wrappers (written like plain numbers and RegExps, which mingo
 * compares differently), and `$expr`.
 */
function cacheKeyOf (condition: Document): string | null {
  if (!writesExactly(condition, 0)) return null
  const key = BSON.EJSON.stringify(condition, { relaxed: false })
  return key.includes('"$expr"') ? null : key
}

function writesExactly (value: unknown, depth: number): boolean {
  if (depth > 20) return false
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return true
  if (value instanceof Date || value instanceof RegExp) return true
  if (Array.isArray(value)) return value.every(element => writesExactly(element, depth + 1))
  if (typeof value !== 'object') return false
  const bsonType = (value as { _bsontype?: unknown })._bsontype
  if (bsonType !== undefined) return bsonType === 'ObjectId' || bsonType === 'ObjectID'
  return Object.values(value).every(element => writesExactly(element, depth + 1))
}

/** Projections only need mingo's projection, not a condition: one empty query serves them all. */
const projector = new Query({}, queryOptions)

/** Accepts the sort shapes the driver accepts, as a plain `{ field: 1 | -1 }`. */
export function normalizeSort (sort: unknown): SortSpec | undefined {
  if (sort === undefined || sort === null) return undefined
  const spec: SortSpec = {}
  const direction = (field: string, value: unknown): void => {
    if (value === 1 || value === 'asc' || value === 'ascending') spec[field] = 1
    else if (value === -1 || value === 'desc' || value === 'descending') spec[field] = -1
    else if (isPlainObject(value) && '$meta' in value) throw new EmbeddedNotSupportedError('sorting by $meta')
    else throw serverError(2, 'BadValue', `$sort key ordering must be 1 (for ascending) or -1 (for descending): ${field}`)
  }
  if (typeof sort === 'string') {
    direction(sort, 1)
  } else if (Array.isArray(sort)) {
    if (sort.length === 2 && typeof sort[0] === 'string' && !Array.isArray(sort[1])) direction(sort[0], sort[1])
    else for (const entry of sort) Array.isArray(entry) ? direction(String(entry[0]), entry[1]) : direction(String(entry), 1)
  } else if (sort instanceof Map) {
    for (const [field, value] of sort) direction(String(field), value)
  } else if (isPlainObject(sort)) {
    for (const [field, value] of Object.entries(sort)) direction(field, value)
  } else {
    throw serverError(2, 'BadValue', 'sort must be an object')
  }
  return Object.keys(spec).length > 0 ? spec : undefined
}

export interface FindShape {
  sort?: SortSpec
  skip?: number
  limit?: number
  projection?: Document
}

/** Sorts with MongoDB's order; the returned array holds the same objects. */
export function sortDocuments (documents: Document[], sort: SortSpec | undefined, limit?: number): Document[] {
  if (!sort || documents.length < 2) return documents
  return sortByKeys(documents, sort, limit)
}

/**
 * Sorts, skips, limits and projects matched documents with find semantics.
 * The documents must be the caller's own (decoded for this read): projected
 * documents share their values, and mingo removes excluded nested fields in place.
 */
export function shapeResults (documents: Document[], shape: FindShape): Document[] {
  const skip = shape.skip ?? 0
  const wanted = shape.limit ? skip + Math.abs(shape.limit) : undefined
  let results = sortDocuments(documents, shape.sort, wanted)
  if (skip > 0 || (shape.limit !== undefined && shape.limit !== 0)) results = results.slice(skip, wanted)
  if (shape.projection && Object.keys(shape.projection).length > 0) {
    const project = isPlainObject(shape.projection) ? compileFieldProjection(shape.projection) : null
    if (project) return results.map(project)
    rejectServerOnly(shape.projection, 'a projection')
    try {
      results = projector.find(results, shape.projection).all() as Document[]
    } catch (error) {
      throw asServerError(error, 'projection')
    }
  }
  return results
}

export function runStages (documents: Document[], stages: Document[], what: string): Document[] {
  rejectServerOnly(stages, `a ${what}`)
  try {
    return new Aggregator(stages, queryOptions).run(documents) as Document[]
  } catch (error) {
    throw asServerError(error, what)
  }
}
