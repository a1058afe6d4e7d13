import { Worker } from 'node:worker_threads'
import type { WorkerRequest, WorkerResponse } from './protocol.ts'

/** A failure reported by a worker, with the worker's error name and, for shard files, the reason. */
export class WorkerError extends Error {
  constructor (readonly workerErrorName: string, message: string, readonly reason?: string) {
    super(message)
    this.name = 'WorkerError'
  }
}

const workerFile = new URL('./worker.ts', import.meta.url)
/**
 * A worker's heap holds its shards (about 1 MB each; postings and weights live outside
 * it) and, while building, one shard's Lunr builder (about 100 MB for 500 pages of 500
 * words). Without a limit V8 lets each worker's heap grow to gigabytes before it collects.
 */
const RESOURCE_LIMITS = { maxOldGenerationSizeMb: 512 }

/**
 * Starts a worker thread running worker.ts. When the server itself runs TypeScript
 * through tsx, a worker does not inherit tsx's loader, so it registers it first.
 */
function startWorker (): Worker {
  if (!workerFile.pathname.endsWith('.ts')) return new Worker(workerFile, { resourceLimits: RESOURCE_LIMITS })
  const loader = import.meta.resolve('tsx/esm/api')
  const bootstrap = `import(${JSON.stringify(loader)}).then(api => { api.register(); return import(${JSON.stringify(workerFile.href)}) })`
  return new Worker(bootstrap, { eval: true, resourceLimits: RESOURCE_LIMITS })
}

interface Pending { resolve: (value: unknown) => void, reject: (error: Error) => void }

/** A fixed set of workers; shard n always lives in worker n mod size. */
export class WorkerPool {
  readonly #workers: Worker[] = []
  readonly #pending: Array<Map<number, Pending>> = []
  readonly #exited = new Set<number>()
  #nextId = 0
  #closed = false

  constructor (size: number, onError: (error: Error) => void) {
    for (let index = 0; index < size; index++) {
      const worker = startWorker()
      const pending = new Map<number, Pending>()
      worker.on('message', (response: WorkerResponse) => {
        const waiting = pending.get(response.id)
        if (waiting === undefined) return
        pending.delete(response.id)
        if (pending.size === 0) worker.unref()
        if (response.ok) waiting.resolve(response.result)
        else waiting.reject(new WorkerError(response.error.name, response.error.message, response.error.reason))
      })
      const failAll = (error: Error): void => {
        for (const waiting of pending.values()) waiting.reject(error)
        pending.clear()
      }
      worker.on('error', error => { failAll(error); if (!this.#closed) onError(error) })
      worker.on('exit', code => { this.#exited.add(index); failAll(new Error(`search worker exited with code ${code}`)) })
      // Idle workers must not keep a script such as reindex from ending; busy ones must.
      worker.unref()
      this.#workers.push(worker)
      this.#pending.push(pending)
    }
  }

  get size (): number { return this.#workers.length }

  workerOf (shard: number): number { return shard % this.#workers.length }

  async send<Result> (workerIndex: number, request: WorkerRequest): Promise<Result> {
    if (this.#closed) throw new Error('the search workers are stopped')
    const worker = this.#workers[workerIndex]
    const pending = this.#pending[workerIndex]
    if (worker === undefined || pending === undefined) throw new Error(`no search worker ${workerIndex}`)
    // A message to a worker that has died (out of memory, say) would never be answered.
    if (this.#exited.has(workerIndex)) throw new Error(`search worker ${workerIndex} has stopped`)
    const id = this.#nextId++
    return await new Promise<Result>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject })
      worker.ref()
      worker.postMessage({ id, request })
    })
  }

  async close (): Promise<void> {
    this.#closed = true
    // An unref'd worker's exit would not keep the event loop alive until it arrives.
    await Promise.all(this.#workers.map(async worker => { worker.ref(); await worker.terminate() }))
  }
}
