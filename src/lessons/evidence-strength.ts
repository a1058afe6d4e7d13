/**
 * How sure a lesson's result can be, and what it cost: the fields beside the outcome,
 * after the EEF Toolkit and the Foundations guidebook, which rate the strength of
 * evidence apart from the size or direction of an effect. The rating says how much
 * the figures can carry; it says nothing about the people who did the work.
 */

/** How the result is known, from the weakest design to the strongest. */
export const EVIDENCE_DESIGNS = ['observation', 'monitoring', 'before-after', 'comparison', 'randomised'] as const
export type EvidenceDesign = typeof EVIDENCE_DESIGNS[number]

/**
 * Cost per participant over the whole programme, in euros: band → [from, below].
 * The help page and the form name these ranges; the last band has no upper end.
 */
export const COST_BANDS = [1, 2, 3, 4, 5] as const
export type CostBand = typeof COST_BANDS[number]
export const COST_BAND_EUROS: Record<CostBand, readonly [number, number | null]> = {
  1: [0, 100],
  2: [100, 500],
  3: [500, 2000],
  4: [2000, 10_000],
  5: [10_000, null]
}

export const MAX_PARTICIPANTS = 10_000_000
export const MAX_SITES = 100_000

/** Fewer participants than this, or none stated, and chance may explain the result. */
export const FEW_PARTICIPANTS = 30

export const EVIDENCE_RATING_MAX = 5

export interface EvidenceStrengthFields {
  evidenceDesign?: EvidenceDesign
  participants?: number
  sites?: number
  /** Rows of figures with their sources. */
  evidence: readonly unknown[]
}

/** A step of the rule that changed the rating, for the reader to see why. */
export type RatingStep = 'design' | 'fewParticipants' | 'oneSite' | 'noFigures'

export interface EvidenceRating {
  rating: number
  steps: RatingStep[]
}

/**
 * The published rule (explained in plain words at /help/evidence):
 * 1. Start from how the result is known: practitioners' observation 1, routine monitoring
 *    data 2, before-and-after measurement 3, comparison group 4, randomised comparison 5.
 * 2. Subtract 1 when fewer than 30 participants are stated, or none.
 * 3. At most 4 when the result comes from one site, or the number of sites is not stated.
 * 4. At most 1 when the lesson gives no figure with its source.
 * The rating is never below 0. Without a design there is no rating: "not stated".
 */
export function evidenceRating (fields: EvidenceStrengthFields): EvidenceRating | null {
  if (fields.evidenceDesign === undefined) return null
  const steps: RatingStep[] = ['design']
  let rating = EVIDENCE_DESIGNS.indexOf(fields.evidenceDesign) + 1
  if (fields.participants === undefined || fields.participants < FEW_PARTICIPANTS) {
    rating -= 1
    steps.push('fewParticipants')
  }
  if ((fields.sites === undefined || fields.sites < 2) && rating > 4) {
    rating = 4
    steps.push('oneSite')
  }
  if (fields.evidence.length === 0 && rating > 1) {
    rating = 1
    steps.push('noFigures')
  }
  return { rating: Math.max(0, rating), steps }
}

export function isEvidenceDesign (value: unknown): value is EvidenceDesign {
  return (EVIDENCE_DESIGNS as readonly unknown[]).includes(value)
}

export function isCostBand (value: unknown): value is CostBand {
  return (COST_BANDS as readonly unknown[]).includes(value)
}

export function isCount (value: unknown, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= max
}
