import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Binary, BSON, Code, Decimal128, Double, Int32, Long, MaxKey, MinKey, ObjectId, Timestamp, type Document } from 'mongodb'
import { decodeFields, fieldsRead } from '../../src/store/embedded/bson-fields.ts'
import { seededRandom } from '../seeded-random.ts'

/*
 * A scan tests a filter against only the fields it reads, decoded from the stored bytes by
 * the engine's own walk. The oracle is the BSON library's decoding of the whole document.
 */

function randomValue (random: () => number, depth: number): unknown {
  const kinds = depth > 2 ? 14 : 17
  switch (Math.floor(random() * kinds)) {
    case 0: return random() * 1e6 - 5e5
    case 1: return Math.floor(random() * 2 ** 31) * (random() < 0.5 ? -1 : 1)
    case 2: return ['', 'Lektion', 'größer ✓', 'https://example.org/u/1', 'a\u0000b'][Math.floor(random() * 5)]
    case 3: return random() < 0.5
    case 4: return null
    case 5: return new Date(Math.floor((random() - 0.3) * 4e12))
    case 6: return new ObjectId()
    case 7: return Long.fromNumber(Math.floor(random() * 2 ** 60))
    case 8: return new Binary(Buffer.from([1, 2, 3]), 0)
    case 9: return /ab+c/i
    case 10: return Decimal128.fromString('1.5')
    case 11: return new Timestamp({ t: 5, i: 1 })
    case 12: return random() < 0.5 ? new MinKey() : new MaxKey()
    case 13: return new Code('x')
    case 14: return Array.from({ length: Math.floor(random() * 4) }, () => randomValue(random, depth + 1))
    case 15: return random() < 0.2 ? { $ref: 'things', $id: new ObjectId() } : randomDocument(random, depth + 1)
    default: return [randomDocument(random, depth + 1), 'text', 3]
  }
}

const NAMES = ['_id', 'id', 'type', 'attributedTo', 'updated', 'deletedAt', 'lesson', '_meta', 'größe', 'n']

function randomDocument (random: () => number, depth: number): Document {
  const document: Document = {}
  for (const name of NAMES) if (random() < 0.6) document[name] = randomValue(random, depth)
  return document
}

/** The value as canonical Extended JSON and the class of every part of it: EJSON writes a DBRef as the plain `{ $ref, $id }` it came from. */
function canonical (value: unknown): string {
  const classes = (part: unknown): unknown => {
    if (part === null || typeof part !== 'object') return typeof part
    const parts = Array.isArray(part) ? part.map(classes) : Object.fromEntries(Object.entries(part).map(([key, inner]) => [key, classes(inner)]))
    return [(part as object).constructor?.name, parts]
  }
  return BSON.EJSON.stringify({ value } as Document, { relaxed: false }) + JSON.stringify(classes(value))
}

describe('decoding only the fields a filter reads', () => {
  it('gives what the BSON library decodes for those fields, over 500 seeded random documents of every type', () => {
    const random = seededRandom(7)
    for (let round = 0; round < 500; round++) {
      const bytes = Buffer.from(BSON.serialize(randomDocument(random, 0)))
      const whole = BSON.deserialize(bytes)
      const wanted = NAMES.filter(() => random() < 0.4)
      const expected: Document = {}
      for (const name of Object.keys(whole)) if (wanted.includes(name)) expected[name] = whole[name]
      const partial = decodeFields(bytes, wanted.map(name => Buffer.from(name, 'utf8')))
      assert.deepEqual(Object.keys(partial).sort(), Object.keys(expected).sort(), `round ${round}`)
      for (const name of Object.keys(expected)) assert.equal(canonical(partial[name]), canonical(expected[name]), `round ${round}, field ${name}`)
    }
  })

  it('keeps numbers of every BSON width and dates before 1970 as the library gives them', () => {
    const bytes = Buffer.from(BSON.serialize({ a: new Int32(-7), b: new Double(2.5), c: new Date(-86_400_001), d: [new Int32(1), new Double(-0)] }))
    const partial = decodeFields(bytes, ['a', 'b', 'c', 'd'].map(name => Buffer.from(name)))
    assert.equal(canonical(partial), canonical(BSON.deserialize(bytes)))
    assert.equal(partial.c.getTime(), -86_400_001)
  })

  it('names the top-level fields a filter and a sort read, and none when the filter may read any', () => {
    const names = (filter: Document, sort: string[] = []): string[] | null => fieldsRead(filter, sort)?.map(name => name.toString('utf8')).sort() ?? null
    assert.deepEqual(names({ deletedAt: null, 'lesson.field': 'x', $or: [{ a: 1 }, { $and: [{ 'b.c': 2 }] }], $comment: 'why' }, ['updated']), ['a', 'b', 'deletedAt', 'lesson', 'updated'])
    assert.deepEqual(names({}), [])
    assert.equal(names({ $expr: { $eq: ['$a', 1] } }), null)
    assert.equal(names({ a: 1, $nor: [{ $where: 'true' }] }), null)
    assert.equal(names(JSON.parse('{ "__proto__.x": 1 }')), null)
  })
})
