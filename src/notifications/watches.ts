import { ObjectId, type Collection, type Db } from 'mongodb'
import { LRUCache } from 'lru-cache'
import { isDuplicateKey } from '../store/index.ts'
import { TooManyWatchesError } from './errors.ts'
import type { WatchDocument, WatchKind } from './model.ts'

/** What one person may watch at the most; the page view reads them all at once. */
export const MAX_WATCHES = 500
/** People told of one event at the most. */
const MAX_WATCHERS = 2000

export type Watches = ReturnType<typeof createWatches>

/** Tags are matched without regard to case, as people write them differently. */
export function watchKey (kind: WatchKind, key: string): string {
  return kind === 'tag' ? key.trim().toLowerCase() : key.trim()
}

/**
 * Who watches which page, tag or field (`watches`). A person's watches are kept in memory
 * once read and forgotten when they change, so the watch button on a page view costs no query.
 */
export function createWatches (options: { db: Db, now: () => Date }) {
  const watches: Collection<WatchDocument> = options.db.collection<WatchDocument>('watches')
  const byPerson = new LRUCache<string, Set<string>>({ max: 5000, ttl: 60_000 })

  async function ensureIndexes (): Promise<void> {
    await watches.createIndex({ person: 1, kind: 1, key: 1 }, { unique: true, name: 'person_watch' })
    await watches.createIndex({ key: 1, kind: 1 }, { name: 'watchers' })
  }

  /** Starts watching; watching twice is no error. */
  async function watch (person: string, kind: WatchKind, key: string, label: string, href?: string): Promise<void> {
    const normalised = watchKey(kind, key)
    if ((await watchedKeys(person)).has(`${kind}:${normalised}`)) return
    if (await watches.countDocuments({ person }) >= MAX_WATCHES) throw new TooManyWatchesError(MAX_WATCHES)
    try {
      await watches.insertOne({ _id: new ObjectId(), person, kind, key: normalised, label: label.slice(0, 200), ...href === undefined ? {} : { href }, createdAt: options.now() })
    } catch (error) {
      if (!isDuplicateKey(error)) throw error
    }
    byPerson.delete(person)
  }

  async function unwatch (person: string, kind: WatchKind, key: string): Promise<void> {
    await watches.deleteOne({ person, kind, key: watchKey(kind, key) })
    byPerson.delete(person)
  }

  /** `kind:key` of everything the person watches. */
  async function watchedKeys (person: string): Promise<Set<string>> {
    let keys = byPerson.get(person)
    if (keys === undefined) {
      const found = await watches.find({ person }, { projection: { kind: 1, key: 1 }, limit: MAX_WATCHES }).toArray()
      keys = new Set(found.map(watch => `${watch.kind}:${watch.key}`))
      byPerson.set(person, keys)
    }
    return keys
  }

  async function list (person: string): Promise<WatchDocument[]> {
    return await watches.find({ person }, { sort: { kind: 1, label: 1 }, limit: MAX_WATCHES }).toArray()
  }

  /** The people watching any of these, each once. */
  async function watchersOf (kind: WatchKind, keys: string[]): Promise<string[]> {
    const wanted = [...new Set(keys.map(key => watchKey(kind, key)))].filter(key => key !== '').slice(0, 64)
    if (wanted.length === 0) return []
    const found = await watches.find({ key: { $in: wanted }, kind }, { projection: { person: 1 }, limit: MAX_WATCHERS }).toArray()
    return [...new Set(found.map(watch => watch.person))]
  }

  /** A page's title or address changed: the lists show the new ones. */
  async function relabel (kind: WatchKind, key: string, label: string, href: string): Promise<void> {
    await watches.updateMany({ key: watchKey(kind, key), kind }, { $set: { label: label.slice(0, 200), href } })
  }

  return { ensureIndexes, watch, unwatch, watchedKeys, list, watchersOf, relabel }
}
