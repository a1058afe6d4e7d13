import type { Db } from 'mongodb'
import type { RemoteHttp } from './http.ts'

/** After the last of these waits a delivery is given up and recorded. */
export const DEFAULT_RETRY_DELAYS_MS = [
  10_000, 60_000, 5 * 60_000, 30 * 60_000, 2 * 3600_000, 6 * 3600_000, 12 * 3600_000, 24 * 3600_000, 48 * 3600_000
]

interface QueuedDelivery {
  address: string
  actorId: string
  signingKey: string
  body: string
  attempt: number
  after: Date
}

/** A delivery given up on, as the admin page lists it. */
export interface DeliveryFailure {
  address: string
  attempts: number
  reason: string
  at: Date
}

/** Given-up deliveries are kept this long for the admin page, then removed. */
const FAILURES_KEPT_MS = 30 * 24 * 3600_000

export async function ensureDeliveryIndexes (db: Db): Promise<void> {
  await db.collection('deliveryFailures').createIndex({ at: -1 }, { name: 'failure_time' })
}

interface ApexQueue {
  deliveryDequeue: () => Promise<QueuedDelivery | { waitUntil: Date } | null>
}

export interface DeliveryOptions {
  db: Db
  queue: ApexQueue
  http: RemoteHttp
  retryDelaysMs?: number[]
  concurrency?: number
  log: { info: (message: string) => void, warn: (message: string) => void }
  /** Told of an inbox that answered 410 Gone. */
  onGone?: (address: string) => Promise<void>
}

/**
 * Works through activitypub-express's persistent `deliveryQueue`, per
 * instance (apex's own loop keeps its state in module globals, which two
 * instances in one process would share). Server errors and timeouts are
 * retried with back-off; 4xx answers and exhausted retries are recorded in
 * `deliveryFailures` and dropped.
 */
export function createDeliveryWorker (options: DeliveryOptions) {
  const delays = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS
  const concurrency = options.concurrency ?? 8
  const queue = options.db.collection<QueuedDelivery>('deliveryQueue')
  const failures = options.db.collection('deliveryFailures')
  let running: Promise<void> | null = null
  let timer: NodeJS.Timeout | null = null
  let stopped = false
  let again = false

  async function deliverOne (item: QueuedDelivery): Promise<void> {
    let outcome: string
    // A busy server may say when to come back (429, 503); it is not asked again sooner.
    let notBeforeMs = 0
    try {
      const { statusCode, retryAfterMs } = await options.http.postActivity(item.address, item.body, {
        keyId: `${item.actorId}#main-key`,
        privateKeyPem: item.signingKey
      })
      if (statusCode >= 200 && statusCode < 300) return
      outcome = `answered ${statusCode}`
      notBeforeMs = retryAfterMs ?? 0
      // 401 is retried too: the receiver could not verify us yet, e.g. it could not fetch our key.
      if (statusCode < 500 && statusCode !== 429 && statusCode !== 408 && statusCode !== 401) {
        await record(item, outcome)
        if (statusCode === 410) await options.onGone?.(item.address).catch(error => { options.log.warn(`forgetting the followers behind ${item.address} failed: ${(error as Error).message}`) })
        return
      }
    } catch (error) {
      outcome = (error as Error).message
    }
    const backOff = delays[item.attempt]
    if (backOff === undefined) {
      await record(item, `${outcome}; gave up after ${item.attempt + 1} attempts`)
      return
    }
    const delay = Math.max(backOff, notBeforeMs)
    options.log.warn(`delivery to ${item.address} failed (${outcome}); retrying in ${Math.round(delay / 1000)} s`)
    await queue.insertOne({ ...item, attempt: item.attempt + 1, after: new Date(Date.now() + delay) }, { forceServerObjectId: true })
  }

  async function record (item: QueuedDelivery, reason: string): Promise<void> {
    options.log.warn(`delivery to ${item.address} dropped: ${reason}`)
    const at = new Date()
    await failures.insertOne({ address: item.address, actorId: item.actorId, attempts: item.attempt + 1, reason: reason.slice(0, 500), at, activity: item.body.slice(0, 2000) })
    // A follower whose server is gone fails once per change for ever: keep a month, not everything.
    await failures.deleteMany({ at: { $lt: new Date(at.getTime() - FAILURES_KEPT_MS) } })
  }

  /** The deliveries given up on most recently, newest first. */
  async function recentFailures (limit: number): Promise<DeliveryFailure[]> {
    const found = await failures.find({}, { projection: { address: 1, attempts: 1, reason: 1, at: 1 } }).sort({ at: -1 }).limit(limit).toArray()
    return found.map(failure => ({ address: String(failure.address), attempts: Number(failure.attempts), reason: String(failure.reason), at: failure.at as Date }))
  }

  async function lane (): Promise<Date | null> {
    // Bounded per run; a longer queue continues in the next run.
    for (let count = 0; count < 10_000 && !stopped; count++) {
      const next = await options.queue.deliveryDequeue()
      if (next === null) return null
      if ('waitUntil' in next) return next.waitUntil
      await deliverOne(next)
    }
    return null
  }

  async function run (): Promise<void> {
    do {
      again = false
      const waits = await Promise.all(Array.from({ length: concurrency }, lane))
      const earliest = waits.filter((wait): wait is Date => wait !== null).sort((left, right) => left.getTime() - right.getTime())[0]
      if (earliest && !stopped) schedule(earliest)
    } while (again && !stopped)
  }

  function schedule (at: Date): void {
    if (timer) clearTimeout(timer)
    const wait = Math.min(Math.max(at.getTime() - Date.now(), 0), 2 ** 31 - 1)
    timer = setTimeout(() => { timer = null; void kick() }, wait)
    timer.unref()
  }

  /** Starts working through the queue; resolves when this run is done. */
  function kick (): Promise<void> {
    if (stopped) return Promise.resolve()
    if (running) {
      again = true
      return running
    }
    running = run().catch(error => { options.log.warn(`delivery worker: ${(error as Error).message}`) }).finally(() => { running = null })
    return running
  }

  async function stop (): Promise<void> {
    stopped = true
    if (timer) clearTimeout(timer)
    if (running) await running
  }

  return { kick, stop, recentFailures }
}

export type DeliveryWorker = ReturnType<typeof createDeliveryWorker>
