import { createWriteStream } from 'node:fs'
import { open, rename, unlink } from 'node:fs/promises'
import path from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createGzip } from 'node:zlib'
import type { Db } from 'mongodb'
import { BACKUP_FORMAT, BACKUP_VERSION, collectionLine, documentLine, endLine, headerLine, type BackupHeader } from './format.ts'

export interface BackupSummary {
  file: string
  collections: number
  documents: number
  bytes: number
}

/** The collections of a database worth keeping: MongoDB's own `system.*` collections and views are not data. */
export async function collectionNames (db: Db): Promise<string[]> {
  const entries = await db.listCollections({}, { nameOnly: true }).toArray()
  return entries
    .filter(entry => (entry.type === undefined || entry.type === 'collection') && !entry.name.startsWith('system.'))
    .map(entry => entry.name)
    .sort()
}

async function * backupLines (db: Db, header: BackupHeader, counts: Record<string, number>): AsyncGenerator<string> {
  yield headerLine(header)
  for (const name of await collectionNames(db)) {
    const collection = db.collection(name)
    yield collectionLine(name, await collection.listIndexes().toArray())
    counts[name] = 0
    // Numbers as the server holds them (Int32, Long, Double), not as the JavaScript numbers they would be promoted to.
    for await (const document of collection.find({}, { promoteValues: false, promoteLongs: false, promoteBuffers: false })) {
      yield documentLine(document)
      counts[name]++
    }
  }
  yield endLine(counts)
}

/**
 * Writes every collection of `db` with its indexes to `file`. The file is
 * written under a temporary name, fsynced, then renamed, so a backup cut
 * short never stands where a finished one is expected.
 */
export async function writeBackup (db: Db, file: string, about: Pick<BackupHeader, 'engine' | 'baseUrl'>): Promise<BackupSummary> {
  const header: BackupHeader = { format: BACKUP_FORMAT, version: BACKUP_VERSION, createdAt: new Date().toISOString(), engine: about.engine, database: db.databaseName, baseUrl: about.baseUrl }
  const counts: Record<string, number> = {}
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.partial`)
  try {
    await pipeline(Readable.from(backupLines(db, header, counts)), createGzip(), createWriteStream(temporary))
    const bytes = await syncFile(temporary)
    await rename(temporary, file)
    await syncFile(path.dirname(file))
    const documents = Object.values(counts).reduce((sum, count) => sum + count, 0)
    return { file, collections: Object.keys(counts).length, documents, bytes }
  } catch (error) {
    await unlink(temporary).catch(() => {})
    throw error
  }
}

/** Flushes a file (or a directory, after a rename in it) to disk; answers its size. */
async function syncFile (name: string): Promise<number> {
  const handle = await open(name, 'r')
  try {
    await handle.sync()
    return (await handle.stat()).size
  } finally {
    await handle.close()
  }
}
