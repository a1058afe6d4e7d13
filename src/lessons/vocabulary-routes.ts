import type { FastifyInstance } from 'fastify'
import type { MessageKey } from '../i18n/index.ts'
import { render } from '../http/context.ts'
import { LESSON_CONTEXT_PATH, LESSON_VOCABULARY_PATH, lessonContext, lessonIris } from './linked-data.ts'

/** What each term means, in the reader's language; the lesson form's labels where they say it. */
const MEANINGS: Record<string, MessageKey> = {
  lesson: 'vocabulary.meaning.lesson',
  Lesson: 'vocabulary.meaning.Lesson',
  programme: 'lesson.programme',
  organisation: 'lesson.organisation',
  field: 'lesson.field',
  outcome: 'vocabulary.meaning.outcome',
  impactStep: 'vocabulary.meaning.impactStep',
  coProduction: 'vocabulary.meaning.coProduction',
  place: 'lesson.place',
  'place.name': 'vocabulary.meaning.placeName',
  'place.geo': 'vocabulary.meaning.placeGeo',
  'place.latitude': 'vocabulary.meaning.latitude',
  'place.longitude': 'vocabulary.meaning.longitude',
  period: 'lesson.period',
  'period.from': 'vocabulary.meaning.periodFrom',
  'period.to': 'vocabulary.meaning.periodTo',
  evidence: 'lesson.evidence',
  'evidence.figure': 'lesson.evidenceFigure',
  'evidence.source': 'lesson.evidenceSource',
  'evidence.caveat': 'lesson.evidenceCaveat'
}

/**
 * The lesson vocabulary for programs (the JSON-LD context, readable from any origin and
 * cacheable: it changes only with a new version path) and for people (every term's IRI).
 */
export async function vocabularyRoutes (app: FastifyInstance): Promise<void> {
  const contextDocument = JSON.stringify({ '@context': lessonContext() }, null, 2)

  app.get(LESSON_CONTEXT_PATH, async (_request, reply) => {
    return await reply
      .type('application/ld+json; charset=utf-8')
      .header('Cache-Control', 'public, max-age=86400')
      .header('Access-Control-Allow-Origin', '*')
      .header('Cross-Origin-Resource-Policy', 'cross-origin')
      .header('Link', `<${LESSON_VOCABULARY_PATH}>; rel="describedby"; type="text/html"`)
      .send(contextDocument)
  })

  app.get(LESSON_VOCABULARY_PATH, async (request, reply) => {
    const t = request.t
    return await render(request, reply, 'lesson-vocabulary', {
      title: t('vocabulary.title'),
      contextPath: LESSON_CONTEXT_PATH,
      terms: lessonIris().map(({ term, iri }) => ({ term, iri, meaning: MEANINGS[term] === undefined ? '' : t(MEANINGS[term]) }))
    })
  })
}
