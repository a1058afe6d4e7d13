import type { Worker } from 'node:worker_threads'
import { startWorker } from '../threads/start-worker.ts'
import type { ImageSizes } from './image-sizes.ts'
import type { RenderedMarkdown } from './render.ts'

/** What the render worker is asked: the wiki link targets of a body, or its HTML. */
export type RenderJob =
  | { kind: 'link-targets', body: string, language?: string }
  | { kind: 'html', body: string, language?: string, missingPageTitle?: string, existing: string[], imageSizes?: ImageSizes }

export type RenderReply =
  | { id: number, result: string[] | RenderedMarkdown, error?: undefined }
  | { id: number, error: string, result?: undefined }
/** The first message of a thread: the set-up is loaded. */
export interface RenderReady { ready: true }

/**
 * A job's answer, or why there is none: it ran past its deadline; too many waiting, or it
 * waited as long as a deadline; the worker failed; the thread was closed.
 */
export type RenderOutcome<Result> =
  | { done: true, value: Result }
  | { done: false, reason: 'deadline' | 'busy' | 'failed' | 'closed' }

/**
 * How long a job may run, and how long it may wait for the thread before that. markdown-it
 * has no way to stop part way, so a job past it ends the thread; a new one starts for the
 * next job. A thread's own start (a second or more under tsx) does not count: it is the
 * same for every input. Only "ran too long" says something about the page itself.
 */
export const RENDER_DEADLINE_MS = 2000
/** Jobs waiting behind the running one; past that a page is shown as text rather than queue without end. */
export const MAX_WAITING_RENDERS = 8

const workerFile = new URL('./render-worker.ts', import.meta.url)
/** A 500,000-character source parses into a few hundred megabytes of tokens at most. */
const RESOURCE_LIMITS = { maxOldGenerationSizeMb: 512 }

interface Job {
  id: number
  job: RenderJob
  resolve: (outcome: RenderOutcome<unknown>) => void
  /** While waiting, how long it may wait; while running, once the thread can take jobs, its deadline. */
  timer?: NodeJS.Timeout
}

/** One worker thread for Markdown, running one job at a time, started when first needed. */
export function createRenderThread (options: { deadlineMs?: number, maxWaiting?: number } = {}) {
  const deadlineMs = options.deadlineMs ?? RENDER_DEADLINE_MS
  const maxWaiting = options.maxWaiting ?? MAX_WAITING_RENDERS
  const waiting: Job[] = []
  let running: Job | null = null
  let thread: Worker | null = null
  let threadReady = false
  let nextId = 0
  let closed = false

  function finish (job: Job, outcome: RenderOutcome<unknown>): void {
    clearTimeout(job.timer)
    job.resolve(outcome)
    if (running === job) {
      running = null
      startNext()
    }
  }

  /** Ends the current thread; its job is answered by the caller, later jobs go to a new thread. */
  function stopThread (): void {
    const stopped = thread
    thread = null
    if (stopped !== null) void stopped.terminate()
  }

  function startDeadline (job: Job): void {
    job.timer = setTimeout(() => {
      stopThread()
      finish(job, { done: false, reason: 'deadline' })
    }, deadlineMs)
  }

  function startThread (): Worker {
    const started = startWorker(workerFile, { resourceLimits: RESOURCE_LIMITS })
    threadReady = false
    started.on('message', (reply: RenderReply | RenderReady) => {
      if (started !== thread) return
      if ('ready' in reply) {
        threadReady = true
        if (running !== null) startDeadline(running)
        return
      }
      if (running === null || reply.id !== running.id) return
      finish(running, reply.error === undefined ? { done: true, value: reply.result } : { done: false, reason: 'failed' })
    })
    // Out of memory, say: the job fails and the next job gets a new thread.
    started.on('error', () => {})
    started.on('exit', () => {
      if (started !== thread) return
      thread = null
      if (running !== null) finish(running, { done: false, reason: 'failed' })
    })
    return started
  }

  function startNext (): void {
    const job = waiting.shift()
    if (job === undefined) {
      // An idle thread must not keep the process from ending.
      thread?.unref()
      return
    }
    running = job
    clearTimeout(job.timer)
    thread ??= startThread()
    if (threadReady) startDeadline(job)
    thread.ref()
    thread.postMessage({ id: job.id, job: job.job })
  }

  async function submit<Result> (job: RenderJob): Promise<RenderOutcome<Result>> {
    if (closed) return { done: false, reason: 'closed' }
    if (waiting.length >= maxWaiting) return { done: false, reason: 'busy' }
    return await new Promise(resolve => {
      const entry: Job = { id: nextId++, job, resolve: resolve as Job['resolve'] }
      entry.timer = setTimeout(() => {
        waiting.splice(waiting.indexOf(entry), 1)
        finish(entry, { done: false, reason: 'busy' })
      }, deadlineMs)
      waiting.push(entry)
      if (running === null) startNext()
    })
  }

  return {
    async linkTargets (body: string, language?: string): Promise<RenderOutcome<string[]>> {
      return await submit({ kind: 'link-targets', body, language })
    },
    async render (body: string, options: { language?: string, missingPageTitle?: string, existing: string[], imageSizes?: ImageSizes }): Promise<RenderOutcome<RenderedMarkdown>> {
      return await submit({ kind: 'html', body, ...options })
    },
    async close (): Promise<void> {
      closed = true
      for (const job of waiting.splice(0)) finish(job, { done: false, reason: 'closed' })
      if (running !== null) finish(running, { done: false, reason: 'closed' })
      const stopped = thread
      thread = null
      // An unref'd worker's exit would not keep the event loop alive until it arrives.
      stopped?.ref()
      await stopped?.terminate()
    }
  }
}

export type RenderThread = ReturnType<typeof createRenderThread>
