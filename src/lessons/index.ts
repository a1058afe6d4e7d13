import { createRequire } from 'node:module'
import path from 'node:path'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import fastifyStatic from '@fastify/static'
import { seesLocalPages } from '../auth/visibility.ts'
import { lessonRoutes, type LessonRoutesOptions } from './routes.ts'
import { lessonOfPage, type LessonPage } from './schema.ts'
import type { LessonService } from './service.ts'
import { lessonView } from './view.ts'

export { createLessonCheck } from './check.ts'
export { createLessonService, type LessonService } from './service.ts'
export { LessonValidationError } from './errors.ts'
export { DEFAULT_LESSON_FIELDS } from './vocabulary.ts'

export type LessonsPluginOptions = LessonRoutesOptions

/** Lesson routes plus Leaflet's files, served by the app itself (no third-party hosts). */
export async function lessonsPlugin (app: FastifyInstance, options: LessonsPluginOptions): Promise<void> {
  const leafletDist = path.join(path.dirname(createRequire(import.meta.url).resolve('leaflet/package.json')), 'dist')
  await app.register(fastifyStatic, {
    root: leafletDist,
    prefix: '/static/leaflet/',
    decorateReply: false,
    maxAge: '1d',
    index: false,
    dotfiles: 'deny'
  })
  await app.register(lessonRoutes, options)
}

/**
 * What the page view adds for a lesson: its fact box, evidence and related lessons.
 * Returns nothing for other pages, so the wiki's page view stays unaware of lessons.
 */
export function lessonPageExtras (lessons: LessonService) {
  return async (request: FastifyRequest, page: LessonPage): Promise<Record<string, unknown>> => {
    const lesson = lessonOfPage(page)
    if (lesson === null) return {}
    const all = await lessons.all()
    const related = lessons.related(lesson, seesLocalPages(request) ? all : all.filter(other => other.visibility !== 'local'))
    return { lesson: lessonView(request.t, lesson), relatedLessons: related.map(other => lessonView(request.t, other)) }
  }
}
