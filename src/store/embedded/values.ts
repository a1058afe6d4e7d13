// BSON comes through the driver: imported as 'bson' from ESM it would be a second copy of
// the package (its ES module build), whose ObjectId is not the driver's.
import { Binary, BSON, ObjectId, type Document } from 'mongodb'
import { serverError } from './errors.ts'

/** MongoDB's limit on one document, checked where the server checks it. */
export const MAX_DOCUMENT_BYTES = 16 * 1024 * 1024

const serializeOptions = { checkKeys: false, serializeFunctions: false, ignoreUndefined: false }

/**
 * Encodes a document as the driver would put it on the wire: `undefined`
 * becomes null, functions are dropped, cycles and unsupported values throw.
 */
export function encodeDocument (document: Document): Buffer {
  let bytes: Uint8Array
  try {
    bytes = BSON.serialize(document, serializeOptions)
  } catch (error) {
    if (error instanceof RangeError || /too large|out of range|buffer/i.test(String((error as Error).message))) {
      throw documentTooLarge()
    }
    throw serverError(2, 'BadValue', `document cannot be stored: ${(error as Error).message}`)
  }
  if (bytes.length > MAX_DOCUMENT_BYTES) throw documentTooLarge(bytes.length)
  // bson types its output as Uint8Array; a Buffer over the same memory gives the journal `equals` without a copy.
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

export function decodeDocument (bytes: Uint8Array): Document {
  return BSON.deserialize(bytes)
}

/** A filter, update or document as the server would see it after the BSON round trip. */
export function roundTrip<T extends Document> (document: T): T {
  return decodeDocument(encodeDocument(document)) as T
}

function documentTooLarge (size?: number): Error {
  const shown = size === undefined ? `more than ${MAX_DOCUMENT_BYTES}` : String(size)
  return serverError(10334, 'BSONObjectTooLarge', `BSONObj size: ${shown} is invalid. Size must be between 0 and ${MAX_DOCUMENT_BYTES}(16MB)`)
}

function isPlainObject (value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false
  const prototype = Object.getPrototypeOf(value)
  return prototype === Object.prototype || prototype === null
}

/** A deep copy that keeps BSON value classes (ObjectId, Long, Decimal128…) as they are. */
export function cloneValue<T> (value: T): T {
  if (value === null || typeof value !== 'object') return value
  if (Array.isArray(value)) return value.map(cloneValue) as T
  if (value instanceof Date) return new Date(value.getTime()) as T
  if (isPlainObject(value)) {
    const copy: Record<string, unknown> = {}
    for (const key in value) copy[key] = cloneValue(value[key])
    return copy as T
  }
  if (value instanceof Binary) return new Binary(Buffer.from(value.buffer), value.sub_type) as T
  if (value instanceof RegExp) return new RegExp(value.source, value.flags) as T
  if (Buffer.isBuffer(value)) return Buffer.from(value) as T
  return value
}

/**
 * A string that is equal for values MongoDB treats as equal in an index:
 * numbers of every width compare by value, ObjectIds and Dates by content.
 */
export function indexKey (value: unknown): string {
  if (value === null || value === undefined) return 'z'
  switch (typeof value) {
    case 'string': return 's' + value
    case 'number': return 'n' + (value === 0 ? 0 : value)
    case 'boolean': return value ? 'bt' : 'bf'
    case 'bigint': return 'n' + value.toString()
  }
  if (value instanceof ObjectId) return 'o' + value.toHexString()
  if (value instanceof Date) return 'd' + value.getTime()
  const bsontype = (value as { _bsontype?: string })._bsontype
  if (bsontype === 'Long' || bsontype === 'Int32' || bsontype === 'Double') {
    const numeric = Number((value as { valueOf: () => unknown }).valueOf?.() ?? value.toString())
    if (Number.isSafeInteger(numeric) || !Number.isInteger(numeric)) return 'n' + (numeric === 0 ? 0 : numeric)
    return 'n' + value.toString()
  }
  return 'x' + BSON.EJSON.stringify(value as Document, { relaxed: false })
}

/** Only these values may be looked up in an index: equal keys then mean equal values. */
export function isIndexableScalar (value: unknown): boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ||
    value instanceof ObjectId || value instanceof Date
}

/**
 * Every value a dotted path reaches, expanding arrays on the way as a
 * multikey index does; a path that reaches nothing yields `[undefined]`.
 * Leaf arrays yield their elements (an empty array counts as missing).
 */
export function valuesAtPath (document: unknown, path: string): unknown[] {
  const found: unknown[] = []
  collect(document, path.split('.'), 0, found)
  if (found.length === 0) found.push(undefined)
  return found
}

function collect (value: unknown, parts: string[], position: number, found: unknown[]): void {
  if (position === parts.length) {
    if (Array.isArray(value)) {
      found.push(...value)
      if (value.length === 0) found.push(undefined)
    } else {
      found.push(value)
    }
    return
  }
  if (value === null || typeof value !== 'object') return
  const part = parts[position] as string
  if (Array.isArray(value)) {
    if (/^\d+$/.test(part)) collect(value[Number(part)], parts, position + 1, found)
    for (const element of value) {
      if (element !== null && typeof element === 'object' && !Array.isArray(element)) collect(element, parts, position, found)
    }
    return
  }
  if (part in (value as Record<string, unknown>)) {
    collect((value as Record<string, unknown>)[part], parts, position + 1, found)
  }
}

/** Sets a dotted path on a plain document, creating objects on the way. */
export function setPath (document: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.')
  let target = document
  for (let position = 0; position < parts.length - 1; position++) {
    const part = parts[position] as string
    const next = target[part]
    if (next === null || typeof next !== 'object' || Array.isArray(next)) target[part] = {}
    target = target[part] as Record<string, unknown>
  }
  target[parts[parts.length - 1] as string] = value
}

export { isPlainObject }
