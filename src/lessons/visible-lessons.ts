import type { FastifyRequest } from 'fastify'
import { seesLocalPages } from '../auth/visibility.ts'
import { filterLessons, sortLessons, type LessonSelection } from './browse.ts'
import type { Lesson } from './schema.ts'
import type { LessonService } from './service.ts'

/** Local lessons are for signed-in people only, in every list, count and chart. */
export async function visibleLessons (lessons: LessonService, request: FastifyRequest): Promise<Lesson[]> {
  const all = await lessons.all()
  return seesLocalPages(request) ? all : all.filter(lesson => lesson.visibility !== 'local')
}

/** Open data leaves the wiki: only what its authors published goes into the exports. */
export async function exportableLessons (lessons: LessonService, selection: LessonSelection): Promise<Lesson[]> {
  return sortLessons(filterLessons((await lessons.all()).filter(lesson => lesson.visibility === 'public'), selection.filter), selection.sort)
}
