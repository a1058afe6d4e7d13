import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { evidenceRating, type EvidenceStrengthFields } from '../../src/lessons/evidence-strength.ts'

const figure = [{ figure: '140 talks', source: 'tally sheet' }]

/** Each case with the rating the published rule (/help/evidence) gives, worked out by hand. */
const CASES: Array<[string, EvidenceStrengthFields, number | null]> = [
  ['no design: not stated', { participants: 500, sites: 9, evidence: figure }, null],
  ['observation, few people, no figure', { evidenceDesign: 'observation', participants: 12, sites: 1, evidence: [] }, 0],
  ['observation, many people, a figure', { evidenceDesign: 'observation', participants: 300, sites: 4, evidence: figure }, 1],
  ['monitoring, participants not stated', { evidenceDesign: 'monitoring', evidence: figure }, 1],
  ['monitoring, 30 participants is enough', { evidenceDesign: 'monitoring', participants: 30, evidence: figure }, 2],
  ['monitoring, 29 participants is not', { evidenceDesign: 'monitoring', participants: 29, evidence: figure }, 1],
  ['before-and-after, 80 people, one site', { evidenceDesign: 'before-after', participants: 80, sites: 1, evidence: figure }, 3],
  ['before-and-after, 12 people', { evidenceDesign: 'before-after', participants: 12, sites: 1, evidence: figure }, 2],
  ['comparison group without figures', { evidenceDesign: 'comparison', participants: 200, sites: 3, evidence: [] }, 1],
  ['comparison group, one site', { evidenceDesign: 'comparison', participants: 200, sites: 1, evidence: figure }, 4],
  ['randomised, several sites', { evidenceDesign: 'randomised', participants: 400, sites: 6, evidence: figure }, 5],
  ['randomised, one site', { evidenceDesign: 'randomised', participants: 400, sites: 1, evidence: figure }, 4],
  ['randomised, sites not stated', { evidenceDesign: 'randomised', participants: 400, evidence: figure }, 4],
  ['randomised, few people, one site', { evidenceDesign: 'randomised', participants: 20, sites: 1, evidence: figure }, 4],
  ['randomised, few people, two sites', { evidenceDesign: 'randomised', participants: 20, sites: 2, evidence: figure }, 4]
]

describe('the evidence rating', () => {
  for (const [name, fields, expected] of CASES) {
    it(`rates ${name} as ${expected ?? 'not stated'}`, () => {
      assert.equal(evidenceRating(fields)?.rating ?? null, expected)
    })
  }

  it('names the steps of the rule that changed the rating, so the fact box can say why', () => {
    assert.deepEqual(evidenceRating({ evidenceDesign: 'randomised', participants: 10, sites: 1, evidence: [] })?.steps, ['design', 'fewParticipants', 'noFigures'])
    assert.deepEqual(evidenceRating({ evidenceDesign: 'randomised', participants: 100, evidence: figure })?.steps, ['design', 'oneSite'])
  })
})
