import { setImmediate as yieldToEventLoop } from 'node:timers/promises'
import { ObjectId, type Document } from 'mongodb'
import { checkPipeline, runPipeline, stageName } from './aggregate.ts'
import { decodeFields, fieldsRead } from './bson-fields.ts'
import { EmbeddedAggregationCursor, EmbeddedFindCursor, EmbeddedListCursor } from './cursor.ts'
import { type Change, type Engine, PreparedDocument, storedDocument } from './engine.ts'
import { duplicateKeyError, EmbeddedNotSupportedError, invalidArgument, serverError } from './errors.ts'
import { OpCode } from './journal-format.ts'
import { compileFilter, type CompiledFilter, normalizeSort, shapeResults, sortDocuments, type FindShape } from './query.ts'
import type { SortSpec } from './sort.ts'
import type { StoredDocument } from './slabs.ts'
import { type CollectionState, documentOf, type IndexSpec, notSupportedIndexKey, orderedCandidates } from './state.ts'
import { applyUpdate, checkReplacement, checkUpdateDocument, upsertSeed, validateUpdate } from './update.ts'
import { cloneValue, indexKey, isPlainObject, roundTrip, valuesAtPath } from './values.ts'

// Options that change nothing about the result on a single embedded node
// (of writeConcern, only `journal: false` is heeded: see waitsForJournal).
const HARMLESS_OPTIONS = [
  'session', 'writeConcern', 'readConcern', 'readPreference', 'maxTimeMS', 'comment', 'bypassDocumentValidation',
  'willRetryWrite', 'retryWrites', 'batchSize', 'maxAwaitTimeMS', 'noCursorTimeout', 'allowDiskUse', 'timeout',
  'checkKeys', 'serializeFunctions', 'enableUtf8Validation', 'background', 'omitReadPreference', 'dbName',
  'authdb', 'fieldsAsRaw', 'promoteValues', 'promoteLongs', 'promoteBuffers', 'bsonRegExp', 'useBigInt64'
]

function checkOptions (method: string, options: Document | undefined, supported: string[]): Document {
  if (options === undefined || options === null) return {}
  if (!isPlainObject(options)) throw invalidArgument(`${method} options must be an object`)
  for (const [name, value] of Object.entries(options)) {
    if (value === undefined || supported.includes(name) || HARMLESS_OPTIONS.includes(name)) continue
    if (name === 'ignoreUndefined' && value === false) continue
    if (name === 'raw' && value === false) continue
    throw new EmbeddedNotSupportedError(`the ${name} option of ${method}`)
  }
  return options
}

/**
 * False when the write concern asks not to wait for the journal (`journal: false`, or the
 * older `j: false`): the write is acknowledged once applied, and made durable by the next
 * write that waits, as a server's journal holds every earlier write when a later one is in it.
 */
function waitsForJournal (settings: Document): boolean {
  const concern: unknown = settings.writeConcern
  if (typeof concern !== 'object' || concern === null) return true
  const { journal, j } = concern as { journal?: unknown, j?: unknown }
  return journal !== false && j !== false
}

function checkFilter (filter: unknown): Document {
  if (filter === undefined || filter === null) return {}
  if (!isPlainObject(filter)) throw invalidArgument('Argument "filter" must be an object')
  return roundTrip(filter)
}

export interface UpdateResultShape {
  acknowledged: true
  matchedCount: number
  modifiedCount: number
  upsertedCount: number
  upsertedId: ObjectId | unknown | null
}

interface ModifyOutcome {
  matchedCount: number
  modifiedCount: number
  upsertedId?: unknown
  before: Document | null
  /** Decoded only if the caller asks for the document after the change. */
  after: Document | PreparedDocument | null
}

type Modification = { update: Document } | { replacement: Document }

/** A document that matched a filter: its key, its stored bytes and their decoding, the read's own copy. */
interface Match {
  readonly key: string
  readonly stored: StoredDocument
  readonly document: Document
}

/**
 * A collection of the embedded engine with the MongoDB driver's API.
 * Every operation yields to the event loop at least once, as real I/O would,
 * so work scheduled by a caller's callbacks runs in the order it would on MongoDB.
 */
export class EmbeddedCollection<TSchema extends Document = Document> {
  readonly namespace: string

  constructor (private readonly engine: Engine, readonly dbName: string, readonly collectionName: string) {
    this.namespace = `${dbName}.${collectionName}`
  }

  private get state (): CollectionState | undefined {
    return this.engine.collection(this.namespace)
  }

  private async begin (): Promise<void> {
    this.engine.checkOpen()
    await yieldToEventLoop()
    this.engine.checkOpen()
  }

  /** The documents that match, in natural order; the first `enough` of them when no more are wanted. */
  private matching (query: CompiledFilter, filter: Document, enough = Infinity): Match[] {
    const state = this.state
    if (!state) return []
    const fields = fieldsRead(filter)
    const found: Match[] = []
    for (const [key, stored] of state.candidates(filter)) {
      // Each candidate is decoded to be tested: stop once the caller has what it needs.
      if (found.length >= enough) break
      if (fields !== null && !query.test(decodeFields(stored.bytes, fields))) continue
      const document = documentOf(stored)
      if (fields === null && !query.test(document)) continue
      found.push({ key, stored, document })
    }
    return found
  }

  /**
   * The first `wanted` matches in the order of `sort` when no index holds that order: the
   * candidates are tested and sorted by the fields the filter and sort read, and only the
   * documents kept are decoded whole.
   */
  private sortedMatches (query: CompiledFilter, filter: Document, sort: SortSpec, wanted: number): Document[] {
    const state = this.state
    const fields = fieldsRead(filter, Object.keys(sort))
    if (!state || fields === null) return sortDocuments(this.matching(query, filter).map(match => match.document), sort, wanted)
    const storedOf = new Map<Document, StoredDocument>()
    for (const [, stored] of state.candidates(filter)) {
      const partial = decodeFields(stored.bytes, fields)
      if (query.test(partial)) storedOf.set(partial, stored)
    }
    return sortDocuments([...storedOf.keys()], sort, wanted).map(partial => documentOf(storedOf.get(partial) as StoredDocument))
  }

  /** How many documents match, each tested by the fields the filter reads. */
  private countMatching (query: CompiledFilter, filter: Document): number {
    const state = this.state
    if (!state) return 0
    const fields = fieldsRead(filter)
    let count = 0
    for (const [, stored] of state.candidates(filter)) {
      if (query.test(fields === null ? documentOf(stored) : decodeFields(stored.bytes, fields))) count++
    }
    return count
  }

  /**
   * The first `wanted` matches in the order of `sort`, read from an index that holds
   * that order, testing candidates only until enough are found; null without such an index.
   */
  private firstMatches (query: CompiledFilter, filter: Document, sort: Document | undefined, wanted: number): Document[] | null {
    const state = this.state
    if (!state || !sort || !(wanted > 0)) return null
    const candidates = orderedCandidates(state, filter, Object.entries(sort) as Array<[string, 1 | -1]>)
    if (candidates === null) return null
    const found: Document[] = []
    for (const stored of candidates) {
      if (found.length >= wanted) break
      const document = documentOf(stored)
      if (query.test(document)) found.push(document)
    }
    return found
  }

  private sortMatches (matches: Match[], sort: unknown): Match[] {
    const spec = normalizeSort(sort)
    if (!spec || matches.length < 2) return matches
    const byDocument = new Map(matches.map(match => [match.document, match]))
    return sortDocuments(matches.map(match => match.document), spec)
      .map(document => byDocument.get(document) as Match)
  }

  /** A copy for the caller: the document may also be held by the indexes (the new version of a write). */
  private present (document: Document | null, projection?: Document): any {
    if (document === null) return null
    return shapeResults([cloneValue(document)], { projection })[0] ?? null
  }

  private checkHint (hint: unknown): void {
    if (hint === undefined) return
    const indexes = [...(this.state?.indexes.values() ?? [])]
    const found = typeof hint === 'string'
      ? indexes.some(index => index.spec.name === hint)
      : isPlainObject(hint) && indexes.some(index => JSON.stringify(index.spec.key) === JSON.stringify(hint))
    if (!found) throw serverError(2, 'BadValue', 'hint provided does not correspond to an existing index')
  }

  // ---- inserts ----

  private prepareInsert (document: unknown, forceServerObjectId: boolean, state: CollectionState): { key: string, stored: PreparedDocument, indexed: Document } {
    if (!isPlainObject(document)) throw invalidArgument('Document must be an object')
    let id = document._id
    if (id === undefined) {
      id = new ObjectId()
      if (!forceServerObjectId) document._id = id
    }
    const { _id: ignored, ...fields } = document
    checkStorableKeys(fields)
    const stored = storedDocument({ _id: id, ...fields })
    const indexed = state.indexedDocument(stored.bytes)
    const storedId = indexed._id
    if (Array.isArray(storedId)) throw serverError(2, 'BadValue', "can't use an array for _id")
    if (storedId instanceof RegExp) throw serverError(2, 'BadValue', "can't use a regex for _id")
    if (isPlainObject(storedId) && Object.keys(storedId).some(key => key.startsWith('$'))) {
      throw serverError(52, 'DollarPrefixedFieldName', "_id fields may not contain '$'-prefixed fields")
    }
    const key = indexKey(storedId)
    if (state.documents.has(key)) throw duplicateKeyError(this.namespace, '_id_', { _id: 1 }, { _id: storedId })
    state.checkUnique(key, indexed)
    return { key, stored, indexed }
  }

  async insertOne (document: TSchema, options?: Document): Promise<{ acknowledged: true, insertedId: any }> {
    const settings = checkOptions('insertOne', options, ['forceServerObjectId'])
    await this.begin()
    const state = this.engine.ensureCollection(this.namespace)
    const { key, stored, indexed } = this.prepareInsert(document, settings.forceServerObjectId === true, state)
    await this.engine.commit([{ code: OpCode.Put, namespace: this.namespace, documentKey: key, stored, indexed }], waitsForJournal(settings))
    return { acknowledged: true, insertedId: (document as Document)._id }
  }

  async insertMany (documents: TSchema[], options?: Document): Promise<{ acknowledged: true, insertedCount: number, insertedIds: Record<number, any> }> {
    const settings = checkOptions('insertMany', options, ['forceServerObjectId', 'ordered'])
    if (!Array.isArray(documents)) throw invalidArgument('Argument "docs" must be an array of documents')
    await this.begin()
    const state = this.engine.ensureCollection(this.namespace)
    const ordered = settings.ordered !== false
    const ops: Buffer[] = []
    const insertedIds: Record<number, any> = {}
    const writeErrors: Document[] = []
    for (const [position, document] of documents.entries()) {
      try {
        const { key, stored, indexed } = this.prepareInsert(document, settings.forceServerObjectId === true, state)
        ops.push(this.engine.apply({ code: OpCode.Put, namespace: this.namespace, documentKey: key, stored, indexed }))
        insertedIds[position] = (document as Document)._id
      } catch (error) {
        if ((error as Error).name !== 'MongoServerError') {
          await this.engine.append(ops)
          throw error
        }
        writeErrors.push({ index: position, code: (error as Document).code, errmsg: (error as Error).message, error })
        if (ordered) break
      }
    }
    await this.engine.append(ops, waitsForJournal(settings))
    if (writeErrors.length > 0) {
      const first = writeErrors[0] as Document
      const error = first.error as Error & Document
      error.writeErrors = writeErrors.map(({ error: ignored, ...writeError }) => writeError)
      error.result = { insertedCount: ops.length, insertedIds }
      error.insertedCount = ops.length
      error.insertedIds = insertedIds
      throw error
    }
    return { acknowledged: true, insertedCount: ops.length, insertedIds }
  }

  // ---- reads ----

  find (filter?: Document, options?: Document): EmbeddedFindCursor<any> {
    // As with a server, problems with the query surface when the cursor is read.
    const shape: FindShape = {}
    let settings: Document = {}
    let problem: unknown = null
    try {
      settings = checkOptions('find', options, ['sort', 'skip', 'limit', 'projection', 'hint'])
      Object.assign(shape, { sort: normalizeSort(settings.sort), skip: settings.skip, limit: settings.limit, projection: settings.projection })
    } catch (error) {
      problem = error
    }
    return new EmbeddedFindCursor(shape, async currentShape => {
      if (problem) throw problem
      const checkedFilter = checkFilter(filter)
      await this.begin()
      this.checkHint(settings.hint)
      const query = compileFilter(checkedFilter)
      const wanted = (currentShape.skip ?? 0) + Math.abs(currentShape.limit ?? 0)
      const limited = currentShape.limit ? wanted : 0
      const matched = this.firstMatches(query, checkedFilter, currentShape.sort, limited) ??
        (currentShape.sort && limited > 0
          ? this.sortedMatches(query, checkedFilter, currentShape.sort, limited)
          : this.matching(query, checkedFilter, limited > 0 ? limited : Infinity).map(match => match.document))
      return shapeResults(matched, currentShape)
    })
  }

  async findOne (filter?: Document, options?: Document): Promise<any> {
    const cursor = this.find(filter, { ...(options ?? {}), limit: -1 })
    return cursor.next()
  }

  async countDocuments (filter?: Document, options?: Document): Promise<number> {
    const settings = checkOptions('countDocuments', options, ['skip', 'limit', 'hint'])
    const checkedFilter = checkFilter(filter)
    await this.begin()
    this.checkHint(settings.hint)
    // Counting them all needs no document decoded.
    const count = Object.keys(checkedFilter).length === 0
      ? this.state?.documents.size ?? 0
      : this.countMatching(compileFilter(checkedFilter), checkedFilter)
    const afterSkip = Math.max(0, count - (settings.skip ?? 0))
    return settings.limit ? Math.min(afterSkip, settings.limit) : afterSkip
  }

  async estimatedDocumentCount (options?: Document): Promise<number> {
    checkOptions('estimatedDocumentCount', options, [])
    await this.begin()
    return this.state?.documents.size ?? 0
  }

  async distinct (key: string, filter?: Document, options?: Document): Promise<any[]> {
    checkOptions('distinct', options, [])
    const checkedFilter = checkFilter(filter)
    await this.begin()
    const values = new Map<string, unknown>()
    for (const { document } of this.matching(compileFilter(checkedFilter), checkedFilter)) {
      for (const value of valuesAtPath(document, key)) {
        if (value === undefined) continue
        const valueKey = indexKey(value)
        if (!values.has(valueKey)) values.set(valueKey, value)
      }
    }
    return [...values.values()].map(cloneValue)
  }

  aggregate (pipeline?: Document[], options?: Document): EmbeddedAggregationCursor<any> {
    return new EmbeddedAggregationCursor(async () => {
      checkOptions('aggregate', options, [])
      const stages = pipeline ?? []
      checkPipeline(stages)
      await this.begin()
      const normalized = roundTrip({ stages }).stages as Document[]
      let remaining = normalized
      let input: Document[]
      const first = normalized[0]
      if (first && stageName(first) === '$match') {
        const filter = first.$match as Document
        const [, sort, limit] = normalized
        // $match, $sort, $limit (how activitypub-express reads a page of a stream) can stop early.
        const sortSpec = sort && stageName(sort) === '$sort' ? normalizeSort(sort.$sort) : undefined
        const top = sortSpec && limit && stageName(limit) === '$limit' && typeof limit.$limit === 'number' && limit.$limit > 0
          ? this.firstMatches(compileFilter(filter), filter, sortSpec, limit.$limit) ?? this.sortedMatches(compileFilter(filter), filter, sortSpec, limit.$limit)
          : null
        input = top ?? this.matching(compileFilter(filter), filter).map(match => match.document)
        remaining = normalized.slice(1)
      } else {
        input = [...(this.state?.documents.values() ?? [])].map(documentOf)
      }
      const database = this.dbName
      return runPipeline(input, remaining, name => this.engine.collection(`${database}.${name}`))
    })
  }

  // ---- updates ----

  /**
   * The one place documents change: matches, applies the update or
   * replacement, checks unique indexes, upserts, and journals all of it.
   */
  private async modify (filter: unknown, modification: Modification, options: { multi: boolean, upsert: boolean, arrayFilters?: Document[], sort?: unknown, durable: boolean }): Promise<ModifyOutcome> {
    const checkedFilter = checkFilter(filter)
    let update: Document | undefined
    let replacement: Document | undefined
    if ('update' in modification) {
      checkUpdateDocument(modification.update)
      update = roundTrip(modification.update)
      validateUpdate(update)
    } else {
      checkReplacement(modification.replacement)
      replacement = roundTrip(modification.replacement)
    }
    const arrayFilters = options.arrayFilters === undefined ? undefined : roundTrip({ list: options.arrayFilters }).list as Document[]
    await this.begin()
    const query = compileFilter(checkedFilter)
    let matches = this.sortMatches(this.matching(query, checkedFilter, options.multi || options.sort ? Infinity : 1), options.sort)
    if (!options.multi) matches = matches.slice(0, 1)

    const state = this.engine.ensureCollection(this.namespace)
    const ops: Buffer[] = []
    const outcome: ModifyOutcome = { matchedCount: matches.length, modifiedCount: 0, before: null, after: null }
    try {
      for (const { key, stored, document } of matches) {
        const next = update
          ? applyUpdate(document, update, { filter: checkedFilter, arrayFilters, inserting: false })
          : { document: { _id: document._id, ...withoutId(replacement as Document) }, modified: true }
        if (outcome.before === null) outcome.before = document
        checkStorableKeys(next.document)
        const nextStored = storedDocument(next.document)
        if (!update && indexKey(nextStored.document._id) !== key) {
          throw serverError(66, 'ImmutableField', "After applying the update, the (immutable) field '_id' was found to have been altered")
        }
        // mingo reports touched paths; a byte comparison settles whether anything really changed.
        const changed = next.modified && !nextStored.bytes.equals(stored.bytes)
        if (changed) {
          const indexed = state.indexedDocument(nextStored.bytes)
          state.checkUnique(key, indexed)
          ops.push(this.engine.apply({ code: OpCode.Put, namespace: this.namespace, documentKey: key, stored: nextStored, indexed, previous: document }))
          outcome.modifiedCount++
        }
        if (outcome.after === null) outcome.after = changed ? nextStored : document
      }
      if (matches.length === 0 && options.upsert) {
        const seed = upsertSeed(checkedFilter)
        const document = update
          ? applyUpdate(seed, update, { filter: checkedFilter, arrayFilters, inserting: true }).document
          : { ...('_id' in seed ? { _id: seed._id } : {}), ...(replacement as Document) }
        const id = document._id === undefined ? new ObjectId() : document._id
        const { key, stored, indexed } = this.prepareInsert({ ...document, _id: id }, false, state)
        ops.push(this.engine.apply({ code: OpCode.Put, namespace: this.namespace, documentKey: key, stored, indexed }))
        outcome.upsertedId = indexed._id
        outcome.after = stored
      }
    } catch (error) {
      // Documents changed before the failing one stay changed, as on a server; make them durable first.
      await this.engine.append(ops)
      throw error
    }
    await this.engine.append(ops, options.durable)
    return outcome
  }

  private updateResult (outcome: ModifyOutcome): UpdateResultShape {
    const upserted = outcome.upsertedId !== undefined
    return {
      acknowledged: true,
      matchedCount: outcome.matchedCount,
      modifiedCount: outcome.modifiedCount,
      upsertedCount: upserted ? 1 : 0,
      upsertedId: upserted ? cloneValue(outcome.upsertedId) : null
    }
  }

  async updateOne (filter: Document, update: Document, options?: Document): Promise<UpdateResultShape> {
    const settings = checkOptions('updateOne', options, ['upsert', 'arrayFilters', 'hint'])
    return this.updateResult(await this.modify(filter, { update }, { multi: false, upsert: settings.upsert === true, arrayFilters: settings.arrayFilters, durable: waitsForJournal(settings) }))
  }

  async updateMany (filter: Document, update: Document, options?: Document): Promise<UpdateResultShape> {
    const settings = checkOptions('updateMany', options, ['upsert', 'arrayFilters', 'hint'])
    return this.updateResult(await this.modify(filter, { update }, { multi: true, upsert: settings.upsert === true, arrayFilters: settings.arrayFilters, durable: waitsForJournal(settings) }))
  }

  async replaceOne (filter: Document, replacement: Document, options?: Document): Promise<UpdateResultShape> {
    const settings = checkOptions('replaceOne', options, ['upsert', 'hint', 'forceServerObjectId'])
    return this.updateResult(await this.modify(filter, { replacement }, { multi: false, upsert: settings.upsert === true, durable: waitsForJournal(settings) }))
  }

  /** The document alone, as the driver gives it since version 6, or the whole `ModifyResult` when asked for. */
  private modifyResult (outcome: ModifyOutcome, settings: Document): Document | null {
    const upserted = outcome.upsertedId !== undefined
    const lastErrorObject: Document = { n: outcome.matchedCount + (upserted ? 1 : 0), updatedExisting: outcome.matchedCount > 0 }
    if (upserted) lastErrorObject.upserted = cloneValue(outcome.upsertedId)
    const after = outcome.after instanceof PreparedDocument ? outcome.after.document : outcome.after
    const value = returnsAfter(settings) ? after : (upserted ? null : outcome.before)
    return withMetadata(settings, lastErrorObject, this.present(value, settings.projection))
  }

  async findOneAndUpdate (filter: Document, update: Document, options?: Document): Promise<any> {
    const settings = checkOptions('findOneAndUpdate', options, ['upsert', 'arrayFilters', 'sort', 'projection', 'returnDocument', 'includeResultMetadata', 'hint'])
    const outcome = await this.modify(filter, { update }, { multi: false, upsert: settings.upsert === true, arrayFilters: settings.arrayFilters, sort: settings.sort, durable: waitsForJournal(settings) })
    return this.modifyResult(outcome, settings)
  }

  async findOneAndReplace (filter: Document, replacement: Document, options?: Document): Promise<any> {
    const settings = checkOptions('findOneAndReplace', options, ['upsert', 'sort', 'projection', 'returnDocument', 'includeResultMetadata', 'hint'])
    const outcome = await this.modify(filter, { replacement }, { multi: false, upsert: settings.upsert === true, sort: settings.sort, durable: waitsForJournal(settings) })
    return this.modifyResult(outcome, settings)
  }

  // ---- deletes ----

  private async remove (filter: unknown, options: { multi: boolean, sort?: unknown, durable: boolean }): Promise<Document[]> {
    const checkedFilter = checkFilter(filter)
    await this.begin()
    let matches = this.sortMatches(this.matching(compileFilter(checkedFilter), checkedFilter, options.multi || options.sort ? Infinity : 1), options.sort)
    if (!options.multi) matches = matches.slice(0, 1)
    const changes: Change[] = matches.map(({ key, document }) => ({ code: OpCode.Delete, namespace: this.namespace, documentKey: key, id: document._id }))
    await this.engine.commit(changes, options.durable)
    return matches.map(match => match.document)
  }

  async deleteOne (filter?: Document, options?: Document): Promise<{ acknowledged: true, deletedCount: number }> {
    const settings = checkOptions('deleteOne', options, ['hint'])
    const removed = await this.remove(filter, { multi: false, durable: waitsForJournal(settings) })
    return { acknowledged: true, deletedCount: removed.length }
  }

  async deleteMany (filter?: Document, options?: Document): Promise<{ acknowledged: true, deletedCount: number }> {
    const settings = checkOptions('deleteMany', options, ['hint'])
    const removed = await this.remove(filter, { multi: true, durable: waitsForJournal(settings) })
    return { acknowledged: true, deletedCount: removed.length }
  }

  async findOneAndDelete (filter: Document, options?: Document): Promise<any> {
    const settings = checkOptions('findOneAndDelete', options, ['sort', 'projection', 'includeResultMetadata', 'hint'])
    const [removed] = await this.remove(filter, { multi: false, sort: settings.sort, durable: waitsForJournal(settings) })
    return withMetadata(settings, { n: removed ? 1 : 0 }, this.present(removed ?? null, settings.projection))
  }

  // ---- indexes and the collection itself ----

  async createIndex (keys: unknown, options?: Document): Promise<string> {
    const settings = checkOptions('createIndex', options, ['name', 'unique', 'sparse', 'partialFilterExpression'])
    const key = normalizeIndexKey(keys)
    const spec: IndexSpec = { name: settings.name ?? Object.entries(key).map(([field, direction]) => `${field}_${direction}`).join('_'), key }
    if (settings.unique === true) spec.unique = true
    if (settings.sparse === true) spec.sparse = true
    if (settings.partialFilterExpression !== undefined) {
      if (!isPlainObject(settings.partialFilterExpression)) throw serverError(2, 'BadValue', 'partialFilterExpression must be an object')
      compileFilter(settings.partialFilterExpression)
      spec.partialFilterExpression = roundTrip(settings.partialFilterExpression)
    }
    await this.begin()
    const state = this.engine.ensureCollection(this.namespace)
    const existing = state.indexes.get(spec.name)
    if (existing) {
      if (JSON.stringify(existing.spec) === JSON.stringify({ ...spec, name: existing.spec.name })) return spec.name
      throw serverError(86, 'IndexKeySpecsConflict', `An existing index has the same name as the requested index but different options or key: ${spec.name}`)
    }
    for (const index of state.indexes.values()) {
      if (JSON.stringify(index.spec.key) === JSON.stringify(spec.key) && index.spec.name !== '_id_' &&
        JSON.stringify(index.spec.partialFilterExpression) === JSON.stringify(spec.partialFilterExpression)) {
        throw serverError(85, 'IndexOptionsConflict', `Index already exists with a different name: ${index.spec.name}`)
      }
    }
    state.addIndex(spec)
    await this.engine.commit([{ code: OpCode.CreateIndex, namespace: this.namespace, spec }])
    return spec.name
  }

  async createIndexes (specs: Array<{ key: Document, name?: string, [option: string]: unknown }>, options?: Document): Promise<string[]> {
    checkOptions('createIndexes', options, [])
    const names: string[] = []
    for (const { key, ...indexOptions } of specs) names.push(await this.createIndex(key, indexOptions))
    return names
  }

  listIndexes (): EmbeddedListCursor<any> {
    return new EmbeddedListCursor(() => [...(this.state?.indexes.values() ?? [])].map(index => ({ v: 2, ...cloneValue(index.spec) })))
  }

  async indexes (): Promise<Document[]> {
    return this.listIndexes().toArray()
  }

  async indexExists (names: string | string[]): Promise<boolean> {
    await this.begin()
    const wanted = Array.isArray(names) ? names : [names]
    return wanted.every(name => this.state?.indexes.has(name) === true)
  }

  async dropIndex (name: string): Promise<Document> {
    await this.begin()
    if (name === '_id_') throw serverError(72, 'InvalidOptions', 'cannot drop _id index')
    if (!this.state?.indexes.has(name)) throw serverError(27, 'IndexNotFound', `index not found with name [${name}]`)
    await this.engine.commit([{ code: OpCode.DropIndex, namespace: this.namespace, name }])
    return { ok: 1 }
  }

  async dropIndexes (): Promise<boolean> {
    await this.begin()
    const names = [...(this.state?.indexes.keys() ?? [])].filter(name => name !== '_id_')
    await this.engine.commit(names.map(name => ({ code: OpCode.DropIndex, namespace: this.namespace, name })))
    return true
  }

  async drop (): Promise<boolean> {
    await this.begin()
    if (!this.state) return true
    await this.engine.commit([{ code: OpCode.DropCollection, namespace: this.namespace }])
    return true
  }
}

function returnsAfter (settings: Document): boolean {
  if (settings.returnDocument !== undefined && settings.returnDocument !== 'after' && settings.returnDocument !== 'before') {
    throw invalidArgument('returnDocument must be either "before" or "after"')
  }
  return settings.returnDocument === 'after'
}

function withMetadata (settings: Document, lastErrorObject: Document, value: Document | null): Document | null {
  return settings.includeResultMetadata === true ? { lastErrorObject, value, ok: 1 } : value
}

function withoutId (document: Document): Document {
  const { _id: ignored, ...rest } = document
  return rest
}

function normalizeIndexKey (keys: unknown): Record<string, 1 | -1> {
  const entries: Array<[string, unknown]> = typeof keys === 'string'
    ? [[keys, 1]]
    : Array.isArray(keys)
      ? keys.map(entry => Array.isArray(entry) ? [String(entry[0]), entry[1]] : [String(entry), 1])
      : isPlainObject(keys) ? Object.entries(keys) : []
  if (entries.length === 0) throw serverError(67, 'CannotCreateIndex', 'Index keys cannot be empty.')
  const key: Record<string, 1 | -1> = {}
  for (const [field, direction] of entries) {
    if (direction === 1 || direction === -1) key[field] = direction
    else throw notSupportedIndexKey(field, direction)
  }
  return key
}

/** Top-level `$` field names would be read as operators by every query: the server refuses to store them. */
function checkStorableKeys (document: Document): void {
  for (const key of Object.keys(document)) {
    if (key.startsWith('$')) {
      throw new EmbeddedNotSupportedError(`storing the top-level field name '${key}' (names starting with '$' cannot be queried)`)
    }
  }
}
