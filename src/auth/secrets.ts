import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

/** 32 random bytes, URL-safe: for API tokens, invitation and set-up links. */
export function randomToken (prefix = ''): string {
  return prefix + randomBytes(32).toString('base64url')
}

/**
 * Tokens carry 256 random bits, so a fast hash is enough to keep them unusable
 * if the store leaks (unlike passwords, they cannot be guessed).
 */
export function tokenHash (token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex')
}

export function sameSecret (a: string, b: string): boolean {
  const left = Buffer.from(a)
  const right = Buffer.from(b)
  return left.length === right.length && timingSafeEqual(left, right)
}
