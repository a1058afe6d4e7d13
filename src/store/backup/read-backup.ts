import { createReadStream } from 'node:fs'
import { open } from 'node:fs/promises'
import { createGunzip } from 'node:zlib'
import { BSON, type Document } from 'mongodb'
import { BACKUP_FORMAT, BACKUP_VERSION, BackupFileError, type BackupHeader, type BackupRecord } from './format.ts'

// A 16 MiB document in base64 with its wrapping; anything longer is not a line of a backup.
const LONGEST_LINE = 24 * 1024 * 1024

async function * linesOf (file: string): AsyncGenerator<string> {
  // Opened first so that a missing file is named as such, not as damage.
  await (await open(file, 'r')).close()
  const source = createReadStream(file)
  const gunzip = createGunzip()
  source.on('error', error => gunzip.destroy(error))
  source.pipe(gunzip)
  gunzip.setEncoding('utf8')
  let rest = ''
  try {
    for await (const chunk of gunzip as AsyncIterable<string>) {
      const lines = (rest + chunk).split('\n')
      rest = lines.pop() ?? ''
      if (rest.length > LONGEST_LINE) throw new Error(`a line is longer than ${LONGEST_LINE} characters`)
      yield * lines
    }
  } finally {
    source.destroy()
    gunzip.destroy()
  }
  if (rest !== '') yield rest
}

function parseJson (line: string, number: number): Record<string, unknown> {
  let value: unknown
  try {
    value = JSON.parse(line)
  } catch {
    value = null
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error(`line ${number} is not a JSON object`)
  return value as Record<string, unknown>
}

function readHeader (file: string, line: string): BackupHeader {
  let record: Record<string, unknown> | null = null
  try {
    record = parseJson(line, 1)
  } catch {}
  if (record?.format !== BACKUP_FORMAT) throw new BackupFileError(file, 'it is not a Praxiswiki backup (its first line does not say so)')
  if (typeof record.version !== 'number' || !Number.isInteger(record.version) || record.version < 1) throw new Error('the header has no valid format version')
  if (record.version > BACKUP_VERSION) throw new BackupFileError(file, `it was written in format version ${record.version} by a newer Praxiswiki; this one reads up to version ${BACKUP_VERSION}`)
  if (typeof record.createdAt !== 'string' || typeof record.database !== 'string' || (record.engine !== 'embedded' && record.engine !== 'mongodb')) {
    throw new Error('the header lacks createdAt, database or engine')
  }
  return record as unknown as BackupHeader
}

function readDocument (record: Record<string, unknown>, number: number): { document: Document, bytes: number } {
  if (typeof record.bson !== 'string') throw new Error(`line ${number} is neither a collection, a document nor the end`)
  const bytes = Buffer.from(record.bson, 'base64')
  let document: Document
  try {
    document = BSON.deserialize(bytes, { promoteValues: false, promoteLongs: false, promoteBuffers: false })
  } catch (error) {
    throw new Error(`line ${number} holds no readable BSON document: ${(error as Error).message}`)
  }
  if (!('_id' in document)) throw new Error(`the document on line ${number} has no _id`)
  return { document, bytes: bytes.length }
}

function checkCounts (expected: unknown, counted: Map<string, number>): void {
  if (expected === null || typeof expected !== 'object') throw new Error('the end line counts no documents')
  const wanted = Object.entries(expected as Record<string, unknown>)
  const same = wanted.length === counted.size && wanted.every(([name, count]) => counted.get(name) === count)
  if (!same) throw new Error(`the end line counts ${JSON.stringify(expected)}, the file holds ${JSON.stringify(Object.fromEntries(counted))}`)
}

/**
 * Reads a backup record by record, checking as it goes; the error comes
 * before the end for a foreign, damaged or cut-off file, so a reader that
 * goes through it once before writing anything restores nothing from it.
 */
export async function * readBackup (file: string): AsyncGenerator<{ kind: 'header', header: BackupHeader } | BackupRecord> {
  const counted = new Map<string, number>()
  let collection: string | null = null
  let ended = false
  let number = 0
  try {
    for await (const line of linesOf(file)) {
      number++
      if (ended) {
        if (line === '') continue
        throw new Error(`line ${number} follows the end line`)
      }
      if (number === 1) {
        yield { kind: 'header', header: readHeader(file, line) }
        continue
      }
      const record = parseJson(line, number)
      if ('collection' in record) {
        const name = record.collection
        if (typeof name !== 'string' || name === '' || counted.has(name)) throw new Error(`line ${number} names a collection that is empty or repeated`)
        if (!Array.isArray(record.indexes)) throw new Error(`line ${number} lists no indexes`)
        const indexes = record.indexes.map(index => BSON.EJSON.deserialize(index, { relaxed: true }) as Document)
        counted.set(name, 0)
        collection = name
        yield { kind: 'collection', name, indexes }
      } else if ('end' in record) {
        checkCounts(record.end, counted)
        ended = true
      } else {
        if (collection === null) throw new Error(`line ${number} is a document before any collection`)
        const { document, bytes } = readDocument(record, number)
        counted.set(collection, (counted.get(collection) ?? 0) + 1)
        yield { kind: 'document', collection, document, bytes }
      }
    }
  } catch (error) {
    throw asFileError(file, error)
  }
  if (number === 0) throw new BackupFileError(file, 'it is empty')
  if (!ended) throw new BackupFileError(file, 'it ends before its end line: the backup was cut off')
}

function asFileError (file: string, error: unknown): Error {
  if (error instanceof BackupFileError) return error
  const failure = error as NodeJS.ErrnoException
  if (failure.code === 'ENOENT') return new BackupFileError(file, 'there is no such file', { cause: error })
  if (failure.code === 'Z_DATA_ERROR' && /header/i.test(failure.message)) return new BackupFileError(file, 'it is not a Praxiswiki backup (not gzip-compressed)', { cause: error })
  if (failure.code?.startsWith('Z_') || /unexpected end of file/i.test(failure.message)) return new BackupFileError(file, `it is damaged or cut off (${failure.message})`, { cause: error })
  if (failure.code !== undefined) return error as Error
  return new BackupFileError(file, `it is damaged: ${failure.message}`, { cause: error })
}
