import { AppError } from '../http/errors.ts'
import type { MessageParams } from '../i18n/index.ts'

/** The file is larger than the upload limit (a setting); nothing was stored. */
export class FileTooLargeError extends AppError {
  readonly statusCode = 413
  readonly code = 'file-too-large'
  readonly messageKey = 'media.error.tooLarge'
  constructor (readonly limitBytes: number) {
    super(`the file is larger than ${limitBytes} bytes`)
  }

  override messageParams (): MessageParams {
    return { limit: Math.floor(this.limitBytes / (1024 * 1024)) }
  }
}

/** The form's text fields together are larger than any form of the wiki sends; nothing was stored. */
export class FormTooLargeError extends AppError {
  readonly statusCode = 413
  readonly code = 'form-too-large'
  readonly messageKey = 'media.error.formTooLarge'
  constructor (readonly limitBytes: number) {
    super(`the form's fields are larger than ${limitBytes} bytes`)
  }
}

/** The bytes are of a type the wiki does not take (or of no type it recognises). */
export class TypeNotAllowedError extends AppError {
  readonly statusCode = 415
  readonly code = 'media-type-not-allowed'
  readonly messageKey = 'media.error.typeNotAllowed'
  constructor (readonly found: string | null) {
    super(`files of type ${found ?? 'unknown'} are not taken`)
  }
}

/** The name's extension or the claimed type says one thing and the bytes another: a disguised file. */
export class TypeMismatchError extends AppError {
  readonly statusCode = 422
  readonly code = 'media-type-mismatch'
  readonly messageKey = 'media.error.typeMismatch'
  constructor (readonly claimed: string, readonly found: string) {
    super(`the file claims to be ${claimed} but its bytes are ${found}`)
  }

  override messageParams (): MessageParams {
    return { claimed: this.claimed, found: this.found }
  }
}

/** An image without a description for people who cannot see it. */
export class AltTextRequiredError extends AppError {
  readonly statusCode = 422
  readonly code = 'alt-text-required'
  readonly messageKey = 'media.error.altRequired'
  constructor () {
    super('an image needs an alt text')
  }
}

/** A file name with path parts, control characters or nothing usable left. */
export class BadFileNameError extends AppError {
  readonly statusCode = 422
  readonly code = 'bad-file-name'
  readonly messageKey = 'media.error.badFileName'
  constructor (readonly reason: string) {
    super(`the file name is refused: ${reason}`)
  }
}

/** An image whose pixel count is absurd (a decompression bomb), or one that cannot be decoded. */
export class BadImageError extends AppError {
  readonly statusCode = 422
  readonly code = 'bad-image'
  readonly messageKey = 'media.error.badImage'
  constructor (reason: string) {
    super(`the image is refused: ${reason}`)
  }
}

/** The request carried no file part. */
export class NoFileError extends AppError {
  readonly statusCode = 400
  readonly code = 'no-file'
  readonly messageKey = 'media.error.noFile'
  constructor () {
    super('the request carries no file')
  }
}

/** No stored file by that name. */
export class MediaNotFoundError extends AppError {
  readonly statusCode = 404
  readonly code = 'media-not-found'
  readonly messageKey = 'error.notFoundText'
  constructor (name: string) {
    super(`no file ${name}`)
  }
}

/** Uploads come as multipart/form-data (fields `file` and `alt`). */
export class NotMultipartError extends AppError {
  readonly statusCode = 415
  readonly code = 'multipart-required'
  readonly messageKey = 'media.error.notMultipart'
  constructor () {
    super('send the file as multipart/form-data')
  }
}

/** The multipart body could not be read (no boundary, cut off, not multipart inside). */
export class MalformedUploadError extends AppError {
  readonly statusCode = 400
  readonly code = 'malformed-upload'
  readonly messageKey = 'media.error.malformed'
  constructor (reason: string) {
    super(`the upload could not be read: ${reason}`)
  }
}
