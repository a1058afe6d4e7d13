/*
 * The child of crash.test.ts: writes to the embedded store in a loop until it
 * is killed, and reports on stdout, one JSON line each, every write it starts
 * ("begin") and every write the store acknowledged ("ack", printed only after
 * the promise resolved). Writes to a pipe are synchronous on Linux, so a line
 * printed before SIGKILL reaches the parent.
 *
 *   node --import tsx test/store/crash-writer.ts <dataDir> <tag> <seed> [compactAfterBytes]
 *
 * Several workers write at once, so acknowledgements share fsyncs (group
 * commit). Each worker touches only the documents it inserted itself and has
 * at most one write in flight, so the parent knows exactly which writes may
 * or may not have reached the disk.
 */
import { createHash } from 'node:crypto'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Db } from 'mongodb'
import { openEmbeddedClient } from '../../src/store/embedded/client.ts'
import { openStore } from '../../src/store/index.ts'
import { seededRandom } from '../seeded-random.ts'

export const COLLECTION = 'crash'
const WORKERS = 3
const MAX_WRITES = 20_000
const MAX_MILLISECONDS = 15_000

export type WriteEvent =
  | { ev: 'begin' | 'ack', w: number, op: 'insert', key: string }
  | { ev: 'begin' | 'ack', w: number, op: 'update', key: string, round: number }
  | { ev: 'begin' | 'ack', w: number, op: 'group', group: string, keys: string[] }
  | { ev: 'begin' | 'ack', w: number, op: 'delete', key: string }
  | { ev: 'compacted', bytes: number }

/** The checksum each document carries: of its key and payload together. */
export function checksum (key: string, payload: string): string {
  return createHash('sha256').update(key).update('\u0000').update(payload).digest('hex')
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789äöüß€ -'

function payloadOf (next: () => number, length: number): string {
  let text = ''
  for (let i = 0; i < length; i++) text += ALPHABET[Math.floor(next() * ALPHABET.length)]
  return text
}

function report (event: WriteEvent): void {
  process.stdout.write(JSON.stringify(event) + '\n')
}

async function main (): Promise<void> {
  const [dataDir, tag, seedText, compactText] = process.argv.slice(2)
  if (!dataDir || !tag || !seedText) throw new Error('usage: crash-writer.ts <dataDir> <tag> <seed> [compactAfterBytes]')
  const compactAfterBytes = compactText ? Number(compactText) : undefined
  const next = seededRandom(Number(seedText))

  let db: Db
  let journalBytes: () => number = () => 0
  let compact: (() => Promise<void>) | undefined
  if (compactAfterBytes !== undefined) {
    const client = await openEmbeddedClient({ dataDir, compactAfterBytes })
    db = client.db()
    journalBytes = () => client.engine.journalBytes
    compact = () => client.engine.compact()
  } else {
    db = (await openStore({ dataDir })).db
  }
  const collection = db.collection(COLLECTION)
  await collection.createIndex({ key: 1 }, { unique: true, name: 'key_unique' })

  // Compaction-heavy runs rewrite documents more than they add them, so the journal outgrows the live data.
  const heavy = compactAfterBytes !== undefined
  const weights = heavy
    ? { insert: 0.15, group: 0.05, update: 0.6, delete: 0.2 }
    : { insert: 0.45, group: 0.1, update: 0.3, delete: 0.15 }
  const maxPayload = heavy ? 1500 : 6000

  const started = Date.now()
  let writes = 0
  let round = 0

  async function worker (w: number): Promise<void> {
    const singles: string[] = [] // acknowledged single inserts, not deleted: may be deleted or updated
    const updatable: string[] = [] // every acknowledged document of this worker that is not deleted
    let counter = 0
    const newKey = (): string => `${tag}-w${w}-${counter++}`
    const newDocument = (key: string, extra: Record<string, unknown> = {}) => {
      const large = !heavy && next() < 0.03
      const payload = payloadOf(next, large ? 20_000 + Math.floor(next() * 40_000) : 16 + Math.floor(next() * maxPayload))
      return { key, payload, sum: checksum(key, payload), a: 0, b: 0, c: 0, round: 0, ...extra }
    }

    while (writes < MAX_WRITES && Date.now() - started < MAX_MILLISECONDS) {
      writes++
      const pick = next()
      if (pick < weights.insert || updatable.length === 0) {
        const key = newKey()
        report({ ev: 'begin', w, op: 'insert', key })
        await collection.insertOne(newDocument(key))
        report({ ev: 'ack', w, op: 'insert', key })
        singles.push(key)
        updatable.push(key)
      } else if (pick < weights.insert + weights.group) {
        const group = `${tag}-w${w}-g${counter}`
        const size = 2 + Math.floor(next() * 4)
        const keys = Array.from({ length: size }, newKey)
        report({ ev: 'begin', w, op: 'group', group, keys })
        await collection.insertMany(keys.map(key => newDocument(key, { group, groupSize: size })))
        report({ ev: 'ack', w, op: 'group', group, keys })
        updatable.push(...keys)
      } else if (pick < weights.insert + weights.group + weights.update) {
        const key = updatable[Math.floor(next() * updatable.length)] as string
        const value = ++round
        report({ ev: 'begin', w, op: 'update', key, round: value })
        // Four fields at once: after a crash they must all hold the same round.
        const result = await collection.updateOne({ key }, { $set: { a: value, b: value, c: value, round: value } })
        if (result.modifiedCount !== 1) throw new Error(`update of ${key} changed ${result.modifiedCount} documents`)
        report({ ev: 'ack', w, op: 'update', key, round: value })
      } else if (singles.length > 0) {
        const key = singles.splice(Math.floor(next() * singles.length), 1)[0] as string
        updatable.splice(updatable.indexOf(key), 1)
        report({ ev: 'begin', w, op: 'delete', key })
        const result = await collection.deleteOne({ key })
        if (result.deletedCount !== 1) throw new Error(`delete of ${key} removed ${result.deletedCount} documents`)
        report({ ev: 'ack', w, op: 'delete', key })
      }
    }
  }

  // Besides the compactions the small threshold starts, one more is asked for as soon as the last is done.
  async function compactor (run: () => Promise<void>): Promise<void> {
    while (writes < MAX_WRITES && Date.now() - started < MAX_MILLISECONDS) {
      await run()
      report({ ev: 'compacted', bytes: journalBytes() })
    }
  }

  const workers = Array.from({ length: WORKERS }, (_, w) => worker(w))
  await Promise.all(compact ? [...workers, compactor(compact)] : workers)
  // Not killed in time: the parent treats a normal exit as a failed round.
  process.exit(3)
}

// The test imports the helpers above; only a process started on this file writes.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch(error => {
    process.stderr.write(`crash-writer: ${(error as Error).stack ?? String(error)}\n`)
    process.exit(2)
  })
}
