import { ObjectId } from 'mongodb'
import type { RemotePageDocument } from '../../src/federation/remote-pages.ts'

/** A page of another organisation as federation stores it; tests change what they need. */
export function remotePageFixture (fields: Partial<RemotePageDocument> = {}): RemotePageDocument {
  const date = new Date('2024-05-01T10:00:00Z')
  return {
    _id: new ObjectId(),
    objectId: 'https://other.example/ap/o/1',
    actorId: 'https://other.example/ap/u/wiki',
    actorName: 'Stadtteilverein Süd',
    origin: 'other.example',
    url: 'https://other.example/wiki/tauschboerse',
    title: 'Tauschbörse im Stadtteil',
    summary: '',
    html: '<p>Eine Lektion aus einer anderen Stadt.</p>',
    source: null,
    tags: [],
    language: 'de',
    licence: 'CC-BY-SA-4.0',
    lesson: null,
    published: date,
    updated: date,
    receivedAt: date,
    deletedAt: null,
    ...fields
  }
}
