import { hash, verify } from '@node-rs/argon2'

// The library's `Algorithm` is a const enum, which isolated modules cannot read: 2 is Argon2id.
const ARGON2ID = 2

/**
 * argon2id with the parameters OWASP's Password Storage Cheat Sheet recommends
 * (19 MiB memory, 2 passes, 1 lane): about 10 ms per hash on one core here, so
 * a login is quick while each guess costs an attacker 19 MiB. The parameters are
 * written into every hash, so raising them later keeps old hashes verifiable and
 * `needsRehash` upgrades them at the next sign-in.
 */
export const PASSWORD_HASHING = {
  algorithm: 'argon2id',
  memoryCostKiB: 19_456,
  timeCost: 2,
  parallelism: 1,
  outputLength: 32,
  saltLength: 16
} as const

export const MIN_PASSWORD_LENGTH = 10
export const MAX_PASSWORD_LENGTH = 200

export async function hashPassword (password: string): Promise<string> {
  return await hash(password, {
    algorithm: ARGON2ID,
    memoryCost: PASSWORD_HASHING.memoryCostKiB,
    timeCost: PASSWORD_HASHING.timeCost,
    parallelism: PASSWORD_HASHING.parallelism,
    outputLen: PASSWORD_HASHING.outputLength
  })
}

export async function verifyPassword (stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password)
  } catch {
    // A malformed stored hash never signs anyone in.
    return false
  }
}

/** True when a stored hash was made with weaker parameters than today's. */
export function needsRehash (stored: string): boolean {
  const match = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(stored)
  if (match === null) return true
  return Number(match[1]) < PASSWORD_HASHING.memoryCostKiB || Number(match[2]) < PASSWORD_HASHING.timeCost
}

/** A dummy hash to verify against when the account does not exist, so timing does not tell. */
let dummy: Promise<string> | null = null
export async function dummyVerify (password: string): Promise<void> {
  dummy ??= hashPassword('not a real password, only for timing')
  await verifyPassword(await dummy, password)
}
