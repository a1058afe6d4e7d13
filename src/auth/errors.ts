/** Base of the expected failures of accounts and permissions; the web error handler maps each to a status. */
export class AuthError extends Error {
  constructor (message: string) {
    super(message)
    this.name = new.target.name
  }
}

/** The route needs a signed-in account and there is none: 401, or a redirect to the login page for people. */
export class NotSignedInError extends AuthError {
  constructor () { super('sign in first') }
}

/** Signed in, but the role does not allow this. */
export class ForbiddenError extends AuthError {
  constructor (readonly needed: string) { super(`this needs the role ${needed}`) }
}

export class UsernameTakenError extends AuthError {
  constructor (readonly username: string) { super(`the user name "${username}" is taken`) }
}

export class InvalidAccountInputError extends AuthError {
  constructor (readonly field: 'username' | 'password' | 'role' | 'locale', readonly reason: string) { super(`${field}: ${reason}`) }
}

export class AccountNotFoundError extends AuthError {
  constructor (readonly username: string) { super(`no account "${username}"`) }
}

/** A set-up or invitation link that is unknown, used or expired. */
export class InvalidLinkError extends AuthError {
  constructor () { super('this link is not valid (any more)') }
}

/** The last active admin cannot lose the role or be disabled: nobody could manage accounts. */
export class LastAdminError extends AuthError {
  constructor () { super('the last active admin must stay an admin') }
}

export class WrongPasswordError extends AuthError {
  constructor () { super('the current password is wrong') }
}
