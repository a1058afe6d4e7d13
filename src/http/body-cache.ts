import { LRUCache } from 'lru-cache'
import type { EncodedBody } from './reader-cache.ts'

export type BodyCache = ReturnType<typeof createBodyCache>

/**
 * Pages as rendered for one reader, for those the reader cache cannot serve because they
 * are signed in. Two kinds are kept:
 * - the main part of a page per account, role and language, so a view renders only the
 *   frame around it (the header with the person's name and their forms' CSRF token);
 * - the whole answer per session, with its compressed forms, so the same person reading
 *   the same unchanged page again costs no rendering or compressing at all. The CSRF token
 *   in it stays valid: tokens are checked against the session's secret, which a session keeps.
 * Keys name everything the page depends on besides the wiki's content; the whole cache is
 * cleared by every change that clears the reader cache, and what began rendering before
 * a change is never kept.
 */
export function createBodyCache (options: { maxBytes?: number } = {}) {
  const maxSize = options.maxBytes ?? 32 * 1024 * 1024
  const bodies = new LRUCache<string, { html: string }>({
    maxSize: maxSize / 2,
    // UTF-16 in memory, plus the key and the entry's bookkeeping.
    sizeCalculation: (body, key) => (body.html.length + key.length) * 2 + 256
  })
  const answers = new LRUCache<string, EncodedBody>({
    maxSize: maxSize / 2,
    // Compressed forms are added later, so room is kept for them (they are a fraction of the page).
    sizeCalculation: (answer, key) => Math.ceil(answer.identity.length * 1.5) + key.length * 2 + 256
  })
  let generation = 0

  async function kept<T extends object> (cache: LRUCache<string, T>, key: string, make: () => Promise<T>): Promise<T> {
    const found = cache.get(key)
    if (found !== undefined) return found
    const started = generation
    const made = await make()
    if (started === generation) cache.set(key, made)
    return made
  }

  return {
    /** The main part of a page for this key, rendered by `make` when it is not kept. */
    async body (key: string, make: () => Promise<string>): Promise<string> {
      return (await kept(bodies, key, async () => ({ html: await make() }))).html
    },
    /** A whole answer for this key, rendered by `make` when it is not kept. */
    async answer (key: string, make: () => Promise<Buffer>): Promise<EncodedBody> {
      return await kept(answers, key, async () => ({ identity: await make(), encoded: {} }))
    },
    /** Call on every change to what pages show. */
    clear (): void {
      generation++
      bodies.clear()
      answers.clear()
    }
  }
}
