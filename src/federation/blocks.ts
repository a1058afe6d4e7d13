import type { Db } from 'mongodb'
import type { FederationEventBus } from './events.ts'
import { remotePagesCollection } from './remote-pages.ts'

export interface DomainBlock {
  _id: string
  createdAt: Date
  reason: string
}

/** A host name as people type it: lower case, no scheme, path or port. */
export function normalizeHost (input: string): string | null {
  const trimmed = input.trim().toLowerCase().replace(/^[a-z]+:\/\//, '').replace(/[/?#].*$/, '').replace(/:\d+$/, '').replace(/\.$/, '')
  return /^[a-z0-9.-]{1,253}$/.test(trimmed) && !trimmed.startsWith('.') && trimmed.includes('.') ? trimmed : trimmed === 'localhost' ? trimmed : null
}

/**
 * Domain blocks: from the blocked-domains setting (FEDERATION_BLOCKED_DOMAINS or the
 * settings page, asked at each check) and from the federation admin page (stored). A blocked host and its subdomains are refused
 * everywhere, and the pages already received from it are no longer shown.
 */
export async function createDomainBlocks (options: { db: Db, configured: () => readonly string[], events: FederationEventBus }) {
  const collection = options.db.collection<DomainBlock>('domainBlocks')
  const stored = new Set((await collection.find({}).toArray()).map(block => block._id))

  function isBlocked (host: string): boolean {
    const lower = host.toLowerCase()
    for (const set of [options.configured(), stored]) {
      for (const domain of set) if (lower === domain || lower.endsWith('.' + domain)) return true
    }
    return false
  }

  /** Blocks a host; false when an admin had blocked it already (the audit log records only changes). */
  async function add (input: string, reason = ''): Promise<boolean> {
    const host = normalizeHost(input)
    if (host === null) throw new Error(`"${input}" is not a host name`)
    const result = await collection.updateOne({ _id: host }, { $setOnInsert: { createdAt: new Date(), reason: reason.slice(0, 500) } }, { upsert: true })
    if (result.upsertedCount === 0) return false
    stored.add(host)
    const pages = remotePagesCollection(options.db)
    const hidden = await pages.find({ deletedAt: null }, { projection: { objectId: 1, origin: 1 } }).toArray()
    for (const page of hidden) {
      if (!isBlocked(page.origin.replace(/:\d+$/, ''))) continue
      await pages.updateOne({ _id: page._id }, { $set: { deletedAt: new Date() } })
      options.events.emit('remote.deleted', { id: page.objectId })
    }
    return true
  }

  /** Lifts an admin's block; false when there was none. */
  async function remove (input: string): Promise<boolean> {
    const host = normalizeHost(input)
    if (host === null) return false
    const result = await collection.deleteOne({ _id: host })
    stored.delete(host)
    return result.deletedCount > 0
  }

  async function list (): Promise<Array<{ host: string, source: 'setting' | 'admin', reason: string }>> {
    const fromAdmin = await collection.find({}).sort({ _id: 1 }).toArray()
    return [
      ...[...options.configured()].sort().map(host => ({ host, source: 'setting' as const, reason: '' })),
      ...fromAdmin.map(block => ({ host: block._id, source: 'admin' as const, reason: block.reason }))
    ]
  }

  return { isBlocked, add, remove, list }
}

export type DomainBlocks = Awaited<ReturnType<typeof createDomainBlocks>>
