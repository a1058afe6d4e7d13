/** The controlled values of a lesson's front matter; labels live in the message catalogue. */

export const OUTCOMES = ['works', 'fails', 'mixed', 'open'] as const
export type Outcome = typeof OUTCOMES[number]

/** How service users took part, from not at all to leading it themselves. */
export const CO_PRODUCTION_LEVELS = ['none', 'informed', 'consulted', 'co-designed', 'co-delivered', 'user-led'] as const
export type CoProduction = typeof CO_PRODUCTION_LEVELS[number]

/** PHINEO's Wirkungstreppe: steps 1–3 are output, 4–6 outcome, 7 impact. */
export const IMPACT_STEPS = [1, 2, 3, 4, 5, 6, 7] as const

export function impactLevel (step: number): 'output' | 'outcome' | 'impact' {
  if (step <= 3) return 'output'
  if (step <= 6) return 'outcome'
  return 'impact'
}

/** Fields of social work offered by default; the LESSON_FIELDS setting replaces the list. */
export const DEFAULT_LESSON_FIELDS: readonly string[] = [
  'Altenhilfe',
  'Jugendhilfe',
  'Eingliederungshilfe',
  'Quartiersarbeit',
  'Wohnungslosenhilfe',
  'Suchthilfe',
  'Migration und Integration',
  'Familienhilfe',
  'Arbeitsmarktintegration',
  'Gesundheitsförderung'
]

export const SUMMARY_MAX_LENGTH = 500

/** AdmittingFailure's report outline; the order is the order of the body. */
export const SECTION_IDS = ['context', 'approach', 'happened', 'learned', 'soWhat', 'evidence'] as const
export type SectionId = typeof SECTION_IDS[number]

export const SECTION_HEADINGS: Record<'de' | 'en', Record<SectionId, string>> = {
  de: {
    context: 'Kontext',
    approach: 'Was wir getan und angenommen haben',
    happened: 'Was passiert ist und warum',
    learned: 'Was wir gelernt haben',
    soWhat: 'Und jetzt: was sich geändert hat, was wir empfehlen',
    evidence: 'Belege'
  },
  en: {
    context: 'Context',
    approach: 'What we did and what we assumed',
    happened: 'What happened and why',
    learned: 'What we learned',
    soWhat: 'So what: what changed, what we recommend',
    evidence: 'Evidence'
  }
}

export function headingsFor (language: string): Record<SectionId, string> {
  return language.toLowerCase().startsWith('de') ? SECTION_HEADINGS.de : SECTION_HEADINGS.en
}
