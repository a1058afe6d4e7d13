import { createRequire } from 'node:module'
import path from 'node:path'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import fastifyStatic from '@fastify/static'
import fastifyPlugin from 'fastify-plugin'
import { helpRoutes } from './help-routes.ts'
import { lessonRoutes, type LessonRoutesOptions } from './routes.ts'
import { lessonOfPage, type LessonPage } from './schema.ts'
import { createLessonService, type LessonService, type LessonServiceOptions } from './service.ts'
import { lessonView } from './view.ts'
import { visibleLessons } from './visible-lessons.ts'
export { publicLessons } from './visible-lessons.ts'
import { vocabularyRoutes } from './vocabulary-routes.ts'

export { createLessonCheck } from './check.ts'
export { createLessonService, type LessonService } from './service.ts'
export { LessonValidationError } from './errors.ts'
export { DEFAULT_LESSON_FIELDS } from './vocabulary.ts'
export type { RemoteLessonRecord } from './remote-lessons.ts'
// For the evidence view (src/evidence): the listing, its filters, labels and charts.
export { filterLessons, sortLessons } from './browse.ts'
export { chartModel, emptyCounts, outcomesByField, type OutcomeRow } from './charts.ts'
export { costBandLabel, ratingLabel, ratingMarks } from './evidence-strength-view.ts'
export { COST_BANDS, EVIDENCE_RATING_MAX, evidenceRating } from './evidence-strength.ts'
export { lessonJson } from './exports.ts'
export { fieldLabel } from './field-labels.ts'
export type { Lesson } from './schema.ts'
export { impactLabel, outcomeLabel } from './view.ts'
export { IMPACT_STEPS, OUTCOMES, type Outcome } from './vocabulary.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** The lesson listing, for views that bring lessons together (src/evidence). */
    lessons: LessonService
  }
}

export type LessonsPluginOptions = Omit<LessonRoutesOptions, 'wiki' | 'lessons' | 'renderer' | 'readerCache'> & Pick<LessonServiceOptions, 'remoteLessons' | 'remoteLesson'>

/**
 * Lessons on top of the wiki: the browse, export, overview, map and form routes, the
 * plain-language help, a lesson's fact box on its page, and Leaflet's files, served by
 * the app itself (no third-party hosts).
 */
export const lessonsPlugin = fastifyPlugin(async (app: FastifyInstance, options: LessonsPluginOptions) => {
  const lessons = createLessonService({ wiki: app.wiki, remoteLessons: options.remoteLessons, remoteLesson: options.remoteLesson })
  // Each change reaches the kept list as the one lesson it names.
  app.events.on('page.saved', ({ page }) => { lessons.pageSaved(page) })
  app.events.on('page.deleted', ({ id }) => { lessons.pageDeleted(id) })
  app.events.on('remote.saved', ({ page }) => { lessons.remoteChanged(page.id) })
  app.events.on('remote.deleted', ({ id }) => { lessons.remoteChanged(id) })
  app.decorate('lessons', lessons)
  app.pageExtras.push(lessonPageExtras(lessons))
  const leafletDist = path.join(path.dirname(createRequire(import.meta.url).resolve('leaflet/package.json')), 'dist')
  await app.register(fastifyStatic, {
    root: leafletDist,
    prefix: '/static/leaflet/',
    decorateReply: false,
    maxAge: '1d',
    index: false,
    dotfiles: 'deny'
  })
  await app.register(vocabularyRoutes)
  await app.register(lessonRoutes, { ...options, wiki: app.wiki, lessons, renderer: app.pageRenderer, readerCache: app.readerCache })
  await app.register(helpRoutes)
}, { name: 'praxiswiki-lessons', fastify: '5.x', dependencies: ['praxiswiki-http', 'praxiswiki-auth', 'praxiswiki-wiki'] })

/**
 * What the page view adds for a lesson: its fact box, evidence and related lessons.
 * Returns nothing for other pages, so the wiki's page view stays unaware of lessons.
 * A preview or an old revision gets the fact box and evidence of its own text only.
 */
export function lessonPageExtras (lessons: LessonService) {
  return async (request: FastifyRequest, page: LessonPage, view: 'page' | 'snapshot'): Promise<Record<string, unknown>> => {
    const lesson = lessonOfPage(page)
    if (lesson === null) return {}
    if (view === 'snapshot') return { lesson: lessonView(request.t, lesson), lessonSnapshot: true }
    const related = lessons.related(lesson, await visibleLessons(lessons, request))
    return { lesson: lessonView(request.t, lesson), relatedLessons: related.map(other => lessonView(request.t, other)) }
  }
}
