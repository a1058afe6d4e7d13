import type { Document } from 'mongodb'
import { EmbeddedNotSupportedError, serverError } from './errors.ts'
import { normalizeSort, runStages, sortDocuments } from './query.ts'
import type { StoredDocument } from './slabs.ts'
import { documentOf, holderKeys, type CollectionState } from './state.ts'
import { indexKey, isPlainObject, setPath, valuesAtPath } from './values.ts'

// Stages evaluated by mingo; $lookup is the engine's own (see below).
const MINGO_STAGES = new Set([
  '$match', '$sort', '$skip', '$limit', '$project', '$unwind', '$group', '$count',
  '$addFields', '$set', '$unset', '$replaceRoot', '$replaceWith', '$sortByCount'
])

export function stageName (stage: unknown): string {
  if (!isPlainObject(stage)) throw serverError(14, 'TypeMismatch', 'Each element of the \'pipeline\' array must be an object')
  const names = Object.keys(stage)
  if (names.length !== 1) throw serverError(40323, 'Location40323', 'A pipeline stage specification object must contain exactly one field.')
  return names[0] as string
}

export function checkPipeline (pipeline: unknown): asserts pipeline is Document[] {
  if (!Array.isArray(pipeline)) throw serverError(14, 'TypeMismatch', "'pipeline' option must be specified as an array")
  for (const stage of pipeline) {
    const name = stageName(stage)
    if (name !== '$lookup' && !MINGO_STAGES.has(name)) {
      if (!name.startsWith('$')) throw serverError(40324, 'Location40324', `Unrecognized pipeline stage name: '${name}'`)
      throw new EmbeddedNotSupportedError(`the ${name} aggregation stage`)
    }
  }
}

/**
 * Runs a pipeline over documents already narrowed by its leading $match. They must be
 * the pipeline's own (decoded for this read): stages change them in place (mingo's
 * $project deletes excluded fields, $lookup writes its matches in).
 */
export function runPipeline (input: Document[], pipeline: Document[], resolve: (name: string) => CollectionState | undefined): Document[] {
  let documents = input
  let batch: Document[] = []
  const flush = (): void => {
    if (batch.length > 0) documents = runStages(documents, batch, 'aggregation pipeline')
    batch = []
  }
  for (const [position, stage] of pipeline.entries()) {
    const name = stageName(stage)
    if (name === '$lookup') {
      flush()
      documents = lookup(documents, stage.$lookup, resolve)
    } else if (name === '$sort') {
      flush()
      // A $limit right after the sort lets it keep only the top documents.
      const next = pipeline[position + 1]
      const limit = next && stageName(next) === '$limit' && typeof next.$limit === 'number' ? next.$limit : undefined
      documents = sortDocuments(documents, normalizeSort(stage.$sort), limit)
    } else {
      batch.push(stage)
    }
  }
  flush()
  return documents
}

interface LookupSpec { from: string, localField: string, foreignField: string, as: string }

function checkLookup (spec: unknown): LookupSpec {
  if (!isPlainObject(spec)) throw serverError(9, 'FailedToParse', 'the $lookup specification must be an Object')
  if ('pipeline' in spec || 'let' in spec) throw new EmbeddedNotSupportedError('$lookup with let/pipeline (use localField and foreignField)')
  for (const field of ['from', 'localField', 'foreignField', 'as']) {
    if (typeof spec[field] !== 'string') throw serverError(9, 'FailedToParse', `$lookup requires '${field}' as a string`)
  }
  for (const field of Object.keys(spec)) {
    if (!['from', 'localField', 'foreignField', 'as'].includes(field)) throw serverError(9, 'FailedToParse', `unknown argument to $lookup: ${field}`)
  }
  return spec as unknown as LookupSpec
}

/**
 * MongoDB's equality $lookup: a local array matches any of its elements, a
 * missing local field matches foreign documents where the field is missing or
 * null, and no match gives `[]`. Matches keep the foreign natural order.
 * `documents` are the pipeline's own and get the matches written in.
 */
function lookup (documents: Document[], rawSpec: unknown, resolve: (name: string) => CollectionState | undefined): Document[] {
  const spec = checkLookup(rawSpec)
  const foreign = resolve(spec.from)
  const findMatches = matcherFor(foreign, spec.foreignField)
  return documents.map(document => {
    const keys = new Set(valuesAtPath(document, spec.localField).map(indexKey))
    const found = new Set<StoredDocument>()
    for (const key of keys) for (const stored of findMatches(key)) found.add(stored)
    const matches = [...found].sort((left, right) => left.sequence - right.sequence).map(documentOf)
    setPath(document, spec.as, matches)
    return document
  })
}

function matcherFor (foreign: CollectionState | undefined, foreignField: string): (key: string) => StoredDocument[] {
  if (!foreign) return () => []
  for (const index of foreign.indexes.values()) {
    if (index.coversAllDocuments && index.fields[0] === foreignField) {
      return key => [...holderKeys(index.lookupKey(key))].flatMap(documentKey => {
        const stored = foreign.get(documentKey)
        return stored ? [stored] : []
      })
    }
  }
  const byKey = new Map<string, StoredDocument[]>()
  for (const stored of foreign.documents.values()) {
    for (const key of new Set(valuesAtPath(documentOf(stored), foreignField).map(indexKey))) {
      const list = byKey.get(key)
      if (list) list.push(stored)
      else byKey.set(key, [stored])
    }
  }
  return key => byKey.get(key) ?? []
}
