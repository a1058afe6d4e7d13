import { crc32 } from 'node:zlib'
import { EmbeddedEngineError } from './errors.ts'

/*
 * The journal is one append-only file:
 *   file   = FILE_MAGIC entry*
 *   entry  = ENTRY_MAGIC u32 length  u32 crc32(payload)  payload
 *   payload = op*            (all ops of one entry apply together or not at all)
 *   op     = u8 code  u16 length namespace  u32 length body(BSON)
 * An entry is acknowledged only after it is fsynced (one written with the write
 * concern journal: false once the next entry that waits is). On open, a torn
 * final entry (a crash during its write) is cut off with a warning; a damaged
 * entry followed by intact data is corruption and stops the engine.
 */

export const FILE_MAGIC = Buffer.from('PXWJRNL1', 'latin1')
const ENTRY_MAGIC = 0x50584a45
const ENTRY_HEADER_BYTES = 12

export enum OpCode {
  Put = 1,
  Delete = 2,
  CreateIndex = 3,
  DropIndex = 4,
  DropCollection = 5,
  DropDatabase = 6,
  CreateCollection = 7
}

export interface JournalOp {
  code: OpCode
  namespace: string
  body: Uint8Array
}

export function encodeOp (code: OpCode, namespace: string, body: Uint8Array): Buffer {
  const name = Buffer.from(namespace, 'utf8')
  const op = Buffer.allocUnsafe(1 + 2 + name.length + 4 + body.length)
  op.writeUInt8(code, 0)
  op.writeUInt16LE(name.length, 1)
  name.copy(op, 3)
  op.writeUInt32LE(body.length, 3 + name.length)
  op.set(body, 7 + name.length)
  return op
}

export function frameEntry (ops: Buffer[]): Buffer {
  const payload = ops.length === 1 ? ops[0] as Buffer : Buffer.concat(ops)
  const header = Buffer.allocUnsafe(ENTRY_HEADER_BYTES)
  header.writeUInt32LE(ENTRY_MAGIC, 0)
  header.writeUInt32LE(payload.length, 4)
  header.writeUInt32LE(crc32(payload), 8)
  return Buffer.concat([header, payload])
}

function decodeOps (payload: Buffer, file: string, offset: number): JournalOp[] {
  const ops: JournalOp[] = []
  let position = 0
  while (position < payload.length) {
    const code = payload.readUInt8(position)
    const nameLength = payload.readUInt16LE(position + 1)
    const namespace = payload.toString('utf8', position + 3, position + 3 + nameLength)
    const bodyLength = payload.readUInt32LE(position + 3 + nameLength)
    const bodyStart = position + 7 + nameLength
    if (!(code in OpCode) || bodyStart + bodyLength > payload.length) {
      throw new EmbeddedEngineError(`journal ${file} is corrupt at offset ${offset}: an entry with a valid checksum holds an unreadable operation; restore the data dir from a backup`)
    }
    ops.push({ code, namespace, body: payload.subarray(bodyStart, bodyStart + bodyLength) })
    position = bodyStart + bodyLength
  }
  return ops
}

/** Applies every intact entry of a journal's contents; returns the length of the intact part. */
export function replay (file: string, contents: Buffer, warn: (message: string) => void, apply: (op: JournalOp) => void): number {
  if (contents.length < FILE_MAGIC.length || !contents.subarray(0, FILE_MAGIC.length).equals(FILE_MAGIC)) {
    if (contents.length < FILE_MAGIC.length && FILE_MAGIC.subarray(0, contents.length).equals(contents)) {
      warn(`journal ${file} was cut off while being created; starting empty`)
      return 0
    }
    throw new EmbeddedEngineError(`${file} is not a Praxiswiki journal (unknown header); refusing to start`)
  }
  let offset = FILE_MAGIC.length
  while (offset < contents.length) {
    const damage = inspectEntry(contents, offset)
    if (damage === null) {
      const length = contents.readUInt32LE(offset + 4)
      const payload = contents.subarray(offset + ENTRY_HEADER_BYTES, offset + ENTRY_HEADER_BYTES + length)
      for (const op of decodeOps(payload, file, offset)) apply(op)
      offset += ENTRY_HEADER_BYTES + length
      continue
    }
    if (intactEntryFollows(contents, offset + 1)) {
      throw new EmbeddedEngineError(`journal ${file} is corrupt at offset ${offset} (${damage}) and intact entries follow; refusing to start rather than drop data — restore the data dir from a backup`)
    }
    warn(`journal ${file}: dropped a torn final entry at offset ${offset} (${damage}, ${contents.length - offset} bytes); it was never acknowledged`)
    return offset
  }
  return offset
}

/** Why the entry at `offset` is unusable, or null when it is intact. */
function inspectEntry (contents: Buffer, offset: number): string | null {
  if (offset + ENTRY_HEADER_BYTES > contents.length) return 'incomplete header'
  if (contents.readUInt32LE(offset) !== ENTRY_MAGIC) return 'bad entry marker'
  const length = contents.readUInt32LE(offset + 4)
  if (offset + ENTRY_HEADER_BYTES + length > contents.length) return 'incomplete payload'
  const payload = contents.subarray(offset + ENTRY_HEADER_BYTES, offset + ENTRY_HEADER_BYTES + length)
  if (crc32(payload) !== contents.readUInt32LE(offset + 8)) return 'checksum mismatch'
  return null
}

function intactEntryFollows (contents: Buffer, from: number): boolean {
  const marker = Buffer.alloc(4)
  marker.writeUInt32LE(ENTRY_MAGIC, 0)
  let position = contents.indexOf(marker, from)
  while (position !== -1) {
    if (inspectEntry(contents, position) === null) return true
    position = contents.indexOf(marker, position + 1)
  }
  return false
}
