import { BSON, type Document } from 'mongodb'

/*
 * A backup is one gzip stream of lines, each a JSON object:
 *   header      {"format":"praxiswiki-backup","version":1,"createdAt":…,"engine":…,"database":…,"baseUrl":…}
 *   collection  {"collection":NAME,"indexes":[index specs as canonical Extended JSON]}
 *   document    {"bson":BASE64}            (belongs to the collection line before it)
 *   end         {"end":{NAME:document count,…}}
 * Documents travel as BSON, not Extended JSON: a stored field named `$date`
 * or `$oid` (ActivityPub JSON from other servers may hold anything) would
 * come back from Extended JSON as a value instead of the object it was.
 * The end line makes a cut-off file recognisable even where gzip would not.
 */

export const BACKUP_FORMAT = 'praxiswiki-backup'
export const BACKUP_VERSION = 1

export interface BackupHeader {
  format: typeof BACKUP_FORMAT
  version: number
  createdAt: string
  engine: 'embedded' | 'mongodb'
  database: string
  /** The BASE_URL the backup was taken under: the organisation's identity (actor and object ids) is made of it. */
  baseUrl?: string
}

export type BackupRecord =
  | { kind: 'collection', name: string, indexes: Document[] }
  | { kind: 'document', collection: string, document: Document, bytes: number }

/** A file that is not a backup, or a damaged one: nothing is restored from it. */
export class BackupFileError extends Error {
  readonly code = 'BACKUP_FILE_INVALID'

  constructor (file: string, problem: string, options?: { cause?: unknown }) {
    super(`${file} cannot be restored: ${problem}; nothing was restored`, options)
    this.name = 'BackupFileError'
  }
}

export function headerLine (header: BackupHeader): string {
  return JSON.stringify(header) + '\n'
}

export function collectionLine (name: string, indexes: Document[]): string {
  return JSON.stringify({ collection: name, indexes: indexes.map(index => BSON.EJSON.serialize(index, { relaxed: true })) }) + '\n'
}

export function documentLine (document: Document): string {
  return JSON.stringify({ bson: Buffer.from(BSON.serialize(document, { checkKeys: false, ignoreUndefined: false })).toString('base64') }) + '\n'
}

export function endLine (counts: Record<string, number>): string {
  return JSON.stringify({ end: counts }) + '\n'
}
