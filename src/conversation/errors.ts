import { AppError } from '../http/errors.ts'
import type { MessageParams } from '../i18n/index.ts'

export class CommentNotFoundError extends AppError {
  readonly statusCode = 404
  readonly code = 'comment-not-found'
  readonly messageKey = 'comments.error.notFound'
  constructor (id: string) { super(`no comment ${id}`) }
}

export class CommentForbiddenError extends AppError {
  readonly statusCode = 403
  readonly code = 'comment-not-yours'
  readonly messageKey = 'comments.error.notYours'
  constructor () { super('only the author or a moderator may change this comment') }
}

export class CommentInvalidError extends AppError {
  readonly statusCode = 400
  readonly code = 'comment-invalid'
  readonly messageKey = 'comments.error.invalid'
  constructor (readonly reason: 'empty' | 'tooLong' | 'parent' | 'name') { super(`comment refused: ${reason}`) }
  override messageParams (): MessageParams { return { max: 5000 } }
}

/** The no-account form was sent too fast, too late, or with the field only robots fill in. */
export class ExperienceRefusedError extends AppError {
  readonly statusCode = 400
  readonly code = 'experience-refused'
  readonly messageKey = 'comments.error.formExpired'
  constructor (reason: string) { super(`experience refused: ${reason}`) }
}
