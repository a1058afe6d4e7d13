import { ObjectId, type Document } from 'mongodb'
import { isPlainObject, valuesAtPath } from './values.ts'

/*
 * MongoDB's sort order, done here rather than by mingo: mingo's $sort groups
 * values by a hash that is the same for every ObjectId (their bytes hide
 * behind a Symbol), which makes sorting by _id quadratic. Each document's
 * sort key is computed once, then an ordinary stable sort runs.
 */

// BSON comparison order of types.
function typeRank (value: unknown): number {
  if (value === undefined || value === null) return 1
  if (typeof value === 'number' || typeof value === 'bigint') return 2
  if (typeof value === 'string') return 3
  if (typeof value === 'boolean') return 8
  if (value instanceof Date) return 9
  if (value instanceof ObjectId) return 7
  if (value instanceof RegExp) return 11
  if (Array.isArray(value)) return 5
  const bsontype = (value as { _bsontype?: string })._bsontype
  switch (bsontype) {
    case 'MinKey': return 0
    case 'Long': case 'Int32': case 'Double': case 'Decimal128': return 2
    case 'Symbol': return 3
    case 'Binary': return 6
    case 'Timestamp': return 10
    case 'BSONRegExp': return 11
    case 'MaxKey': return 12
  }
  return 4
}

function numeric (value: unknown): number {
  return typeof value === 'number' ? value : Number(value?.toString())
}

export function compareValues (left: unknown, right: unknown): number {
  const leftRank = typeRank(left)
  const rightRank = typeRank(right)
  if (leftRank !== rightRank) return leftRank < rightRank ? -1 : 1
  switch (leftRank) {
    case 1: return 0
    case 2: {
      const a = numeric(left)
      const b = numeric(right)
      return a < b ? -1 : a > b ? 1 : 0
    }
    case 3: {
      const a = String(left)
      const b = String(right)
      return a < b ? -1 : a > b ? 1 : 0
    }
    case 7: return Buffer.compare((left as ObjectId).id as Uint8Array, (right as ObjectId).id as Uint8Array)
    case 8: return Number(left) - Number(right)
    case 9: return Math.sign((left as Date).getTime() - (right as Date).getTime())
    case 5: return compareArrays(left as unknown[], right as unknown[])
    case 4: return isPlainObject(left) && isPlainObject(right) ? compareObjects(left, right) : 0
  }
  const a = String(left)
  const b = String(right)
  return a < b ? -1 : a > b ? 1 : 0
}

function compareArrays (left: unknown[], right: unknown[]): number {
  for (let index = 0; index < Math.min(left.length, right.length); index++) {
    const result = compareValues(left[index], right[index])
    if (result !== 0) return result
  }
  return left.length - right.length
}

function compareObjects (left: Record<string, unknown>, right: Record<string, unknown>): number {
  const leftKeys = Object.keys(left)
  const rightKeys = Object.keys(right)
  for (let index = 0; index < Math.min(leftKeys.length, rightKeys.length); index++) {
    const leftKey = leftKeys[index] as string
    const rightKey = rightKeys[index] as string
    const byValueType = typeRank(left[leftKey]) - typeRank(right[rightKey])
    if (byValueType !== 0) return Math.sign(byValueType)
    if (leftKey !== rightKey) return leftKey < rightKey ? -1 : 1
    const result = compareValues(left[leftKey], right[rightKey])
    if (result !== 0) return result
  }
  return leftKeys.length - rightKeys.length
}

/** The value a document sorts by on one path: of an array, the least ascending and the greatest descending. */
function sortKey (document: Document, path: string, direction: 1 | -1): unknown {
  const values = valuesAtPath(document, path)
  let chosen = values[0]
  for (let index = 1; index < values.length; index++) {
    if (compareValues(values[index], chosen) * direction < 0) chosen = values[index]
  }
  return chosen
}

export type SortSpec = Record<string, 1 | -1>

/**
 * Sorts documents by a sort spec; with `limit`, only the first `limit` are
 * kept (a bounded insertion, so a page of 20 from 50,000 stays cheap).
 */
export function sortByKeys (documents: Document[], spec: SortSpec, limit?: number): Document[] {
  const fields = Object.entries(spec) as Array<[string, 1 | -1]>
  const keyed = documents.map((document, position) => ({ document, position, keys: fields.map(([path, direction]) => sortKey(document, path, direction)) }))
  const compare = (left: typeof keyed[number], right: typeof keyed[number]): number => {
    for (let index = 0; index < fields.length; index++) {
      const result = compareValues(left.keys[index], right.keys[index]) * (fields[index] as [string, 1 | -1])[1]
      if (result !== 0) return result
    }
    return left.position - right.position
  }
  if (limit === undefined || limit <= 0 || limit * 4 >= keyed.length) {
    const sorted = keyed.sort(compare)
    return (limit && limit > 0 ? sorted.slice(0, limit) : sorted).map(entry => entry.document)
  }
  const top: typeof keyed = []
  for (const entry of keyed) {
    if (top.length === limit && compare(entry, top[limit - 1] as typeof entry) >= 0) continue
    let low = 0
    let high = top.length
    while (low < high) {
      const middle = (low + high) >> 1
      if (compare(top[middle] as typeof entry, entry) <= 0) low = middle + 1
      else high = middle
    }
    top.splice(low, 0, entry)
    if (top.length > limit) top.pop()
  }
  return top.map(entry => entry.document)
}
