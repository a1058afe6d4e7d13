import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Worker } from 'node:worker_threads'
import { WorkerPool } from '../../src/search/pool.ts'
import type { WorkerRequest } from '../../src/search/protocol.ts'

/** Blocks this thread, so that a worker's answer waits in the queue until the caller goes on. */
function blockFor (ms: number): void {
  const until = Date.now() + ms
  while (Date.now() < until) { /* waiting on purpose */ }
}

function query (q: string): WorkerRequest {
  return { type: 'query', shards: [], q, filters: {}, limit: 1, includeLocal: true }
}

interface Observed {
  /** Whether the pool last called ref() rather than unref() on the thread. */
  referenced: boolean
  answersAfterClosing: number
  exit?: { code: number, referenced: boolean, threadId: number }
}

/** Records what the pool does with a thread and what the thread does, from now on. */
function observe (thread: Worker, closing: () => boolean): Observed {
  const observed: Observed = { referenced: false, answersAfterClosing: 0 }
  const ref = thread.ref.bind(thread)
  const unref = thread.unref.bind(thread)
  thread.ref = () => { observed.referenced = true; ref() }
  thread.unref = () => { observed.referenced = false; unref() }
  thread.on('message', () => { if (closing()) observed.answersAfterClosing++ })
  thread.once('exit', code => { observed.exit = { code, referenced: observed.referenced, threadId: thread.threadId } })
  return observed
}

describe('the search worker pool', () => {
  it('keeps every worker referenced until its exit when an answer arrives after close() began', async () => {
    const pool = new WorkerPool({ size: 2, onCrash: () => { assert.fail('no worker should crash') } })
    // Warm up: the first answers show both workers are running.
    await Promise.all([0, 1].map(async worker => await pool.send(worker, query('x'))))
    let closing = false
    const observed = [0, 1].map(worker => observe(pool.threadForTests(worker), () => closing))
    const answer = pool.send(0, query('y')).then(() => 'answered', (error: Error) => `refused: ${error.message}`)
    blockFor(300)
    // Had close() let go of a thread, nothing would keep this process alive until its exit
    // and it would end mid-test; this timer lets the assertions below say so instead.
    const keepAlive = setTimeout(() => {}, 30_000)
    closing = true
    try {
      assert.equal(await pool.close(), undefined)
    } finally {
      clearTimeout(keepAlive)
    }
    assert.equal(observed[0]?.answersAfterClosing, 1, 'the answer arrived only after close() began')
    assert.equal(await answer, 'answered')
    for (const [worker, { exit }] of observed.entries()) {
      assert.ok(exit !== undefined, `close() resolved before worker ${worker} exited`)
      assert.equal(exit.code, 1, `worker ${worker} was terminated`)
      assert.equal(exit.threadId, -1, `worker ${worker} is no longer running`)
      assert.equal(exit.referenced, true, `worker ${worker} was let go of before its exit`)
    }
  })
})
