import type { Document } from 'mongodb'
import { update as applyModifier } from 'mingo/updater'
import { cloneDeep, isEqual } from 'mingo/util'
import { EmbeddedNotSupportedError, invalidArgument, serverError } from './errors.ts'
import { queryOptions } from './query.ts'
import { cloneValue, indexKey, isPlainObject, setPath, valuesAtPath } from './values.ts'

const UPDATE_OPERATORS = new Set([
  '$set', '$unset', '$inc', '$mul', '$min', '$max', '$rename', '$push', '$addToSet', '$pull', '$pullAll',
  '$pop', '$currentDate', '$bit', '$setOnInsert'
])

/** The driver's own check, made before anything is sent. */
export function checkUpdateDocument (update: unknown): asserts update is Document {
  if (Array.isArray(update)) throw new EmbeddedNotSupportedError('aggregation pipeline updates')
  if (!isPlainObject(update)) throw invalidArgument('Update document requires atomic operators')
  const keys = Object.keys(update)
  if (keys.length === 0 || !keys[0]?.startsWith('$')) throw invalidArgument('Update document requires atomic operators')
}

export function checkReplacement (replacement: unknown): asserts replacement is Document {
  if (!isPlainObject(replacement)) throw invalidArgument('Replacement document must be an object')
  const first = Object.keys(replacement)[0]
  if (first?.startsWith('$')) throw invalidArgument('Replacement document must not contain atomic operators')
}

/** The server's validation of an update's operators and paths. */
export function validateUpdate (update: Document): void {
  const paths: string[] = []
  for (const [operator, fields] of Object.entries(update)) {
    if (!UPDATE_OPERATORS.has(operator)) {
      throw serverError(9, 'FailedToParse', `Unknown modifier: ${operator}. Expected a valid update modifier or pipeline-style update specified as an array`)
    }
    if (!isPlainObject(fields)) {
      throw serverError(9, 'FailedToParse', `Modifiers operate on fields but we found type ${Array.isArray(fields) ? 'array' : typeof fields} instead. For example: {$mod: {<field>: ...}} not {${operator}: ${JSON.stringify(fields)}}`)
    }
    for (const [path, value] of Object.entries(fields)) {
      checkPath(path)
      paths.push(path)
      if (operator === '$rename') {
        if (typeof value !== 'string') throw serverError(2, 'BadValue', `The 'to' field for $rename must be a string: ${path}: ${JSON.stringify(value)}`)
        checkPath(value)
        paths.push(value)
      }
      if ((operator === '$inc' || operator === '$mul') && typeof value !== 'number' && !isNumericBson(value)) {
        const verb = operator === '$inc' ? 'increment' : 'multiply'
        throw serverError(14, 'TypeMismatch', `Cannot ${verb} with non-numeric argument: {${path}: ${JSON.stringify(value)}}`)
      }
    }
  }
  checkConflicts(paths)
}

function isNumericBson (value: unknown): boolean {
  const type = (value as { _bsontype?: string } | null)?._bsontype
  return type === 'Long' || type === 'Int32' || type === 'Double' || type === 'Decimal128'
}

function checkPath (path: string): void {
  if (path === '' || path.split('.').some(part => part === '')) {
    throw serverError(56, 'EmptyFieldName', `An empty update path is not valid: '${path}'`)
  }
  for (const part of path.split('.')) {
    if (part.startsWith('$') && part !== '$' && part !== '$[]' && !/^\$\[[a-z][A-Za-z0-9]*\]$/.test(part)) {
      throw serverError(52, 'DollarPrefixedFieldName', `The dollar ($) prefixed field '${part}' in '${path}' is not valid for storage.`)
    }
  }
}

function checkConflicts (paths: string[]): void {
  const sorted = paths.map(path => path.split('.').filter(part => !part.startsWith('$')).join('.')).sort()
  for (let index = 1; index < sorted.length; index++) {
    const previous = sorted[index - 1] as string
    const current = sorted[index] as string
    if (current === previous || current.startsWith(previous + '.')) {
      throw serverError(40, 'ConflictingUpdateOperators', `Updating the path '${current}' would create a conflict at '${previous}'`)
    }
  }
}

export interface UpdateOutcome {
  document: Document
  modified: boolean
}

/**
 * Applies update operators to a copy of `stored`; `stored` is left as it was.
 * `filter` resolves the positional `$`; `inserting` enables `$setOnInsert`.
 */
export function applyUpdate (stored: Document, update: Document, options: { filter: Document, arrayFilters?: Document[], inserting: boolean }): UpdateOutcome {
  const document = cloneValue(stored)
  const modifier: Document = {}
  for (const [operator, fields] of Object.entries(update)) {
    if (operator === '$setOnInsert') {
      if (options.inserting) modifier.$set = { ...(modifier.$set ?? {}), ...fields }
      continue
    }
    modifier[operator] = operator === '$set' && modifier.$set ? { ...modifier.$set, ...fields } : fields
  }
  const idChanged = takeIdUpdates(document, modifier)
  if (setsTopLevelFields(modifier)) return { document, modified: setTopLevelFields(document, modifier) || idChanged }
  checkNumericTargets(document, modifier)
  let changed: string[]
  try {
    // mingo applies the update only where its condition matches; an upsert's seed need not (`{ n: { $gt: 5 } }` seeds nothing).
    changed = applyModifier(document, modifier, options.arrayFilters ?? [], options.inserting ? {} : options.filter, { cloneMode: 'deep', queryOptions })
  } catch (error) {
    throw serverError(2, 'BadValue', (error as Error).message)
  }
  if ('_id' in stored && indexKey(document._id) !== indexKey(stored._id)) throw immutableId()
  return { document, modified: changed.length > 0 || idChanged }
}

/** Whether the update only sets or unsets top-level fields, the commonest kind, which needs none of mingo's path handling. */
function setsTopLevelFields (modifier: Document): boolean {
  for (const [operator, fields] of Object.entries(modifier)) {
    if (operator !== '$set' && operator !== '$unset') return false
    for (const path in fields) if (path.includes('.') || path.startsWith('$') || path === '__proto__') return false
  }
  return true
}

/**
 * `$set` and `$unset` of top-level fields as mingo applies them (the same equality and
 * copying): a field set to what it holds, or unset where it is missing, is no change.
 */
function setTopLevelFields (document: Document, modifier: Document): boolean {
  let changed = false
  for (const [name, value] of Object.entries(modifier.$set ?? {})) {
    if (Object.hasOwn(document, name) && isEqual(document[name], value)) continue
    document[name] = cloneDeep(value)
    changed = true
  }
  for (const name of Object.keys(modifier.$unset ?? {})) {
    if (!Object.hasOwn(document, name)) continue
    delete document[name]
    changed = true
  }
  return changed
}

const immutableId = (): Error => serverError(66, 'ImmutableField', "Performing an update on the path '_id' would modify the immutable field '_id'")

/**
 * The server lets `$set` name `_id` when the value stays the same, or when an
 * upsert inserts a document that has no `_id` yet; mingo refuses any `_id`
 * path, so those are applied here and taken out of the modifier.
 */
function takeIdUpdates (document: Document, modifier: Document): boolean {
  let assigned = false
  for (const [operator, fields] of Object.entries(modifier)) {
    const idPaths = Object.keys(fields).filter(path => path === '_id' || path.startsWith('_id.'))
    if (idPaths.length === 0) continue
    if (operator !== '$set' || idPaths.some(path => path !== '_id')) throw immutableId()
    const value = fields._id
    if (!('_id' in document)) {
      document._id = cloneValue(value)
      assigned = true
    } else if (indexKey(value) !== indexKey(document._id)) {
      throw immutableId()
    }
    const { _id: ignored, ...rest } = fields
    modifier[operator] = rest
  }
  return assigned
}

function checkNumericTargets (document: Document, modifier: Document): void {
  for (const operator of ['$inc', '$mul'] as const) {
    for (const path of Object.keys(modifier[operator] ?? {})) {
      if (path.includes('$')) continue
      const [current] = valuesAtPath(document, path)
      if (current !== undefined && typeof current !== 'number' && !isNumericBson(current)) {
        const verb = operator === '$inc' ? '$inc' : '$mul'
        throw serverError(14, 'TypeMismatch', `Cannot apply ${verb} to a value of non-numeric type. {_id: ${JSON.stringify(document._id)}} has the field '${path}' of non-numeric type ${current === null ? 'null' : Array.isArray(current) ? 'array' : typeof current}`)
      }
    }
  }
}

/** The document an upsert starts from: the filter's equality conditions. */
export function upsertSeed (filter: Document): Document {
  const seed: Document = {}
  const visit = (conditions: Document): void => {
    for (const [path, condition] of Object.entries(conditions)) {
      if (path === '$and' && Array.isArray(condition)) {
        for (const clause of condition) if (isPlainObject(clause)) visit(clause)
        continue
      }
      if (path.startsWith('$')) continue
      if (isPlainObject(condition) && Object.keys(condition).some(key => key.startsWith('$'))) {
        if ('$eq' in condition) setPath(seed, path, cloneValue(condition.$eq))
        continue
      }
      setPath(seed, path, cloneValue(condition))
    }
  }
  visit(filter)
  return seed
}
