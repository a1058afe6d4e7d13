import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { FoundSpans } from '../../src/publishing/found-spans.ts'
import { seededRandom } from '../seeded-random.ts'

describe('found spans', () => {
  it('answers like a look at every span, over 200 seeded random rounds of patterns', () => {
    const random = seededRandom(14)
    for (let round = 0; round < 200; round++) {
      const spans = new FoundSpans()
      const reference: Array<[number, number]> = []
      const patterns = 1 + Math.floor(random() * 5)
      for (let pattern = 0; pattern < patterns; pattern++) {
        // One pattern's matches, as a regular expression finds them: in order, none overlapping.
        let offset = Math.floor(random() * 20)
        while (offset < 200) {
          const inside = reference.some(([from, to]) => offset >= from && offset < to)
          assert.equal(spans.covers(offset), inside, `round ${round}, offset ${offset}`)
          const end = offset + 1 + Math.floor(random() * 15)
          if (!inside) {
            spans.add(offset, end)
            reference.push([offset, end])
          }
          offset = end + Math.floor(random() * 10)
        }
      }
    }
  })
})
