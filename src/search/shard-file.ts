import { createHash } from 'node:crypto'
import { closeSync, openSync, readSync } from 'node:fs'
import { ANALYSIS_VERSION } from './analysis.ts'
import { FIELD_COUNT, FIELDS } from './fields.ts'
import type { SearchDocument } from './types.ts'

const MAGIC = 'PRAXISWIKI-SEARCH-SHARD'
/** Bump when the file layout changes; files of another version are rebuilt. */
export const FORMAT_VERSION = 2
const MAX_HEADER_BYTES = 512

/** A shard file that cannot be used: damaged, cut short or written by another version. */
export class ShardFileError extends Error {
  constructor (readonly reason: 'corrupt' | 'old-format', message: string) {
    super(message)
    this.name = 'ShardFileError'
  }
}

/** What a shard keeps of a document in memory: everything but the body, which stays in the file. */
export type StoredDocument = Omit<SearchDocument, 'body'>

/** A shard's index: per term and field, the documents that have it and their Lunr weights. */
export interface PostingArrays {
  /** Sorted; a term's number is its place here. */
  terms: string[]
  /** Where each term×field's postings start, and the end of the last. */
  offsets: Uint32Array
  /** Document numbers. */
  postings: Uint32Array
  weights: Float64Array
}

interface ShardMeta {
  analysis: number
  fields: string[]
  documents: StoredDocument[]
  /** Byte offsets of each body in the text section, and its end. */
  bodyOffsets: number[]
  terms: string[]
}

/** A shard file read back: everything but the bodies, and where they start in the file. */
export interface DecodedShard extends PostingArrays {
  documents: StoredDocument[]
  bodyOffsets: number[]
  textStart: number
}

/**
 * File: a header line (magic, format, SHA-256 of the rest, section lengths), then the
 * metadata JSON, term×field posting offsets, postings (document numbers), weights and
 * the bodies as UTF-8.
 */
export function encodeShardFile (documents: SearchDocument[], index: PostingArrays): Buffer {
  const bodies = documents.map(document => Buffer.from(document.body, 'utf8'))
  const bodyOffsets = [0]
  for (const body of bodies) bodyOffsets.push((bodyOffsets[bodyOffsets.length - 1] ?? 0) + body.length)
  const stored = documents.map(({ body: _body, ...rest }) => rest)
  const meta: ShardMeta = { analysis: ANALYSIS_VERSION, fields: FIELDS, documents: stored, bodyOffsets, terms: index.terms }
  const sections = [Buffer.from(JSON.stringify(meta), 'utf8'), bytesOf(index.offsets), bytesOf(index.postings), bytesOf(index.weights), Buffer.concat(bodies)]
  const payload = Buffer.concat(sections)
  const checksum = createHash('sha256').update(payload).digest('hex')
  const header = `${MAGIC} ${FORMAT_VERSION} ${checksum} ${sections.map(section => section.length).join(' ')}\n`
  return Buffer.concat([Buffer.from(header, 'latin1'), payload])
}

/** Reads a shard file's bytes, checking each section; throws ShardFileError when they cannot be used. */
export function decodeShardFile (bytes: Buffer): DecodedShard {
  const newline = bytes.subarray(0, MAX_HEADER_BYTES).indexOf(10)
  const header = bytes.toString('latin1', 0, newline === -1 ? Math.min(bytes.length, MAX_HEADER_BYTES) : newline).split(' ')
  if (header[0] !== MAGIC) throw new ShardFileError('corrupt', 'not a search shard file')
  if (header[1] !== String(FORMAT_VERSION)) throw new ShardFileError('old-format', `shard format ${header[1] ?? '?'}, expected ${FORMAT_VERSION}`)
  const lengths = header.slice(3).map(Number)
  if (newline === -1 || lengths.length !== 5 || lengths.some(length => !Number.isSafeInteger(length) || length < 0)) throw new ShardFileError('corrupt', 'shard header is damaged')
  const payload = bytes.subarray(newline + 1)
  if (payload.length !== lengths.reduce((sum, length) => sum + length, 0)) throw new ShardFileError('corrupt', 'shard file has the wrong length')
  if (createHash('sha256').update(payload).digest('hex') !== header[2]) throw new ShardFileError('corrupt', 'shard checksum does not match')
  const [metaLength = 0, offsetsLength = 0, postingsLength = 0, weightsLength = 0] = lengths
  let meta: Partial<ShardMeta>
  try {
    meta = JSON.parse(payload.toString('utf8', 0, metaLength)) as Partial<ShardMeta>
  } catch {
    throw new ShardFileError('corrupt', 'shard metadata is not JSON')
  }
  if (meta.analysis !== ANALYSIS_VERSION || JSON.stringify(meta.fields) !== JSON.stringify(FIELDS)) throw new ShardFileError('old-format', `shard analysis ${String(meta.analysis)}, expected ${ANALYSIS_VERSION}`)
  if (!Array.isArray(meta.documents) || !Array.isArray(meta.terms) || !Array.isArray(meta.bodyOffsets) || meta.bodyOffsets.length !== meta.documents.length + 1) throw new ShardFileError('corrupt', 'shard metadata is incomplete')
  let at = metaLength
  const section = <T>(length: number, make: (buffer: ArrayBuffer) => T): T => {
    // A copy: typed arrays need aligned memory of their own.
    const copy = new Uint8Array(length)
    copy.set(payload.subarray(at, at + length))
    at += length
    return make(copy.buffer)
  }
  const offsets = section(offsetsLength, buffer => new Uint32Array(buffer))
  const postings = section(postingsLength, buffer => new Uint32Array(buffer))
  const weights = section(weightsLength, buffer => new Float64Array(buffer))
  if (offsets.length !== meta.terms.length * FIELD_COUNT + 1 || postings.length !== weights.length || offsets[offsets.length - 1] !== postings.length) throw new ShardFileError('corrupt', 'shard postings do not fit')
  return { documents: meta.documents, bodyOffsets: meta.bodyOffsets, terms: meta.terms, offsets, postings, weights, textStart: newline + 1 + at }
}

/** Bytes `start` to `end` of the text section that begins at `textStart` in the file. */
export function readShardText (file: string, textStart: number, start: number, end: number): Buffer {
  const buffer = Buffer.alloc(end - start)
  if (buffer.length === 0) return buffer
  const descriptor = openSync(file, 'r')
  try {
    let done = 0
    while (done < buffer.length) {
      const read = readSync(descriptor, buffer, done, buffer.length - done, textStart + start + done)
      if (read === 0) throw new ShardFileError('corrupt', 'shard file was cut short')
      done += read
    }
  } finally {
    closeSync(descriptor)
  }
  return buffer
}

function bytesOf (array: Uint32Array | Float64Array): Buffer {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength)
}
