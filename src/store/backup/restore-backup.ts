import type { Db, Document } from 'mongodb'
import type { BackupHeader } from './format.ts'
import { readBackup } from './read-backup.ts'
import { collectionNames } from './write-backup.ts'

// A batch stays well below MongoDB's 48 MB message and the engine's single journal entry.
const BATCH_DOCUMENTS = 1000
const BATCH_BYTES = 8 * 1024 * 1024

/** The target of a restore holds data already: a restore never mixes two stores. */
export class RestoreTargetNotEmptyError extends Error {
  readonly code = 'RESTORE_TARGET_NOT_EMPTY'

  constructor (readonly collections: string[]) {
    super(`the target store is not empty (documents in ${collections.join(', ')}); restore only into an empty data dir or database; nothing was restored`)
    this.name = 'RestoreTargetNotEmptyError'
  }
}

export interface RestoreSummary {
  header: BackupHeader
  collections: number
  documents: number
}

async function checkEmpty (db: Db): Promise<void> {
  const holding: string[] = []
  for (const name of await collectionNames(db)) {
    if (await db.collection(name).findOne({}, { projection: { _id: 1 } }) !== null) holding.push(name)
  }
  if (holding.length > 0) throw new RestoreTargetNotEmptyError(holding)
}

/** Reads the whole file once, writing nothing: a foreign, damaged or cut-off file fails here. */
async function inspect (file: string): Promise<RestoreSummary> {
  let header: BackupHeader | undefined
  let collections = 0
  let documents = 0
  for await (const record of readBackup(file)) {
    if (record.kind === 'header') header = record.header
    else if (record.kind === 'collection') collections++
    else documents++
  }
  return { header: header as BackupHeader, collections, documents }
}

function indexOptions (spec: Document): Document {
  const { v, key, ns, ...options } = spec
  return options
}

async function load (db: Db, file: string, touched: string[]): Promise<void> {
  let batch: Document[] = []
  let batchBytes = 0
  let target: string | null = null
  const flush = async (): Promise<void> => {
    if (target !== null && batch.length > 0) await db.collection(target).insertMany(batch, { ordered: true })
    batch = []
    batchBytes = 0
  }
  for await (const record of readBackup(file)) {
    if (record.kind === 'collection') {
      await flush()
      target = record.name
      touched.push(record.name)
      if (!(await collectionNames(db)).includes(record.name)) await db.createCollection(record.name)
      for (const spec of record.indexes) {
        if (spec.name !== '_id_') await db.collection(record.name).createIndex(spec.key, indexOptions(spec))
      }
    } else if (record.kind === 'document') {
      batch.push(record.document)
      batchBytes += record.bytes
      if (batch.length >= BATCH_DOCUMENTS || batchBytes >= BATCH_BYTES) await flush()
    }
  }
  await flush()
}

/**
 * Fills an empty store from a backup. The file is read through once before
 * anything is written; should writing fail after all, the collections
 * written so far are dropped again, leaving the store as empty as it was.
 */
export async function restoreBackup (db: Db, file: string): Promise<RestoreSummary> {
  await checkEmpty(db)
  const summary = await inspect(file)
  const touched: string[] = []
  try {
    await load(db, file, touched)
  } catch (error) {
    for (const name of touched) await db.collection(name).drop().catch(() => {})
    throw error
  }
  return summary
}
