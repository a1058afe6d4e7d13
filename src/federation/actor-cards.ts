import type { Apex } from './apex-types.ts'
import { first, plainText } from './remote-pages.ts'

/** How the admin page names another actor: its display name, its handle, and a letter in place of its icon. */
export interface ActorCard {
  id: string
  name: string
  /** `user@host`, from the actor's preferredUsername and host; null when it names none. */
  handle: string | null
  /** The name's first letter, shown in place of the remote icon (only our own host's images are shown). */
  initial: string
}

function hostOf (id: string): string {
  try {
    return new URL(id).host
  } catch {
    return ''
  }
}

/**
 * Cards for actors this wiki knows, from the copies activitypub-express keeps of every actor
 * it fetched (following, being followed and verifying a signature all fetch it). An actor
 * not kept is shown by its address.
 */
export async function actorCards (apex: Apex, ids: string[]): Promise<ActorCard[]> {
  if (ids.length === 0) return []
  const kept = await apex.store.db.collection('objects')
    .find({ id: { $in: ids } }, { projection: { _id: 0, id: 1, name: 1, preferredUsername: 1 } })
    .toArray()
  const byId = new Map(kept.map(actor => [String(actor.id), actor]))
  return ids.map(id => {
    const actor = byId.get(id)
    const username = String(first(actor?.preferredUsername) ?? '')
    const host = hostOf(id)
    const handle = /^[\w.~-]{1,100}$/.test(username) && host !== '' ? `${username}@${host}` : null
    const name = plainText(String(first(actor?.name) ?? ''), 200) || handle || id
    return { id, name, handle, initial: (Array.from(name.replace(/^@/, ''))[0] ?? '?').toLocaleUpperCase() }
  })
}
