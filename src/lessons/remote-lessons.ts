import { lessonOfPage, type Lesson } from './schema.ts'

/**
 * A lesson another organisation published, as federation keeps it: its checked fields in
 * the shape of front matter (see linked-data-reader.ts) and where it came from.
 */
export interface RemoteLessonRecord {
  /** The id of its page here, `/remote/<id>`. */
  id: string
  /** The Article's ActivityPub id, by which federation's events name it. */
  objectId: string
  title: string
  summary: string
  language: string
  licence: string
  tags: string[]
  /** The organisation's display name, which `origin` filters by. */
  organisation: string
  host: string
  originalUrl: string
  /** Addressed to everyone (public) or to followers only (unlisted). */
  visibility: 'public' | 'unlisted'
  fields: Record<string, unknown>
  published: Date
  updated: Date
}

/** Remote lessons are lessons: the same reading as local ones, with their origin. */
export function lessonOfRemote (record: RemoteLessonRecord): Lesson | null {
  const lesson = lessonOfPage({
    slug: `remote-${record.id}`,
    title: record.title,
    language: record.language,
    frontMatter: record.fields,
    fields: { tags: record.tags, licence: record.licence, visibility: record.visibility, summary: record.summary, type: 'lesson' },
    createdAt: record.published,
    updatedAt: record.updated
  })
  if (lesson === null) return null
  // Set on the new object rather than spread into a copy: V8 gives each copy of an object this
  // size a hidden class of its own (about 700 bytes a lesson, 70 MB at 100,000 remote lessons).
  lesson.origin = record.organisation
  lesson.path = `/remote/${record.id}`
  lesson.remote = { originalUrl: record.originalUrl, host: record.host }
  return lesson
}
