import type { Worker } from 'node:worker_threads'
import { startWorker } from '../threads/start-worker.ts'
import type { WorkerRequest, WorkerResponse } from './protocol.ts'

/** A failure reported by a worker, with the worker's error name and, for shard files, the reason. */
export class WorkerError extends Error {
  constructor (readonly workerErrorName: string, message: string, readonly reason?: string) {
    super(message)
    this.name = 'WorkerError'
  }
}

/**
 * A request that no worker will answer: its worker died before answering, or the worker
 * crashed so often that the pool stopped restarting it. Nothing the request asked for
 * is wrong; asking again after the replacement has loaded its shards may well work.
 */
export class WorkerExitedError extends Error {
  constructor (readonly worker: number, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'WorkerExitedError'
  }
}

/** What the pool tells its owner after a worker died outside `close()`. */
export interface WorkerCrash {
  worker: number
  error: WorkerExitedError
  /** The replacement's incarnation, when there is one. */
  incarnation: number
  /** False once the worker crashed too often: it stays stopped until the server restarts. */
  restarted: boolean
  /** Crashes of this worker within the restart window, this one included. */
  crashes: number
}

export interface WorkerPoolOptions {
  size: number
  /** Called once per crash, after the crashed worker's requests have failed and any replacement has started. */
  onCrash: (crash: WorkerCrash) => void
}

const workerFile = new URL('./worker.ts', import.meta.url)
/**
 * A worker's heap holds its shards (about 1 MB each; postings and weights live outside
 * it) and, while building, one shard's Lunr builder (about 100 MB for 500 pages of 500
 * words). Without a limit V8 lets each worker's heap grow to gigabytes before it collects.
 */
const RESOURCE_LIMITS = { maxOldGenerationSizeMb: 512 }
/**
 * A worker that dies on every load or build would otherwise be restarted, reload its
 * shards and die again for ever, keeping a CPU busy; after this many crashes within the
 * window it is left stopped.
 */
const RESTART_LIMIT = 3
const RESTART_WINDOW_MS = 60_000

interface Pending { resolve: (value: unknown) => void, reject: (error: Error) => void }

/** One place in the pool: its current thread, the requests that thread owes, and its recent crashes. */
interface Slot {
  thread: Worker
  /** Counts the threads this slot has had, so a job of several messages can insist on one thread. */
  incarnation: number
  pending: Map<number, Pending>
  crashTimes: number[]
  stopped: boolean
}

/**
 * A fixed set of workers; shard n always lives in worker n mod size. A worker that dies
 * outside `close()` is replaced in its slot, a bounded number of times.
 */
export class WorkerPool {
  readonly #slots: Slot[] = []
  readonly #onCrash: (crash: WorkerCrash) => void
  #nextId = 0
  #closed = false

  constructor (options: WorkerPoolOptions) {
    this.#onCrash = options.onCrash
    for (let worker = 0; worker < options.size; worker++) {
      const slot: Slot = { thread: startWorker(workerFile, { resourceLimits: RESOURCE_LIMITS }), incarnation: 0, pending: new Map(), crashTimes: [], stopped: false }
      this.#slots.push(slot)
      this.#watch(worker, slot)
    }
  }

  get size (): number { return this.#slots.length }

  workerOf (shard: number): number { return shard % this.#slots.length }

  incarnationOf (worker: number): number { return this.#slot(worker).incarnation }

  /**
   * The thread currently in a slot, for tests that kill it to see the pool recover from
   * a real crash. Nothing else should touch the thread.
   */
  threadForTests (worker: number): Worker {
    return this.#slot(worker).thread
  }

  /**
   * With `incarnation`, the request fails rather than reach a replacement thread: messages
   * that belong together (a shard's staged pages and its apply, a query and its hits)
   * must not be split across a crash, as the replacement holds none of the earlier state.
   */
  async send<Result> (worker: number, request: WorkerRequest, incarnation?: number): Promise<Result> {
    if (this.#closed) throw new Error('the search workers are stopped')
    const slot = this.#slot(worker)
    // A message to a thread that has died would never be answered.
    if (slot.stopped) throw new WorkerExitedError(worker, `search worker ${worker} crashed too often and is stopped`)
    if (incarnation !== undefined && incarnation !== slot.incarnation) throw new WorkerExitedError(worker, `search worker ${worker} was replaced`)
    const { thread, pending } = slot
    const id = this.#nextId++
    return await new Promise<Result>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject })
      thread.ref()
      thread.postMessage({ id, request })
    })
  }

  async close (): Promise<void> {
    this.#closed = true
    // An unref'd worker's exit would not keep the event loop alive until it arrives.
    await Promise.all(this.#slots.map(async ({ thread }) => { thread.ref(); await thread.terminate() }))
  }

  #slot (worker: number): Slot {
    const slot = this.#slots[worker]
    if (slot === undefined) throw new Error(`no search worker ${worker}`)
    return slot
  }

  #watch (worker: number, slot: Slot): void {
    const { thread, pending } = slot
    // An uncaught exception or running out of memory arrives here first; the exit follows and reports it.
    let failure: Error | undefined
    thread.on('message', (response: WorkerResponse) => {
      const waiting = pending.get(response.id)
      if (waiting === undefined) return
      pending.delete(response.id)
      // After close() began, an answer still queued must not unref the thread: its exit would never be awaited.
      if (pending.size === 0 && !this.#closed) thread.unref()
      if (response.ok) waiting.resolve(response.result)
      else waiting.reject(new WorkerError(response.error.name, response.error.message, response.error.reason))
    })
    thread.on('error', error => { failure = error })
    thread.on('exit', code => {
      const error = new WorkerExitedError(worker, `search worker ${worker} exited with code ${code}`, failure === undefined ? undefined : { cause: failure })
      for (const waiting of pending.values()) waiting.reject(error)
      pending.clear()
      if (!this.#closed) this.#replace(worker, slot, error)
    })
    // Idle workers must not keep a script such as reindex from ending; busy ones must.
    thread.unref()
  }

  #replace (worker: number, slot: Slot, error: WorkerExitedError): void {
    const now = Date.now()
    slot.crashTimes = [...slot.crashTimes.filter(time => now - time < RESTART_WINDOW_MS), now]
    const restarted = slot.crashTimes.length <= RESTART_LIMIT
    if (restarted) {
      slot.thread = startWorker(workerFile, { resourceLimits: RESOURCE_LIMITS })
      slot.incarnation++
      slot.pending = new Map()
      this.#watch(worker, slot)
    } else {
      slot.stopped = true
    }
    this.#onCrash({ worker, error, incarnation: slot.incarnation, restarted, crashes: slot.crashTimes.length })
  }
}
