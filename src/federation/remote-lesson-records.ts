import type { Db } from 'mongodb'
import type { RemoteLessonRecord } from '../lessons/index.ts'
import { remotePagesCollection, type RemotePageDocument } from './remote-pages.ts'

/** A remote page's lesson as the lessons domain reads it; null for a page that is no lesson. */
export function remoteLessonRecord (page: Omit<RemotePageDocument, 'html' | 'source'>): RemoteLessonRecord | null {
  if (page.lesson === null) return null
  return {
    id: page._id.toHexString(),
    objectId: page.objectId,
    title: page.title,
    summary: page.summary,
    language: page.language,
    licence: page.licence,
    tags: page.tags,
    organisation: page.actorName,
    host: page.origin,
    originalUrl: page.url,
    // Pages stored before the addressing was kept count as for followers only, so they stay out of open data.
    visibility: page.visibility ?? 'unlisted',
    fields: page.lesson,
    published: page.published,
    updated: page.updated
  }
}

/** The live remote pages that carry a lesson, without their texts. */
export async function remoteLessonRecords (db: Db): Promise<RemoteLessonRecord[]> {
  const pages = await remotePagesCollection(db)
    .find({ deletedAt: null, lesson: { $ne: null } }, { projection: { html: 0, source: 0 } })
    .toArray()
  return pages.flatMap(page => remoteLessonRecord(page) ?? [])
}

/** One live remote page's lesson by its ActivityPub id (as `remote.saved` names it); null when it is gone or no lesson. */
export async function remoteLessonRecordOf (db: Db, objectId: string): Promise<RemoteLessonRecord | null> {
  const page = await remotePagesCollection(db).findOne({ objectId, deletedAt: null }, { projection: { html: 0, source: 0 } })
  return page === null ? null : remoteLessonRecord(page)
}
