import { fileTypeFromBuffer } from 'file-type'
import { TypeMismatchError, TypeNotAllowedError } from './errors.ts'
import { allowedType, typeOfExtension, type MediaType } from './media-types.ts'

/** What a sender may call a file without it counting as a claim: browsers use these when they do not know. */
const NO_CLAIM = new Set(['', 'application/octet-stream', 'binary/octet-stream'])
/** Other names browsers and systems use for the allowed types. */
const ALIASES: Record<string, readonly string[]> = {
  'image/jpeg': ['image/jpg', 'image/pjpeg'],
  'text/csv': ['text/plain', 'application/csv', 'text/comma-separated-values', 'application/vnd.ms-excel'],
  'text/plain': ['text/markdown']
}

/**
 * The file's type from its bytes (file-type), checked against the allow-list, the
 * extension of its name and the type the sender claimed. Plain text and CSV have no
 * magic bytes: they are taken when the name says so and the bytes are UTF-8 text.
 */
export async function sniffType (bytes: Uint8Array, extension: string, claimed: string): Promise<MediaType> {
  const byExtension = extension === '' ? undefined : typeOfExtension(extension)
  const detected = await fileTypeFromBuffer(bytes)
  let type: MediaType | undefined
  if (detected === undefined) {
    const textual = byExtension?.mime === 'text/plain' || byExtension?.mime === 'text/csv'
    if (textual && isText(bytes)) type = byExtension
    else if (byExtension !== undefined) throw new TypeMismatchError(byExtension.mime, 'unknown')
    else throw new TypeNotAllowedError(null)
  } else {
    type = allowedType(detected.mime)
    if (type === undefined) {
      if (byExtension !== undefined) throw new TypeMismatchError(byExtension.mime, detected.mime)
      throw new TypeNotAllowedError(detected.mime)
    }
  }
  if (extension !== '' && !type.extensions.includes(extension)) throw new TypeMismatchError(`.${extension}`, type.mime)
  const claim = claimed.split(';')[0]?.trim().toLowerCase() ?? ''
  if (!NO_CLAIM.has(claim) && claim !== type.mime && !(ALIASES[type.mime] ?? []).includes(claim)) throw new TypeMismatchError(claim, type.mime)
  return type
}

// Tab, line feed, form feed and carriage return are text; other controls are not.
// eslint-disable-next-line no-control-regex -- control characters are what this looks for
const NOT_TEXT = /[\u0000-\u0008\u000b\u000e-\u001f\u007f]/

function isText (bytes: Uint8Array): boolean {
  try {
    return !NOT_TEXT.test(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
  } catch {
    return false
  }
}
