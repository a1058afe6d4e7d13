import { setTimeout as sleep } from 'node:timers/promises'
import type { Lesson } from '../lessons/index.ts'

/**
 * Every lesson the instance knows, kept between requests: /evidence answers from this
 * list instead of reading and parsing every lesson's front matter on each request.
 * A saved, deleted or received page marks it outdated; the next request starts one
 * rebuild and waits for it up to FRESH_WAIT_MILLIS. A small wiki so always answers with
 * every change; a large one, while lessons arrive quickly, answers from the previous list
 * (stale by one rebuild) rather than make each request wait for 100,000 lessons.
 */
export const FRESH_WAIT_MILLIS = 150

export interface LessonSnapshot {
  lessons: readonly Lesson[]
  /** When the list was read. */
  readAt: Date
}

export interface SnapshotOptions {
  /** The same listing /lessons uses, so lessons of every origin it lists are here too. */
  list: () => Promise<Lesson[]>
}

export function createLessonSnapshot (options: SnapshotOptions) {
  let current: LessonSnapshot | null = null
  let outdated = true
  let rebuilding: Promise<LessonSnapshot> | null = null

  function rebuild (): Promise<LessonSnapshot> {
    if (rebuilding !== null) return rebuilding
    outdated = false
    rebuilding = options.list()
      .then(lessons => {
        current = { lessons, readAt: new Date() }
        return current
      })
      .finally(() => { rebuilding = null })
    return rebuilding
  }

  /** The newest list there is: a rebuild if it comes within FRESH_WAIT_MILLIS, else the previous one. */
  async function read (): Promise<LessonSnapshot> {
    if (current === null) return await rebuild()
    if (!outdated && rebuilding === null) return current
    const previous = current
    const next = (outdated ? rebuild() : rebuilding ?? Promise.resolve(previous))
      .catch(() => { outdated = true; return previous })
    const cancel = new AbortController()
    try {
      return await Promise.race([next, sleep(FRESH_WAIT_MILLIS, previous, { signal: cancel.signal })])
    } finally {
      cancel.abort()
    }
  }

  function invalidate (): void {
    outdated = true
  }

  return { read, invalidate }
}

export type LessonSnapshotStore = ReturnType<typeof createLessonSnapshot>
