import type { MessageKey, Translate } from '../i18n/index.ts'
import { COST_BAND_EUROS, COST_BANDS, EVIDENCE_DESIGNS, EVIDENCE_RATING_MAX, evidenceRating, type CostBand } from './evidence-strength.ts'
import type { Lesson } from './schema.ts'

/** How sure and at what cost, as words for the fact box, the form and the evidence view. */

export function designLabel (t: Translate, design: string): string {
  return t(`lesson.design.${design}` as MessageKey)
}

/** "€100 to under €500", with numbers as the reader's language writes them. */
export function costBandLabel (t: Translate, band: CostBand): string {
  const [from, below] = COST_BAND_EUROS[band]
  if (from === 0) return t('lesson.costBandBelow', { band, below: below ?? 0 })
  return below === null ? t('lesson.costBandFrom', { band, from }) : t('lesson.costBandRange', { band, from, below })
}

/** "3 of 5", or "not stated" for a lesson that does not say how its result is known. */
export function ratingLabel (t: Translate, rating: number | null): string {
  return rating === null ? t('lesson.notStated') : t('lesson.ratingValue', { rating, max: EVIDENCE_RATING_MAX })
}

/** Filled and empty marks, so the rating reads at a glance and without colour; the words say it too. */
export function ratingMarks (rating: number | null): string {
  return rating === null ? '' : '●'.repeat(rating) + '○'.repeat(EVIDENCE_RATING_MAX - rating)
}

export interface StrengthView {
  rating: number | null
  ratingText: string
  ratingMarks: string
  /** Why the rating is what it is, one sentence per step of the rule that applied. */
  reasons: string[]
  facts: Array<{ label: string, value: string }>
}

export function strengthView (t: Translate, lesson: Lesson): StrengthView {
  const rated = evidenceRating(lesson)
  const notStated = t('lesson.notStated')
  return {
    rating: rated?.rating ?? null,
    ratingText: ratingLabel(t, rated?.rating ?? null),
    ratingMarks: ratingMarks(rated?.rating ?? null),
    reasons: rated === null
      ? []
      : rated.steps.map(step => step === 'design'
        ? t('lesson.ratingReason.design', { design: designLabel(t, lesson.evidenceDesign ?? '') })
        : t(`lesson.ratingReason.${step}` as MessageKey)),
    facts: [
      { label: t('lesson.evidenceDesign'), value: lesson.evidenceDesign === undefined ? notStated : designLabel(t, lesson.evidenceDesign) },
      { label: t('lesson.participants'), value: lesson.participants === undefined ? notStated : t('lesson.count', { count: lesson.participants }) },
      { label: t('lesson.sites'), value: lesson.sites === undefined ? notStated : t('lesson.count', { count: lesson.sites }) },
      { label: t('lesson.costBand'), value: lesson.costBand === undefined ? notStated : costBandLabel(t, lesson.costBand) }
    ]
  }
}

/** The form's choices for how a result is known and what it cost. */
export function strengthChoices (t: Translate) {
  return {
    evidenceDesigns: EVIDENCE_DESIGNS.map(value => ({ value, label: designLabel(t, value) })),
    costBands: COST_BANDS.map(band => ({ value: String(band), label: costBandLabel(t, band) }))
  }
}
