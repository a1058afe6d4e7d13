import type { WikiService } from '../wiki/service.ts'
import { lessonOfRemote, type RemoteLessonRecord } from './remote-lessons.ts'
import { lessonOfPage, type Lesson } from './schema.ts'

export interface LessonServiceOptions {
  wiki: Pick<WikiService, 'pagesOfType'>
  /** Lessons of the organisations this wiki follows; federation registers after lessons, so it is asked per call. */
  remoteLessons?: () => Promise<RemoteLessonRecord[]>
}

const RELATED_LIMIT = 5

export type LessonService = ReturnType<typeof createLessonService>

/**
 * Lessons are wiki pages, local and received; this reads them through the wiki service and
 * federation's records, never their collections. The list is read once and kept until a
 * page or remote page changes (`forget`), so a list request filters in memory instead of
 * reading every lesson again.
 */
export function createLessonService (options: LessonServiceOptions) {
  let kept: Promise<Lesson[]> | null = null
  let generation = 0

  async function read (): Promise<Lesson[]> {
    const pages = await options.wiki.pagesOfType('lesson')
    const local = pages.flatMap(page => lessonOfPage(page) ?? [])
    const remote = options.remoteLessons === undefined ? [] : (await options.remoteLessons()).flatMap(record => lessonOfRemote(record) ?? [])
    return [...local, ...remote]
  }

  async function all (): Promise<Lesson[]> {
    if (kept !== null) return await kept
    const started = generation
    const reading = read()
    kept = reading
    try {
      return await reading
    } catch (error) {
      if (kept === reading) kept = null
      throw error
    } finally {
      // A change during the read may be missing from it: read again next time.
      if (generation !== started && kept === reading) kept = null
    }
  }

  /** Called on every change of a page or remote page. */
  function forget (): void {
    generation += 1
    kept = null
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

  return { all, forget, related }
}
