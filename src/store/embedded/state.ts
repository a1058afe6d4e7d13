import { ObjectId, type Document } from 'mongodb'
import { Query } from 'mingo'
import { duplicateKeyError, EmbeddedNotSupportedError } from './errors.ts'
import { decodeDocument, indexKey, isIndexableScalar, isPlainObject, valuesAtPath } from './values.ts'
import { decodeFields, fieldsRead } from './bson-fields.ts'
import { IdOrder } from './id-order.ts'
import { OrderedTail, type LastFieldRange, type SortDirections } from './ordered-index.ts'
import { queryOptions } from './query.ts'
import type { DocumentSlabs, StoredDocument } from './slabs.ts'

/** The stored document as a new object of the caller's own. */
export function documentOf (stored: StoredDocument): Document {
  return decodeDocument(stored.bytes)
}

/** Documents holding one index key: most keys have one holder, kept without a Set. */
type Holders = string | Set<string>

export function holderKeys (holders: Holders | undefined): Iterable<string> {
  if (holders === undefined) return []
  return typeof holders === 'string' ? [holders] : holders
}

export interface IndexSpec {
  name: string
  key: Record<string, 1 | -1>
  unique?: boolean
  sparse?: boolean
  partialFilterExpression?: Document
}

export class IndexState {
  readonly fields: string[]
  /** The top-level fields its keys and partial filter read, for `decodeFields`; null when that cannot be told. */
  readonly reads: Buffer[] | null
  private readonly partial: Query | null
  /** Full index key → keys of the documents holding it. */
  private readonly entries = new Map<string, Holders>()
  /** First field's value → document keys, for equality lookups on a compound index. */
  private readonly firstField: Map<string, Holders> | null
  /** The `_id` index is the collection's document map itself; it keeps no entries of its own. */
  private readonly byId: Map<string, unknown> | null
  /** A compound index's order after its first field, to serve a sort with a limit. */
  private readonly ordered: OrderedTail | null

  constructor (readonly spec: IndexSpec, documents?: Map<string, unknown>) {
    this.fields = Object.keys(spec.key)
    this.partial = spec.partialFilterExpression ? new Query(spec.partialFilterExpression, queryOptions) : null
    this.reads = fieldsRead(spec.partialFilterExpression ?? {}, this.fields)
    this.firstField = this.fields.length > 1 ? new Map() : null
    this.byId = spec.name === '_id_' && documents ? documents : null
    this.ordered = this.fields.length > 1 && this.coversAllDocuments
      ? new OrderedTail(this.fields.slice(1).map(field => [field, spec.key[field] as 1 | -1]))
      : null
  }

  /** Whether an equality lookup may use this index: it must hold every document. */
  get coversAllDocuments (): boolean {
    return this.partial === null && this.spec.sparse !== true
  }

  private keysOf (document: Document): string[] {
    if (this.partial && !this.partial.test(document)) return []
    const perField = this.fields.map(field => valuesAtPath(document, field))
    if (this.spec.sparse && perField.every(values => values.length === 1 && values[0] === undefined)) return []
    let keys = ['']
    for (const values of perField) {
      const next: string[] = []
      const seen = new Set<string>()
      for (const value of values) {
        const key = indexKey(value)
        if (seen.has(key)) continue
        seen.add(key)
        for (const prefix of keys) next.push(prefix === '' ? key : prefix + '\u0000' + key)
      }
      keys = next
    }
    return keys
  }

  private firstFieldKeys (document: Document): string[] {
    if (this.partial && !this.partial.test(document)) return []
    return [...new Set(valuesAtPath(document, this.fields[0] as string).map(indexKey))]
  }

  /**
   * Full keys are kept where they are needed: to enforce uniqueness, or as
   * the lookup map of a single-field index. A non-unique compound index only
   * answers lookups by its first field.
   */
  private get keepsFullKeys (): boolean {
    return this.spec.unique === true || this.firstField === null
  }

  add (documentKey: string, document: Document): void {
    if (this.byId) return
    if (this.keepsFullKeys) addAll(this.entries, this.keysOf(document), documentKey)
    if (this.firstField) {
      const firstKeys = this.firstFieldKeys(document)
      addAll(this.firstField, firstKeys, documentKey)
      this.ordered?.add(firstKeys, documentKey, document)
    }
  }

  remove (documentKey: string, document: Document): void {
    if (this.byId) return
    if (this.keepsFullKeys) removeAll(this.entries, this.keysOf(document), documentKey)
    if (this.firstField) {
      const firstKeys = this.firstFieldKeys(document)
      removeAll(this.firstField, firstKeys, documentKey)
      this.ordered?.remove(firstKeys, documentKey, document)
    }
  }

  /** Documents whose first field has this value, in the order `sort` asks, or null when this index has no such order. */
  walk (value: unknown, sort: SortDirections, range?: LastFieldRange): Iterable<string> | null {
    return this.ordered?.walk(indexKey(value), sort, range) ?? null
  }

  /** The first key another document already holds, for unique indexes. */
  conflict (documentKey: string, document: Document): boolean {
    if (!this.spec.unique || this.byId) return false
    for (const key of this.keysOf(document)) {
      const holders = this.entries.get(key)
      if (holders === undefined) continue
      if (typeof holders === 'string' ? holders !== documentKey : holders.size > 1 || !holders.has(documentKey)) return true
    }
    return false
  }

  lookup (value: unknown): Holders | undefined {
    return this.lookupKey(indexKey(value))
  }

  /** Documents whose first indexed field has this `indexKey`. */
  lookupKey (key: string): Holders | undefined {
    if (this.byId) return this.byId.has(key) ? key : undefined
    return (this.firstField ?? this.entries).get(key)
  }
}

function addAll (map: Map<string, Holders>, keys: string[], documentKey: string): void {
  for (const key of keys) {
    const holders = map.get(key)
    if (holders === undefined) map.set(key, documentKey)
    else if (typeof holders === 'string') {
      if (holders !== documentKey) map.set(key, new Set([holders, documentKey]))
    } else holders.add(documentKey)
  }
}

function removeAll (map: Map<string, Holders>, keys: string[], documentKey: string): void {
  for (const key of keys) {
    const holders = map.get(key)
    if (holders === undefined) continue
    if (typeof holders === 'string') {
      if (holders === documentKey) map.delete(key)
      continue
    }
    holders.delete(documentKey)
    if (holders.size === 1) map.set(key, holders.values().next().value as string)
    else if (holders.size === 0) map.delete(key)
  }
}

export const ID_INDEX: IndexSpec = { name: '_id_', key: { _id: 1 } }

export class CollectionState {
  readonly documents = new Map<string, StoredDocument>()
  readonly indexes = new Map<string, IndexState>([['_id_', new IndexState(ID_INDEX, this.documents)]])
  readonly idOrder = new IdOrder()
  /** Sum of the stored documents' BSON sizes, to judge when compaction pays. */
  bytes = 0
  private nextSequence = 0
  private indexedFieldsCache: { indexes: IndexState[], fields: Buffer[] | null } | null = null

  constructor (readonly namespace: string, private readonly slabs: DocumentSlabs) {}

  get (documentKey: string): StoredDocument | undefined {
    return this.documents.get(documentKey)
  }

  /**
   * The top-level fields the indexes read, `_id` among them: decoded alone, they give each
   * index the same keys as the whole document would. Null when an index may read any field.
   */
  indexedFields (): Buffer[] | null {
    // Asked at every write: the answer is kept while the indexes are the same ones.
    if (this.indexedFieldsCache !== null && sameElements(this.indexedFieldsCache.indexes, this.indexes)) return this.indexedFieldsCache.fields
    const indexes = [...this.indexes.values()]
    const names = new Map<string, Buffer>([['_id', Buffer.from('_id')]])
    let fields: Buffer[] | null = null
    if (indexes.every(index => index.reads !== null)) {
      for (const index of indexes) for (const name of index.reads!) names.set(name.toString('utf8'), name)
      fields = [...names.values()]
    }
    this.indexedFieldsCache = { indexes, fields }
    return fields
  }

  /** What the indexes read of a stored document: its indexed fields, or the whole when those cannot be told. */
  indexedDocument (bytes: Buffer): Document {
    const fields = this.indexedFields()
    return fields === null ? decodeDocument(bytes) : decodeFields(bytes, fields)
  }

  /** Throws the server's duplicate-key error if `document` would break a unique index. */
  checkUnique (documentKey: string, document: Document): void {
    for (const index of this.indexes.values()) {
      if (index.conflict(documentKey, document)) throw this.duplicateKey(index, document)
    }
  }

  private duplicateKey (index: IndexState, document: Document): Error {
    const keyValue: Record<string, unknown> = {}
    for (const field of index.fields) keyValue[field] = valuesAtPath(document, field)[0] ?? null
    return duplicateKeyError(this.namespace, index.spec.name, index.spec.key, keyValue)
  }

  /**
   * Stores `stored` under `documentKey`. `document` is its decoded form, whole or its indexed
   * fields alone (`indexedDocument`), read for the indexes' keys; `previousDocument` is what
   * it replaces, decoded likewise, when the caller has it.
   */
  put (documentKey: string, stored: StoredDocument, document: Document, previousDocument?: Document): void {
    const previous = this.documents.get(documentKey)
    if (previous) {
      this.unindex(documentKey, previous, previousDocument)
      this.bytes -= previous.length
      this.slabs.release(previous)
      stored.sequence = previous.sequence
    } else {
      stored.sequence = this.nextSequence++
      this.idOrder.add(documentKey)
    }
    this.documents.set(documentKey, stored)
    this.bytes += stored.length
    for (const index of this.indexes.values()) index.add(documentKey, document)
  }

  delete (documentKey: string): void {
    const previous = this.documents.get(documentKey)
    if (!previous) return
    this.unindex(documentKey, previous)
    this.idOrder.remove(documentKey)
    this.documents.delete(documentKey)
    this.bytes -= previous.length
    this.slabs.release(previous)
  }

  /** The collection is dropped: its documents' bytes are no longer live. */
  releaseAll (): void {
    for (const stored of this.documents.values()) this.slabs.release(stored)
  }

  /** Takes a document out of the indexes, which find its keys in its values: decoded only when an index beside `_id` needs them. */
  private unindex (documentKey: string, stored: StoredDocument, decoded?: Document): void {
    if (this.indexes.size === 1) return
    const document = decoded ?? this.indexedDocument(stored.bytes)
    for (const index of this.indexes.values()) index.remove(documentKey, document)
  }

  addIndex (spec: IndexSpec): IndexState {
    const index = new IndexState(spec)
    for (const [documentKey, stored] of this.documents) {
      const document = documentOf(stored)
      if (index.conflict(documentKey, document)) throw this.duplicateKey(index, document)
      index.add(documentKey, document)
    }
    this.indexes.set(spec.name, index)
    return index
  }

  /**
   * The documents a filter can match: from an index when the filter pins an
   * indexed field to one value (or a few with `$in`), else every document.
   * The caller still tests each candidate against the whole filter.
   */
  candidates (filter: Document): Iterable<[string, StoredDocument]> {
    const best = this.indexedCandidates(filter)
    if (best === null) return this.documents
    const found: Array<[string, StoredDocument]> = []
    for (const documentKey of best) {
      const stored = this.documents.get(documentKey)
      if (stored) found.push([documentKey, stored])
    }
    // Index order is not insertion order: keep the natural order a scan gives.
    if (found.length > 1) found.sort((left, right) => left[1].sequence - right[1].sequence)
    return found
  }

  /** The keys of the documents a filter can match, as the narrowest index gives them; null when no index serves it. */
  indexedCandidates (filter: Document): Set<string> | null {
    const equalities = equalityConditions(filter)
    if (equalities.size === 0) return null
    let best: Set<string> | null = null
    for (const index of this.indexes.values()) {
      if (!index.coversAllDocuments) continue
      const values = equalities.get(index.fields[0] as string)
      if (!values) continue
      const found = new Set<string>()
      for (const value of values) {
        for (const documentKey of holderKeys(index.lookup(value))) found.add(documentKey)
      }
      if (best === null || found.size < best.size) best = found
      if (best.size === 0) break
    }
    return best
  }
}

/**
 * The documents a filter can match in the order of `sort`, from a compound index whose
 * first field the filter pins to one value and whose other fields are the sort, or, for a
 * sort by `_id` alone that no index narrows, from the collection's `_id` order; null
 * when nothing has that order. The caller tests each candidate and may stop early.
 */
export function orderedCandidates (state: CollectionState, filter: Document, sort: SortDirections): Iterable<StoredDocument> | null {
  const equalities = equalityConditions(filter)
  for (const index of state.indexes.values()) {
    const values = equalities.get(index.fields[0] as string)
    if (values?.length !== 1) continue
    const walk = index.walk(values[0], sort, objectIdRange(filter, index.fields.at(-1) as string))
    if (walk !== null) return storedOf(state, walk)
  }
  const [only] = sort
  if (sort.length === 1 && only?.[0] === '_id' && state.indexedCandidates(filter) === null) {
    const walk = state.idOrder.walk(only[1], objectIdRange(filter, '_id'))
    if (walk !== null) return storedOf(state, walk)
  }
  return null
}

/**
 * The ObjectId bounds a filter sets on `path` at its top level (how activitypub-express
 * asks for the page after an id). Only ObjectIds: a bound of another type would compare
 * across types, where the index's order and the query's matching need not agree.
 */
function objectIdRange (filter: Document, path: string): LastFieldRange {
  const condition = filter[path]
  const range: LastFieldRange = {}
  if (!isPlainObject(condition)) return range
  for (const operator of ['$lt', '$lte', '$gt', '$gte'] as const) {
    if (condition[operator] instanceof ObjectId) range[operator] = condition[operator]
  }
  return range
}

function * storedOf (state: CollectionState, documentKeys: Iterable<string>): Iterable<StoredDocument> {
  for (const documentKey of documentKeys) {
    const stored = state.get(documentKey)
    if (stored) yield stored
  }
}

/**
 * Values of an `$in` looked up in an index one by one. Past this, a scan is taken; below it the
 * lookups cost far less than a scan that tests every document against the whole list (a page of
 * 200 ids took a second over 2,000 pages, each test hashing the list).
 */
const MAX_INDEXED_IN = 1000

/** Paths the filter pins to indexable values: `{ a: 1 }`, `{ a: { $eq: 1 } }`, `{ a: { $in: [...] } }`, inside `$and` too. */
function equalityConditions (filter: Document, into = new Map<string, unknown[]>()): Map<string, unknown[]> {
  for (const [path, condition] of Object.entries(filter)) {
    if (path === '$and' && Array.isArray(condition)) {
      for (const clause of condition) if (isPlainObject(clause)) equalityConditions(clause, into)
      continue
    }
    if (path.startsWith('$')) continue
    if (isIndexableScalar(condition)) {
      into.set(path, [condition])
    } else if (isPlainObject(condition)) {
      const operators = Object.keys(condition)
      if (operators.length === 1 && operators[0] === '$eq' && isIndexableScalar(condition.$eq)) {
        into.set(path, [condition.$eq])
      } else if (operators.length === 1 && operators[0] === '$in' && Array.isArray(condition.$in) &&
        condition.$in.length <= MAX_INDEXED_IN && condition.$in.every(isIndexableScalar)) {
        into.set(path, condition.$in)
      }
    }
  }
  return into
}

export function notSupportedIndexKey (field: string, kind: unknown): EmbeddedNotSupportedError {
  return new EmbeddedNotSupportedError(`index type ${JSON.stringify(kind)} on field ${field} (only ascending and descending indexes)`)
}

function sameElements<T> (list: readonly T[], map: ReadonlyMap<unknown, T>): boolean {
  if (list.length !== map.size) return false
  let position = 0
  for (const element of map.values()) if (element !== list[position++]) return false
  return true
}
