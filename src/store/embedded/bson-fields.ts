import { ObjectId, type Document } from 'mongodb'
import { decodeDocument, isPlainObject } from './values.ts'

/*
 * Testing a filter against every document of a collection (a scan no index serves)
 * decoded each one whole: about 18 µs for a remote page, ten times the test itself.
 * A filter reads only a few top-level fields; those are found by walking the
 * document's element headers and decoded alone, and only a match is decoded whole.
 */

/**
 * The top-level fields a filter (and a sort, or an index's keys) read, as UTF-8 bytes, or null
 * when it may read any (`$expr`, `$where` and other top-level operators than `$and`, `$or`,
 * `$nor`) or reads a field named `__proto__`.
 */
export function fieldsRead (filter: Document, sortPaths: string[] = []): Buffer[] | null {
  const fields = new Set(sortPaths.map(firstSegment))
  // As in a filter, a field named __proto__ is left to the BSON library (decoded here it would replace the prototype).
  if (fields.has('__proto__')) return null
  return collectFields(filter, fields) ? [...fields].map(field => Buffer.from(field, 'utf8')) : null
}

function collectFields (filter: Document, into: Set<string>): boolean {
  for (const [path, condition] of Object.entries(filter)) {
    if (path === '$and' || path === '$or' || path === '$nor') {
      if (!Array.isArray(condition)) return false
      for (const clause of condition) if (!isPlainObject(clause) || !collectFields(clause, into)) return false
    } else if (path === '$comment') {
      continue
    } else if (path.startsWith('$') || firstSegment(path) === '__proto__') {
      // A field named __proto__ is left to the BSON library, which defines it as an own property.
      return false
    } else {
      into.add(firstSegment(path))
    }
  }
  return true
}

function firstSegment (path: string): string {
  const dot = path.indexOf('.')
  return dot < 0 ? path : path.slice(0, dot)
}

/**
 * The named top-level fields of a BSON document (names from `fieldsRead`), decoded as a
 * document of their own: strings, numbers, booleans, dates and nulls here, other values
 * by the BSON library.
 */
export function decodeFields (bytes: Buffer, names: Buffer[]): Document {
  const found: Document = {}
  let left = names.length
  let others: Buffer[] | null = null
  let position = 4
  while (left > 0 && position < bytes.length - 1 && bytes[position] !== 0) {
    const type = bytes[position] as number
    // Names are short: a loop here costs less than a call to Buffer's indexOf.
    let nameEnd = position + 1
    while (bytes[nameEnd] !== 0) nameEnd++
    const valueStart = nameEnd + 1
    const end = valueStart + valueLength(bytes, type, valueStart)
    if (isOneOf(bytes, position + 1, nameEnd, names)) {
      left--
      const name = bytes.toString('utf8', position + 1, nameEnd)
      const value = valueAt(bytes, type, valueStart)
      if (value !== NOT_SCALAR) found[name] = value
      else (others ??= []).push(bytes.subarray(position, end))
    }
    position = end
  }
  return others === null ? found : Object.assign(found, decodeElements(others))
}

const NOT_SCALAR = Symbol('left to the BSON library')

/**
 * The value of an element as the BSON library decodes it by default, for the types that
 * activitypub-express's and the app's documents are made of (activitypub-express keeps
 * every property as an array); NOT_SCALAR for the others.
 */
function valueAt (bytes: Buffer, type: number, start: number): unknown {
  switch (type) {
    case 0x01: return bytes.readDoubleLE(start)
    case 0x02: return bytes.toString('utf8', start + 4, start + 4 + bytes.readInt32LE(start) - 1)
    case 0x03: return documentAt(bytes, start, {})
    case 0x04: return documentAt(bytes, start, [])
    case 0x07: return new ObjectId(bytes.subarray(start, start + 12))
    case 0x08: return bytes[start] === 1
    case 0x09: return new Date(bytes.readInt32LE(start + 4) * 0x1_0000_0000 + bytes.readUInt32LE(start))
    case 0x0a: return null
    case 0x10: return bytes.readInt32LE(start)
  }
  return NOT_SCALAR
}

/**
 * An embedded document or array whose values `valueAt` decodes, else NOT_SCALAR. Names that
 * start with '$' are left to the library too: it turns `{ $ref, $id }` into a DBRef.
 */
function documentAt (bytes: Buffer, start: number, into: Record<string, unknown> | unknown[]): unknown {
  const end = start + bytes.readInt32LE(start) - 1
  let position = start + 4
  while (position < end) {
    const type = bytes[position] as number
    let nameEnd = position + 1
    while (bytes[nameEnd] !== 0) nameEnd++
    const valueStart = nameEnd + 1
    const value = valueAt(bytes, type, valueStart)
    if (value === NOT_SCALAR) return NOT_SCALAR
    if (Array.isArray(into)) {
      into.push(value)
    } else {
      const name = bytes.toString('utf8', position + 1, nameEnd)
      if (name.startsWith('$') || name === '__proto__') return NOT_SCALAR
      into[name] = value
    }
    position = valueStart + valueLength(bytes, type, valueStart)
  }
  return into
}

function decodeElements (elements: Buffer[]): Document {
  const size = 5 + elements.reduce((sum, element) => sum + element.length, 0)
  const document = Buffer.allocUnsafe(size)
  document.writeInt32LE(size, 0)
  let at = 4
  for (const element of elements) at += element.copy(document, at)
  document[at] = 0
  return decodeDocument(document)
}

function isOneOf (bytes: Buffer, start: number, end: number, names: Buffer[]): boolean {
  for (const name of names) {
    if (name.length !== end - start) continue
    let index = 0
    while (index < name.length && name[index] === bytes[start + index]) index++
    if (index === name.length) return true
  }
  return false
}

/** The length of an element's value of BSON `type` starting at `start`, as the BSON specification lays it out. */
function valueLength (bytes: Buffer, type: number, start: number): number {
  switch (type) {
    case 0x01: case 0x09: case 0x11: case 0x12: return 8 // double, date, timestamp, int64
    case 0x02: case 0x0d: case 0x0e: return 4 + bytes.readInt32LE(start) // string, code, symbol
    case 0x03: case 0x04: case 0x0f: return bytes.readInt32LE(start) // document, array, code with scope
    case 0x05: return 5 + bytes.readInt32LE(start) // binary
    case 0x06: case 0x0a: case 0x7f: case 0xff: return 0 // undefined, null, max key, min key
    case 0x07: return 12 // ObjectId
    case 0x08: return 1 // boolean
    case 0x0b: { // regular expression: pattern and flags, two C strings
      const patternEnd = bytes.indexOf(0, start)
      return bytes.indexOf(0, patternEnd + 1) + 1 - start
    }
    case 0x0c: return 4 + bytes.readInt32LE(start) + 12 // DBPointer
    case 0x10: return 4 // int32
    case 0x13: return 16 // decimal128
  }
  throw new Error(`unknown BSON element type 0x${type.toString(16)} in a stored document`)
}
