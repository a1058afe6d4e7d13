import type { FastifyInstance } from 'fastify'
import type { MessageKey } from '../i18n/index.ts'
import { SECTION_HEADINGS, SECTION_IDS } from './vocabulary.ts'
import { render } from '../http/context.ts'
import { costBandLabel, designLabel } from './evidence-strength-view.ts'
import { COST_BANDS, EVIDENCE_DESIGNS } from './evidence-strength.ts'

const START_STEPS: MessageKey[] = ['help.startStep1', 'help.startStep2', 'help.startStep3', 'help.startStep4']
const TOPICS: Array<[heading: MessageKey, text: MessageKey[]]> = [
  ['help.summaryHeading', ['help.summaryText']],
  ['help.outcomeHeading', ['help.outcomeText', 'help.impactText']],
  ['help.fairHeading', ['help.fairText']],
  ['help.privacyHeading', ['help.privacyText']],
  ['help.plainHeading', ['help.plainText']]
]

const RULE_STEPS: MessageKey[] = ['helpEvidence.rule1', 'helpEvidence.rule2', 'helpEvidence.rule3', 'helpEvidence.rule4', 'helpEvidence.rule5']

/** Plain-language help pages; their text lives in the message catalogue, so it follows the interface language. */
export async function helpRoutes (app: FastifyInstance): Promise<void> {
  app.get('/help/lessons', async (request, reply) => {
    const t = request.t
    const headings = SECTION_HEADINGS[request.locale]
    return await render(request, reply, 'help-lessons', {
      title: t('help.title'),
      steps: START_STEPS.map(key => t(key)),
      parts: SECTION_IDS.map(id => ({ heading: headings[id], text: t(`help.part.${id}`) })),
      topics: TOPICS.map(([heading, text]) => ({ heading: t(heading), paragraphs: text.map(key => t(key)) }))
    })
  })

  app.get('/help/evidence', async (request, reply) => {
    const t = request.t
    return await render(request, reply, 'help-evidence', {
      title: t('helpEvidence.title'),
      rule: RULE_STEPS.map(key => t(key)),
      designs: EVIDENCE_DESIGNS.map((design, index) => ({ label: `${index + 1} – ${designLabel(t, design)}`, text: t(`helpEvidence.design.${design}`) })),
      costBands: COST_BANDS.map(band => costBandLabel(t, band))
    })
  })
}
