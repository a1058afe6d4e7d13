import type { FastifyRequest } from 'fastify'
import { FileTooLargeError, FormTooLargeError, NoFileError } from './errors.ts'

/** The most any upload may be, whatever the setting says; beyond it the rest is not even read. */
export const HARD_LIMIT_BYTES = 100 * 1024 * 1024
/**
 * Form fields: the editor sends its whole text along with the file, the guided lesson form
 * its thirty-odd boxes, the page it was opened on and up to fifty evidence rows of three.
 */
const FIELD_LIMITS = { fields: 250, fieldSize: 2 * 1024 * 1024, parts: 255, files: 1 }
/** All text fields together: a page of half a million characters twice over (as typed, and as it was), and more. */
export const FIELDS_LIMIT_BYTES = 4 * 1024 * 1024

export interface ReceivedFile {
  bytes: Buffer
  fileName: string
  claimedType: string
}

export interface ReceivedForm {
  /** A field sent more than once (the lesson form's evidence rows) is a list. */
  fields: Record<string, string | string[]>
  /** Null when no file was chosen (an empty file input sends a part with no name). */
  file: ReceivedFile | null
  /** The file was larger than the limit: it was read to its end and thrown away. */
  tooLarge: boolean
}

/**
 * Reads a multipart body (@fastify/multipart) into its text fields and one file held in
 * memory up to `maxBytes`. A larger file is read to its end and dropped, so a browser gets
 * an answer (and the editor its text back) instead of a reset connection.
 */
export async function readMultipartForm (request: FastifyRequest, maxBytes: number): Promise<ReceivedForm> {
  const fields = new Map<string, string | string[]>()
  let fieldBytes = 0
  let file: ReceivedFile | null = null
  let tooLarge = false
  const limit = Math.min(maxBytes, HARD_LIMIT_BYTES)
  for await (const part of request.parts({ limits: { ...FIELD_LIMITS, fileSize: limit + 1 }, preservePath: true })) {
    if (part.type === 'field') {
      const value = typeof part.value === 'string' ? part.value : String(part.value)
      fieldBytes += Buffer.byteLength(value)
      if (fieldBytes > FIELDS_LIMIT_BYTES) throw new FormTooLargeError(FIELDS_LIMIT_BYTES)
      const earlier = fields.get(part.fieldname)
      fields.set(part.fieldname, earlier === undefined ? value : [...(Array.isArray(earlier) ? earlier : [earlier]), value])
      continue
    }
    const chunks: Buffer[] = []
    let size = 0
    for await (const chunk of part.file) {
      size += (chunk as Buffer).length
      if (size <= limit) chunks.push(chunk as Buffer)
    }
    if (part.filename === '') continue
    if (size > limit || part.file.truncated) {
      tooLarge = true
      continue
    }
    file = { bytes: Buffer.concat(chunks), fileName: part.filename, claimedType: part.mimetype ?? '' }
  }
  return { fields: Object.fromEntries(fields), file, tooLarge }
}

/** The form's file, or the error that says why there is none. */
export function requireFile (form: ReceivedForm, maxBytes: number): ReceivedFile {
  if (form.tooLarge) throw new FileTooLargeError(maxBytes)
  if (form.file === null || form.file.bytes.length === 0) throw new NoFileError()
  return form.file
}
