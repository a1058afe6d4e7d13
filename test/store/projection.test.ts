import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Query } from 'mingo'
import { BSON, Int32, ObjectId, type Document } from 'mongodb'
import { compileFieldProjection } from '../../src/store/embedded/projection.ts'
import { seededRandom } from '../seeded-random.ts'

/*
 * Projections of top-level fields are applied without mingo. The oracle for what a projected
 * document holds is mingo's projection, which the engine used for them before; the order of
 * its fields is the document's own (mingo follows the projection's there, MongoDB does not).
 */

const FIELDS = ['_id', 'id', 'person', 'title', 'html', 'source', 'updated', '_meta', 'lesson', 'größe']

function pick<T> (random: () => number, choices: readonly T[]): T {
  return choices[Math.floor(random() * choices.length)] as T
}

function randomValue (random: () => number, depth: number): unknown {
  switch (Math.floor(random() * (depth > 1 ? 6 : 8))) {
    case 0: return pick(random, ['', 'Lektion', 'https://peer.example/o/1'])
    case 1: return Math.floor(random() * 1000) - 500
    case 2: return null
    case 3: return random() < 0.5
    case 4: return new Date(Math.floor(random() * 4e12))
    case 5: return new ObjectId()
    case 6: return Array.from({ length: Math.floor(random() * 3) }, () => randomValue(random, depth + 1))
    default: return randomDocument(random, depth + 1)
  }
}

/** A document as the engine decodes it: some of the fields, in an order of its own. */
function randomDocument (random: () => number, depth = 0): Document {
  const names = FIELDS.filter(() => random() < 0.6).sort(() => random() - 0.5)
  const document: Document = {}
  for (const name of names) document[name] = randomValue(random, depth)
  return BSON.deserialize(BSON.serialize(document))
}

/** Exclusions alone, or inclusions with `_id` named or not either way, over fields that may be missing. */
function randomProjection (random: () => number): Document {
  const projection: Document = {}
  const names = [...FIELDS.slice(1), 'missing'].filter(() => random() < 0.3).sort(() => random() - 0.5)
  const excludes = random() < 0.5
  for (const name of names) projection[name] = excludes ? pick(random, [0, false]) : pick(random, [1, true])
  const id = random()
  if (id < 0.3) projection._id = pick(random, [0, false])
  else if (id < 0.5 && !(excludes && names.length > 0)) projection._id = pick(random, [1, true])
  return projection
}

function isInDocumentOrder (projected: Document, document: Document): boolean {
  const keys = Object.keys(document).filter(key => Object.hasOwn(projected, key))
  return JSON.stringify(keys) === JSON.stringify(Object.keys(projected))
}

describe('projecting top-level fields without mingo', () => {
  it('gives what mingo gives, with the fields in the document\'s order, over 1000 seeded random documents and projections', () => {
    const random = seededRandom(11)
    const mingo = new Query({})
    for (let round = 0; round < 1000; round++) {
      const document = randomDocument(random)
      const projection = randomProjection(random)
      if (Object.keys(projection).length === 0) continue
      const project = compileFieldProjection(projection)
      assert.ok(project, `round ${round}: ${JSON.stringify(projection)} is a projection of top-level fields`)
      const projected = project(document)
      const expected = mingo.find([BSON.deserialize(BSON.serialize(document))], projection).all()[0]
      assert.deepEqual(projected, expected, `round ${round}: ${JSON.stringify(projection)} of ${BSON.EJSON.stringify(document)}`)
      assert.ok(isInDocumentOrder(projected, document), `round ${round}: ${Object.keys(projected).join()} from ${Object.keys(document).join()}`)
    }
  })

  it('returns new objects and leaves the documents it is given as they were', () => {
    const document = BSON.deserialize(BSON.serialize({ _id: 1, html: '<p>x</p>', source: 'x', lesson: { tried: 'a' } }))
    const before = Buffer.from(BSON.serialize(document))
    for (const projection of [{ html: 0, source: 0 }, { _id: 0 }, { lesson: 1 }, { _id: 1 }]) {
      const projected = compileFieldProjection(projection)?.(document)
      assert.notEqual(projected, document)
      assert.deepEqual(Buffer.from(BSON.serialize(document)), before, JSON.stringify(projection))
    }
  })

  it('keeps a stored field named __proto__ as a field, not as the copy\'s prototype', () => {
    const document = BSON.deserialize(BSON.serialize(JSON.parse('{ "_id": 1, "__proto__": { "polluted": true }, "html": "x" }')))
    const projected = compileFieldProjection({ html: 0 })?.(document) ?? {}
    assert.deepEqual(Object.keys(projected), ['_id', '__proto__'])
    assert.equal(Object.getPrototypeOf(projected), Object.prototype)
    assert.equal(projected.polluted, undefined)
  })

  it('leaves every other projection to mingo', () => {
    const others: Document[] = [
      { 'lesson.tried': 1 }, { 'object._meta': 0 }, { '': 1 }, { $slice: 1 }, { title: { $slice: 2 } },
      { title: 2 }, { title: -1 }, { title: 'yes' }, { title: null }, { title: new Int32(1) },
      { title: 1, html: 0 }, { _id: 1, html: 0 }, JSON.parse('{ "__proto__": 0 }')
    ]
    for (const projection of others) assert.equal(compileFieldProjection(projection), null, JSON.stringify(projection))
  })
})
