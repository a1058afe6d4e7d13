import type { FastifyRequest } from 'fastify'
import { seesLocalPages } from '../auth/visibility.ts'
import { filterLessons, sortLessons, type LessonSelection } from './browse.ts'
import type { Lesson } from './schema.ts'
import type { LessonService } from './service.ts'

// The listing's array stays the same until a lesson changes: each narrower list is made once per version of it.
const withoutLocal = new WeakMap<readonly Lesson[], readonly Lesson[]>()
const onlyPublic = new WeakMap<readonly Lesson[], readonly Lesson[]>()

function narrowed (kept: WeakMap<readonly Lesson[], readonly Lesson[]>, all: readonly Lesson[], keep: (lesson: Lesson) => boolean): readonly Lesson[] {
  let list = kept.get(all)
  if (list === undefined) {
    list = Object.freeze(all.filter(keep))
    kept.set(all, list)
  }
  return list
}

/** Local lessons are for signed-in people only, in every list, count and chart. */
export async function visibleLessons (lessons: LessonService, request: FastifyRequest): Promise<readonly Lesson[]> {
  const all = await lessons.all()
  return seesLocalPages(request) ? all : narrowed(withoutLocal, all, lesson => lesson.visibility !== 'local')
}

/** The public lessons of a version of the listing, made once per version. */
export function publicLessons (all: readonly Lesson[]): readonly Lesson[] {
  return narrowed(onlyPublic, all, lesson => lesson.visibility === 'public')
}

/** Open data leaves the wiki: only what its authors published goes into the exports. */
export async function exportableLessons (lessons: LessonService, selection: LessonSelection): Promise<Lesson[]> {
  return sortLessons(filterLessons(publicLessons(await lessons.all()), selection.filter), selection.sort)
}
