import { LRUCache } from 'lru-cache'

export interface LockoutOptions {
  /** Failures of one account within the window that lock it. */
  maxAccountFailures: number
  /** Failures from one address within the window that lock it. */
  maxAddressFailures: number
  windowMs: number
  now?: () => number
}

/** Most accounts and addresses tracked at once; the oldest are forgotten first. */
const TRACKED = 10_000

/**
 * Counts failed sign-ins per account and per address; past the limit, sign-in is
 * refused for the rest of the window even with the right password. Kept in memory
 * (bounded): a restart forgets the counts, which only the server's operator can cause.
 */
export function createLockout (options: LockoutOptions) {
  const now = options.now ?? (() => Date.now())
  const cache = (): LRUCache<string, number[]> => new LRUCache<string, number[]>({ max: TRACKED, ttl: options.windowMs, ttlAutopurge: false })
  const byAccount = cache()
  const byAddress = cache()

  const recent = (map: LRUCache<string, number[]>, key: string): number[] => (map.get(key) ?? []).filter(time => time > now() - options.windowMs)

  function isLocked (username: string, address: string): boolean {
    return recent(byAccount, username).length >= options.maxAccountFailures || recent(byAddress, address).length >= options.maxAddressFailures
  }

  function fail (username: string, address: string): void {
    const time = now()
    // Only the last `max` times matter, so the lists stay short.
    byAccount.set(username, [...recent(byAccount, username), time].slice(-options.maxAccountFailures))
    byAddress.set(address, [...recent(byAddress, address), time].slice(-options.maxAddressFailures))
  }

  function succeed (username: string): void {
    byAccount.delete(username)
  }

  return { isLocked, fail, succeed }
}

export type Lockout = ReturnType<typeof createLockout>
