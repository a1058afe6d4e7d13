import { lessonOfRemote, type RemoteLessonRecord } from './remote-lessons.ts'
import { lessonOfPage, type Lesson, type LessonPage } from './schema.ts'

/** A stored lesson page as the wiki lists it: its fields and its permanent id. */
export type StoredLessonPage = LessonPage & { _id: { toHexString: () => string } }

export interface LessonServiceOptions {
  wiki: { pagesOfType: (type: 'lesson') => Promise<StoredLessonPage[]> }
  /** Lessons of the organisations this wiki follows; federation registers after lessons, so it is asked per call. */
  remoteLessons?: () => Promise<RemoteLessonRecord[]>
  /** One of them by its ActivityPub id; null when it is gone or no longer a lesson. */
  remoteLesson?: (objectId: string) => Promise<RemoteLessonRecord | null>
}

const RELATED_LIMIT = 5

export type LessonService = ReturnType<typeof createLessonService>

/** A change to one lesson, as the wiki's and federation's events tell it. */
type Change =
  | { kind: 'page', id: string, page: LessonPage | null }
  | { kind: 'remote', objectId: string }

/** Newest first, then by slug: the order /lessons lists by default. */
function newestFirst (a: Lesson, b: Lesson): number {
  return b.createdAt.getTime() - a.createdAt.getTime() || a.slug.localeCompare(b.slug)
}

/** The same order reversed: the order lessons are kept in, so that a new one goes to the end. */
function oldestLast (a: Lesson, b: Lesson): number {
  return newestFirst(b, a)
}

/**
 * Lessons are wiki pages, local and received; this reads them through the wiki service and
 * federation's records, never their collections. Every lesson is read once, then kept by
 * its permanent key (a local page's id, which survives renames; a remote page's ActivityPub
 * id), and each event changes only the lesson it names: at 100,000 lessons arriving at
 * hundreds a second, reading all of them again per change would never catch up.
 */
export function createLessonService (options: LessonServiceOptions) {
  const byKey = new Map<string, Lesson>()
  /**
   * The same lessons, newest last, kept in order as they change (a binary search and a
   * splice each). Newest first, each new lesson went to the front and moved every other
   * one: 0.3–0.6 ms per lesson arriving at 40,000–100,000 lessons.
   */
  const ordered: Lesson[] = []
  let listed: readonly Lesson[] | null = null
  /** Changes that arrive while the first read runs, applied after it in the order they came. */
  let queued: Change[] | null = null
  let loading: Promise<void> | null = null
  let loaded = false
  /** Counts full reads; a remote read from before a reset must not land in the new list. */
  let generation = 0
  const remoteReads = new Map<string, Promise<void>>()

  /** Where `lesson` sits (or would sit) in `ordered`. */
  function positionOf (lesson: Lesson): number {
    let low = 0
    let high = ordered.length
    while (low < high) {
      const middle = (low + high) >>> 1
      if (oldestLast(ordered[middle]!, lesson) < 0) low = middle + 1
      else high = middle
    }
    return low
  }

  function put (key: string, lesson: Lesson | null): void {
    const previous = byKey.get(key)
    if (previous !== undefined) {
      let index = positionOf(previous)
      while (index < ordered.length && ordered[index] !== previous) index++
      ordered.splice(index, 1)
      byKey.delete(key)
    }
    if (lesson !== null) {
      byKey.set(key, lesson)
      ordered.splice(positionOf(lesson), 0, lesson)
    }
    if (previous !== undefined || lesson !== null) listed = null
  }

  function readRemote (objectId: string): void {
    const reader = options.remoteLesson
    if (reader === undefined) return
    const started = generation
    // One read at a time per lesson, so an older answer never lands after a newer one.
    const reading = (remoteReads.get(objectId) ?? Promise.resolve())
      .then(async () => await reader(objectId))
      .then(record => {
        if (generation !== started) return
        put(`remote:${objectId}`, record === null ? null : lessonOfRemote(record))
      })
      .catch(() => {
        // The lesson may now be wrong in the list: read everything again on the next request.
        if (generation === started) reset()
      })
      .finally(() => { if (remoteReads.get(objectId) === reading) remoteReads.delete(objectId) })
    remoteReads.set(objectId, reading)
  }

  function apply (change: Change): void {
    if (change.kind === 'page') put(`page:${change.id}`, change.page === null ? null : lessonOfPage(change.page))
    else readRemote(change.objectId)
  }

  /** Before the first read nothing is kept (that read will see the change); during it, the change waits for it. */
  function receive (change: Change): void {
    if (loaded) apply(change)
    else if (queued !== null) queued.push(change)
  }

  function reset (): void {
    generation += 1
    byKey.clear()
    ordered.length = 0
    listed = null
    loaded = false
    loading = null
    queued = null
  }

  async function load (): Promise<void> {
    queued = []
    const started = generation
    try {
      const pages = await options.wiki.pagesOfType('lesson')
      const records = options.remoteLessons === undefined ? [] : await options.remoteLessons()
      if (generation !== started) return
      for (const page of pages) {
        const lesson = lessonOfPage(page)
        if (lesson !== null) byKey.set(`page:${page._id.toHexString()}`, lesson)
      }
      for (const record of records) {
        const lesson = lessonOfRemote(record)
        if (lesson !== null) byKey.set(`remote:${record.objectId}`, lesson)
      }
      // One push per lesson: spreading 100,000s of them as arguments overflows the stack.
      for (const lesson of byKey.values()) ordered.push(lesson)
      ordered.sort(oldestLast)
      const waiting = queued
      queued = null
      loaded = true
      for (const change of waiting) apply(change)
    } catch (error) {
      if (generation === started) reset()
      throw error
    }
  }

  /**
   * Every lesson, newest first. The array stays the same object until a lesson changes, so
   * views may keep what they derive from it (the evidence groups) by its identity.
   */
  async function all (): Promise<readonly Lesson[]> {
    if (!loaded) {
      loading ??= load()
      await loading
    }
    // Remote lessons still being read count as changed already: a list asked for after their event shows them.
    if (remoteReads.size > 0) await Promise.all([...remoteReads.values()])
    if (!loaded) return await all()
    listed ??= Object.freeze(ordered.toReversed())
    return listed
  }

  /** A local page was saved: its snapshot carries everything a lesson is read from. */
  function pageSaved (page: LessonPage & { id: string }): void {
    receive({ kind: 'page', id: page.id, page })
  }

  function pageDeleted (id: string): void {
    receive({ kind: 'page', id, page: null })
  }

  /** A remote page was stored, changed or withdrawn: its lesson is read again by its ActivityPub id. */
  function remoteChanged (objectId: string): void {
    receive({ kind: 'remote', objectId })
  }

  /** Lessons from the same field or with shared tags, the most in common first (the best `limit` kept in one pass). */
  function related (lesson: Lesson, lessons: readonly Lesson[], limit = RELATED_LIMIT): Lesson[] {
    const tags = new Set(lesson.tags.map(tag => tag.toLowerCase()))
    const before = (a: { other: Lesson, score: number }, b: { other: Lesson, score: number }): boolean =>
      a.score > b.score || (a.score === b.score && a.other.updatedAt.getTime() > b.other.updatedAt.getTime())
    const best: Array<{ other: Lesson, score: number }> = []
    for (const other of lessons) {
      if (other.slug === lesson.slug) continue
      const score = (other.field !== '' && other.field === lesson.field ? 2 : 0) + other.tags.filter(tag => tags.has(tag.toLowerCase())).length
      if (score === 0) continue
      const item = { other, score }
      if (best.length === limit && !before(item, best[limit - 1]!)) continue
      let index = best.length
      while (index > 0 && before(item, best[index - 1]!)) index--
      best.splice(index, 0, item)
      if (best.length > limit) best.pop()
    }
    return best.map(item => item.other)
  }

  return { all, pageSaved, pageDeleted, remoteChanged, related }
}
