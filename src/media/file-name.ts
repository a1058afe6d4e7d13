import { BadFileNameError } from './errors.ts'

const MAX_NAME_LENGTH = 200
// C0 and C1 controls, DEL, and the bidi controls that make "gpj.exe" read as "exe.jpg".
// eslint-disable-next-line no-control-regex -- control characters are what this refuses
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/u

export interface CheckedName {
  /** The name as it will be offered for download: NFC, trimmed. */
  name: string
  /** Lower case, without the dot; '' when the name has none. */
  extension: string
}

/**
 * A file name as the browser or script sent it. Names that try to reach another folder
 * (slashes, backslashes, dot segments) or hide what they are (control and bidi characters)
 * are refused rather than quietly repaired, so the person learns why.
 */
export function checkFileName (raw: string): CheckedName {
  const name = raw.normalize('NFC').trim()
  if (name === '') throw new BadFileNameError('empty')
  if (CONTROL.test(name)) throw new BadFileNameError('control character')
  if (name.includes('/') || name.includes('\\')) throw new BadFileNameError('path separator')
  if (name === '.' || name === '..' || name.startsWith('.')) throw new BadFileNameError('dot name')
  if (name.length > MAX_NAME_LENGTH) throw new BadFileNameError('too long')
  const dot = name.lastIndexOf('.')
  return { name, extension: dot > 0 ? name.slice(dot + 1).toLowerCase() : '' }
}
