import { AppError } from '../http/errors.ts'
import type { Translate } from '../i18n/index.ts'

/** Base of the expected failures of accounts and permissions; each says its own HTTP answer. */
export abstract class AuthError extends AppError {}

/** The route needs a signed-in account and there is none: 401, or a redirect to the login page for people. */
export class NotSignedInError extends AuthError {
  readonly statusCode = 401
  readonly code = 'not-signed-in'
  readonly messageKey = 'error.notSignedIn'
  constructor () { super('sign in first') }
}

/** Signed in, but the role does not allow this. */
export class ForbiddenError extends AuthError {
  readonly statusCode = 403
  readonly code = 'forbidden'
  readonly messageKey = 'error.forbiddenText'
  constructor (readonly needed: string) { super(`this needs the role ${needed}`) }
}

export class UsernameTakenError extends AuthError {
  readonly statusCode = 409
  readonly code = 'username-taken'
  readonly messageKey = 'account.usernameTaken'
  constructor (readonly username: string) { super(`the user name "${username}" is taken`) }
}

export class InvalidAccountInputError extends AuthError {
  readonly statusCode = 400
  readonly code = 'invalid-account'
  readonly messageKey = 'error.badRequestText'
  constructor (readonly field: 'username' | 'password' | 'role' | 'locale' | 'label' | 'email', readonly reason: string) { super(`${field}: ${reason}`) }
  override details (_t: Translate): string[] { return [this.message] }
}

export class AccountNotFoundError extends AuthError {
  readonly statusCode = 404
  readonly code = 'account-not-found'
  readonly messageKey = 'error.accountNotFound'
  constructor (readonly username: string) { super(`no account "${username}"`) }
}

/** A set-up or invitation link that is unknown, used or expired. */
export class InvalidLinkError extends AuthError {
  readonly statusCode = 404
  readonly code = 'invalid-link'
  readonly messageKey = 'error.invalidLink'
  constructor () { super('this link is not valid (any more)') }
}

/** The last active admin cannot lose the role or be disabled: nobody could manage accounts. */
export class LastAdminError extends AuthError {
  readonly statusCode = 409
  readonly code = 'last-admin'
  readonly messageKey = 'admin.lastAdmin'
  constructor () { super('the last active admin must stay an admin') }
}

export class WrongPasswordError extends AuthError {
  readonly statusCode = 400
  readonly code = 'wrong-password'
  readonly messageKey = 'account.wrongPassword'
  constructor () { super('the current password is wrong') }
}
