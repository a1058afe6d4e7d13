import type { Collection, Db, UpdateFilter } from 'mongodb'
import { isDuplicateKey } from '../store/index.ts'

export interface LockoutOptions {
  db: Db
  /** Sign-in attempts of one account within the window that lock it. */
  maxAccountFailures: number
  /** Failures from one address within the window after which it must wait before each further try. */
  maxAddressFailures: number
  windowMs: number
  now?: () => Date
}

interface FailureDocument {
  /** `account:<username>` or `address:<ip>`: the prefix keeps a name and an address apart. */
  _id: string
  /** Attempts of an account, or failures from an address, oldest first; only as many are kept as can still matter. */
  failedAt: Date[]
  /** When the newest entry leaves the window; after that the document says nothing. */
  expiresAt: Date
}

/** The first wait of an address past its limit; each further failure doubles it, up to the longest. */
const FIRST_WAIT_MS = 1000
const LONGEST_WAIT_MS = 60 * 1000
/** Failures past the limit that it takes to reach the longest wait; older ones need not be kept. */
const DOUBLINGS = Math.ceil(Math.log2(LONGEST_WAIT_MS / FIRST_WAIT_MS))
/** A reservation that meets a racing first attempt tries again; a third refusal means the account is full. */
const RESERVATION_ROUNDS = 3

/**
 * Sign-in attempts per account and failures per address. An account is locked for the
 * window after its limit, even with the right password: each attempt is counted before its
 * password is checked, atomically, so attempts sent at once cannot all slip under the limit.
 * An address is never locked, only slowed down for a minute at most: behind a shared proxy or
 * NAT, one person's mistakes (or an attacker's) must not lock everyone else out.
 * Kept in the `signInFailures` collection, so a restart keeps the counts and several
 * processes on one database share them (otherwise each would grant its own attempts).
 */
export function createLockout (options: LockoutOptions) {
  const failures: Collection<FailureDocument> = options.db.collection<FailureDocument>('signInFailures')
  const now = options.now ?? (() => new Date())
  const accountKey = (username: string): string => `account:${username}`
  const addressKey = (address: string): string => `address:${address}`

  async function ensureIndexes (): Promise<void> {
    await failures.createIndex({ expiresAt: 1 }, { name: 'expiry' })
  }

  /**
   * Counts an attempt on the account before its password is checked; false when the account
   * is locked (the attempt is then not made). A success clears the count; a failure leaves it.
   */
  async function reserveAttempt (username: string): Promise<boolean> {
    const key = accountKey(username)
    const time = now()
    const expiresAt = new Date(time.getTime() + options.windowMs)
    // Attempts that have left the window make room again (the driver's types do not know $pull with a condition on dates).
    await failures.updateOne({ _id: key }, { $pull: { failedAt: { $lte: new Date(time.getTime() - options.windowMs) } } } as UpdateFilter<FailureDocument>)
    // Only a document with room matches; a full one makes the upsert insert a second `_id`,
    // which the unique index refuses. Both engines decide that in one step, whoever else is counting.
    const hasRoom = { _id: key, [`failedAt.${options.maxAccountFailures - 1}`]: { $exists: false } }
    for (let round = 0; round < RESERVATION_ROUNDS; round++) {
      try {
        await failures.updateOne(hasRoom, { $push: { failedAt: time }, $max: { expiresAt } }, { upsert: true })
        return true
      } catch (error) {
        if (!isDuplicateKey(error)) throw error
      }
    }
    return false
  }

  /** How long the address must wait before its next attempt; 0 while it is under its limit. */
  async function addressWaitMs (address: string): Promise<number> {
    const document = await failures.findOne({ _id: addressKey(address) })
    const time = now().getTime()
    const recent = (document?.failedAt ?? []).map(at => at.getTime()).filter(at => at > time - options.windowMs)
    const past = recent.length - options.maxAddressFailures
    if (past < 0) return 0
    const wait = Math.min(FIRST_WAIT_MS * 2 ** past, LONGEST_WAIT_MS)
    return Math.max(0, Math.max(...recent) + wait - time)
  }

  async function addressFailed (address: string): Promise<void> {
    const time = now()
    const expiresAt = new Date(time.getTime() + options.windowMs)
    // One atomic upsert, so failures arriving at once (from any process) all count.
    // Sorting before slicing, and $max, keep the latest times and expiry even when processes' clocks disagree a little.
    await failures.updateOne(
      { _id: addressKey(address) },
      { $push: { failedAt: { $each: [time], $sort: 1, $slice: -(options.maxAddressFailures + DOUBLINGS) } }, $max: { expiresAt } },
      { upsert: true }
    )
  }

  /** Clears the account's count; the address's stays, or one known account would reset an attacker's. */
  async function succeed (username: string): Promise<void> {
    await failures.deleteOne({ _id: accountKey(username) })
  }

  /** Reads already ignore expired entries; this only keeps the collection small. */
  async function sweep (): Promise<void> {
    await failures.deleteMany({ expiresAt: { $lte: now() } })
  }

  return { ensureIndexes, reserveAttempt, addressWaitMs, addressFailed, succeed, sweep }
}

export type Lockout = ReturnType<typeof createLockout>
