import { isLocale, type Locale } from '../i18n/index.ts'
import { ObjectId, type Collection, type Db } from 'mongodb'
import {
  AccountNotFoundError, InvalidAccountInputError, InvalidLinkError, LastAdminError, UsernameTakenError, WrongPasswordError
} from './errors.ts'
import { dummyVerify, hashPassword, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, needsRehash, verifyPassword } from './passwords.ts'
import { isRole, type Role } from './roles.ts'
import { randomToken, tokenHash } from './secrets.ts'
import { isDuplicateKey } from '../store/index.ts'

export interface AccountDocument {
  _id: ObjectId
  /** Lower case, unique; also the author name on revisions. */
  username: string
  role: Role
  passwordHash: string
  disabled: boolean
  createdAt: Date
  passwordChangedAt: Date
  /** The interface language the person chose; it wins over cookies and the browser's languages. */
  locale?: Locale
  /** Where notification digests go; absent: no mail. */
  email?: string
}

export interface ApiTokenDocument {
  _id: ObjectId
  accountId: ObjectId
  name: string
  /** SHA-256 of the token; the token itself is shown once and never stored. */
  hash: string
  createdAt: Date
  lastUsedAt: Date | null
  revokedAt: Date | null
}

export interface InvitationDocument {
  _id: ObjectId
  hash: string
  role: Role
  /** Whom the link is for, so that open invitations can be told apart; absent on older ones. */
  label?: string
  createdBy: string
  createdAt: Date
  expiresAt: Date
  usedAt: Date | null
  usedBy: string | null
  /** Set when an admin takes the link back; absent on older ones, which a query for null also finds. */
  revokedAt?: Date | null
}

/** How precisely an API token's last use is recorded. */
const TOKEN_USE_PRECISION_MS = 60_000

/** What the rest of the app knows of the signed-in account. */
export interface Viewer {
  id: string
  username: string
  role: Role
  locale?: Locale
}

export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._-]{1,39}$/
/** A mailbox as people type it: one @, a dotted domain, no spaces or control characters, at most RFC 5321's 254. */
export const EMAIL_PATTERN = /^[^\s@"<>()[\]\\,;:\p{Cc}]{1,64}@[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,62}[\p{L}\p{N}])?(?:\.[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,62}[\p{L}\p{N}])?)+$/u
export const MAX_EMAIL_LENGTH = 254
export const MAX_INVITATION_LABEL = 100

export interface AccountServiceOptions {
  db: Db
  now?: () => Date
  invitationDays?: number
}

export type AccountService = ReturnType<typeof createAccountService>

/** Accounts, their API tokens and invitation links, in the `accounts`, `api_tokens` and `invitations` collections. */
export function createAccountService (options: AccountServiceOptions) {
  const accounts: Collection<AccountDocument> = options.db.collection<AccountDocument>('accounts')
  const tokens: Collection<ApiTokenDocument> = options.db.collection<ApiTokenDocument>('api_tokens')
  const invitations: Collection<InvitationDocument> = options.db.collection<InvitationDocument>('invitations')
  const now = options.now ?? (() => new Date())
  const invitationDays = options.invitationDays ?? 7

  async function ensureIndexes (): Promise<void> {
    await accounts.createIndex({ username: 1 }, { unique: true, name: 'username_unique' })
    await tokens.createIndex({ hash: 1 }, { unique: true, name: 'token_hash' })
    await tokens.createIndex({ accountId: 1 }, { name: 'token_account' })
    await invitations.createIndex({ hash: 1 }, { unique: true, name: 'invitation_hash' })
  }

  function checkUsername (input: string): string {
    const username = input.trim().toLowerCase()
    if (!USERNAME_PATTERN.test(username)) throw new InvalidAccountInputError('username', 'use 2–40 letters a–z, digits, dot, dash or underscore')
    return username
  }

  function checkPassword (password: string): void {
    if (password.length < MIN_PASSWORD_LENGTH) throw new InvalidAccountInputError('password', `at least ${MIN_PASSWORD_LENGTH} characters`)
    if (password.length > MAX_PASSWORD_LENGTH) throw new InvalidAccountInputError('password', `at most ${MAX_PASSWORD_LENGTH} characters`)
  }

  async function create (input: { username: string, password: string, role: Role }): Promise<AccountDocument> {
    const username = checkUsername(input.username)
    checkPassword(input.password)
    if (!isRole(input.role)) throw new InvalidAccountInputError('role', 'unknown role')
    const time = now()
    const account: AccountDocument = {
      _id: new ObjectId(),
      username,
      role: input.role,
      passwordHash: await hashPassword(input.password),
      disabled: false,
      createdAt: time,
      passwordChangedAt: time
    }
    try {
      await accounts.insertOne(account)
    } catch (error) {
      if (isDuplicateKey(error)) throw new UsernameTakenError(username)
      throw error
    }
    return account
  }

  async function byUsername (username: string): Promise<AccountDocument | null> {
    return await accounts.findOne({ username: username.trim().toLowerCase() })
  }

  async function byId (id: string): Promise<AccountDocument | null> {
    if (!/^[0-9a-f]{24}$/.test(id)) return null
    return await accounts.findOne({ _id: new ObjectId(id) })
  }

  async function require (username: string): Promise<AccountDocument> {
    const account = await byUsername(username)
    if (account === null) throw new AccountNotFoundError(username)
    return account
  }

  /** The account if the password is right and it is not disabled; the same time is spent either way. */
  async function authenticate (username: string, password: string): Promise<AccountDocument | null> {
    const account = USERNAME_PATTERN.test(username.trim().toLowerCase()) ? await byUsername(username) : null
    if (account === null) {
      await dummyVerify(password)
      return null
    }
    if (!await verifyPassword(account.passwordHash, password)) return null
    if (account.disabled) return null
    if (needsRehash(account.passwordHash)) {
      await accounts.updateOne({ _id: account._id }, { $set: { passwordHash: await hashPassword(password) } })
    }
    return account
  }

  async function changePassword (username: string, current: string, next: string): Promise<void> {
    const account = await require(username)
    if (!await verifyPassword(account.passwordHash, current)) throw new WrongPasswordError()
    await setPassword(account.username, next)
  }

  async function setPassword (username: string, password: string): Promise<void> {
    checkPassword(password)
    const account = await require(username)
    await accounts.updateOne({ _id: account._id }, { $set: { passwordHash: await hashPassword(password), passwordChangedAt: now() } })
  }

  async function list (): Promise<AccountDocument[]> {
    return await accounts.find({}, { sort: { username: 1 }, limit: 10_000, projection: { passwordHash: 0 } }).toArray()
  }

  async function activeAdmins (): Promise<number> {
    return await accounts.countDocuments({ role: 'admin', disabled: false })
  }

  async function hasAdmin (): Promise<boolean> {
    return (await activeAdmins()) > 0
  }

  /** Gives the account a role; `changed` is false when it had that role already, and nothing is written. */
  async function setRole (username: string, role: Role): Promise<{ account: AccountDocument, changed: boolean }> {
    if (!isRole(role)) throw new InvalidAccountInputError('role', 'unknown role')
    const account = await require(username)
    if (account.role === role) return { account, changed: false }
    if (account.role === 'admin' && !account.disabled && await activeAdmins() <= 1) throw new LastAdminError()
    await accounts.updateOne({ _id: account._id }, { $set: { role } })
    return { account: { ...account, role }, changed: true }
  }

  async function setLocale (username: string, locale: Locale): Promise<void> {
    if (!isLocale(locale)) throw new InvalidAccountInputError('locale', 'unknown language')
    const account = await require(username)
    await accounts.updateOne({ _id: account._id }, { $set: { locale } })
  }

  /** Sets the address digests are mailed to; an empty one removes it. */
  async function setEmail (username: string, input: string): Promise<string | null> {
    const email = input.trim()
    if (email !== '' && (email.length > MAX_EMAIL_LENGTH || !EMAIL_PATTERN.test(email))) throw new InvalidAccountInputError('email', 'not an e-mail address')
    const account = await require(username)
    await accounts.updateOne({ _id: account._id }, email === '' ? { $unset: { email: '' } } : { $set: { email } })
    return email === '' ? null : email
  }

  /**
   * Disabling also ends the account's API tokens at once; sessions check `disabled` on every request.
   * `changed` is false when the account was in that state already, and nothing is written.
   */
  async function setDisabled (username: string, disabled: boolean): Promise<{ account: AccountDocument, changed: boolean }> {
    const account = await require(username)
    if (account.disabled === disabled) return { account, changed: false }
    if (disabled && account.role === 'admin' && await activeAdmins() <= 1) throw new LastAdminError()
    await accounts.updateOne({ _id: account._id }, { $set: { disabled } })
    if (disabled) await tokens.updateMany({ accountId: account._id, revokedAt: null }, { $set: { revokedAt: now() } })
    return { account: { ...account, disabled }, changed: true }
  }

  /** A new API token; the caller shows `token` once, only its hash is kept. */
  async function createToken (username: string, name: string): Promise<{ token: string, document: ApiTokenDocument }> {
    const account = await require(username)
    const token = randomToken('pxw_')
    const document: ApiTokenDocument = {
      _id: new ObjectId(),
      accountId: account._id,
      name: name.trim().slice(0, 100) || 'token',
      hash: tokenHash(token),
      createdAt: now(),
      lastUsedAt: null,
      revokedAt: null
    }
    await tokens.insertOne(document)
    return { token, document }
  }

  async function listTokens (username: string): Promise<ApiTokenDocument[]> {
    const account = await require(username)
    return await tokens.find({ accountId: account._id }, { sort: { createdAt: -1 }, limit: 1000 }).toArray()
  }

  /** Revokes one of the account's own tokens; false when it has no such token. */
  async function revokeToken (username: string, tokenId: string): Promise<boolean> {
    const account = await require(username)
    if (!/^[0-9a-f]{24}$/.test(tokenId)) return false
    const result = await tokens.updateOne({ _id: new ObjectId(tokenId), accountId: account._id, revokedAt: null }, { $set: { revokedAt: now() } })
    return result.modifiedCount > 0
  }

  /** The account a bearer token belongs to, read from the store on every request so revocation works at once. */
  async function accountForToken (token: string): Promise<AccountDocument | null> {
    if (token.length > 200) return null
    const document = await tokens.findOne({ hash: tokenHash(token), revokedAt: null })
    if (document === null) return null
    const account = await accounts.findOne({ _id: document.accountId, disabled: false })
    if (account === null) return null
    // The account page shows the minute a token was last used: writing it (and waiting for its
    // fsync) once a minute, not on every request, keeps a write off each API call's way.
    const time = now()
    if (document.lastUsedAt === null || time.getTime() - document.lastUsedAt.getTime() >= TOKEN_USE_PRECISION_MS) {
      await tokens.updateOne({ _id: document._id }, { $set: { lastUsedAt: time } })
    }
    return account
  }

  async function createInvitation (input: { role: Role, createdBy: string, label?: string }): Promise<{ token: string, document: InvitationDocument }> {
    if (!isRole(input.role)) throw new InvalidAccountInputError('role', 'unknown role')
    const label = (input.label ?? '').trim()
    if (label.length > MAX_INVITATION_LABEL) throw new InvalidAccountInputError('label', `at most ${MAX_INVITATION_LABEL} characters`)
    const token = randomToken()
    const time = now()
    const document: InvitationDocument = {
      _id: new ObjectId(),
      hash: tokenHash(token),
      role: input.role,
      label,
      createdBy: input.createdBy,
      createdAt: time,
      expiresAt: new Date(time.getTime() + invitationDays * 24 * 60 * 60 * 1000),
      usedAt: null,
      usedBy: null,
      revokedAt: null
    }
    await invitations.insertOne(document)
    return { token, document }
  }

  async function findInvitation (token: string): Promise<InvitationDocument> {
    const document = token.length > 200 ? null : await invitations.findOne({ hash: tokenHash(token), usedAt: null, revokedAt: null })
    if (document === null || document.expiresAt.getTime() <= now().getTime()) throw new InvalidLinkError()
    return document
  }

  async function listInvitations (): Promise<InvitationDocument[]> {
    return await invitations.find({ usedAt: null, revokedAt: null, expiresAt: { $gt: now() } }, { sort: { createdAt: -1 }, limit: 1000 }).toArray()
  }

  /** Takes an open invitation back: its link is invalid at once. Null when there is no such open invitation. */
  async function revokeInvitation (id: string): Promise<InvitationDocument | null> {
    if (!/^[0-9a-f]{24}$/.test(id)) return null
    const time = now()
    const open = { _id: new ObjectId(id), usedAt: null, revokedAt: null, expiresAt: { $gt: time } }
    const invitation = await invitations.findOne(open)
    if (invitation === null) return null
    // Accepted or revoked between the two steps: then this revocation changed nothing.
    const result = await invitations.updateOne(open, { $set: { revokedAt: time } })
    return result.modifiedCount === 0 ? null : { ...invitation, revokedAt: time }
  }

  /** Uses an invitation: the link is spent first, so two racing sign-ups cannot both use it. */
  async function acceptInvitation (token: string, input: { username: string, password: string }): Promise<AccountDocument> {
    const invitation = await findInvitation(token)
    const username = checkUsername(input.username)
    checkPassword(input.password)
    if (await byUsername(username) !== null) throw new UsernameTakenError(username)
    // Revoked meanwhile counts as spent.
    const spent = await invitations.updateOne({ _id: invitation._id, usedAt: null, revokedAt: null }, { $set: { usedAt: now(), usedBy: username } })
    if (spent.modifiedCount === 0) throw new InvalidLinkError()
    try {
      return await create({ username, password: input.password, role: invitation.role })
    } catch (error) {
      await invitations.updateOne({ _id: invitation._id }, { $set: { usedAt: null, usedBy: null } })
      throw error
    }
  }

  return {
    ensureIndexes,
    create,
    byUsername,
    byId,
    require,
    authenticate,
    changePassword,
    setPassword,
    list,
    hasAdmin,
    setRole,
    setDisabled,
    createToken,
    listTokens,
    revokeToken,
    setLocale,
    setEmail,
    accountForToken,
    createInvitation,
    findInvitation,
    listInvitations,
    revokeInvitation,
    acceptInvitation
  }
}

export function viewerOf (account: AccountDocument): Viewer {
  const viewer: Viewer = { id: account._id.toHexString(), username: account.username, role: account.role }
  if (account.locale !== undefined && isLocale(account.locale)) viewer.locale = account.locale
  return viewer
}
