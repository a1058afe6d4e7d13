import type { WikiService } from '../wiki/service.ts'
import { lessonOfPage, type Lesson } from './schema.ts'

export interface LessonServiceOptions {
  wiki: Pick<WikiService, 'pagesOfType'>
}

const RELATED_LIMIT = 5

export type LessonService = ReturnType<typeof createLessonService>

/** Lessons are wiki pages; this reads them through the wiki service, never its collections. */
export function createLessonService (options: LessonServiceOptions) {
  async function all (): Promise<Lesson[]> {
    const pages = await options.wiki.pagesOfType('lesson')
    return pages.flatMap(page => lessonOfPage(page) ?? [])
  }

  /** Lessons from the same field or with shared tags, the most in common first. */
  function related (lesson: Lesson, lessons: readonly Lesson[], limit = RELATED_LIMIT): Lesson[] {
    const tags = new Set(lesson.tags.map(tag => tag.toLowerCase()))
    return lessons
      .filter(other => other.slug !== lesson.slug)
      .map(other => ({
        other,
        score: (other.field !== '' && other.field === lesson.field ? 2 : 0) + other.tags.filter(tag => tags.has(tag.toLowerCase())).length
      }))
      .filter(item => item.score > 0)
      .sort((a, b) => b.score - a.score || b.other.updatedAt.getTime() - a.other.updatedAt.getTime())
      .slice(0, limit)
      .map(item => item.other)
  }

  return { all, related }
}
