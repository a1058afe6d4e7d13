import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { WorkerPool } from '../../src/search/pool.ts'

/** Blocks this thread, so that a worker's answer waits in the queue until the caller goes on. */
function blockFor (ms: number): void {
  const until = Date.now() + ms
  while (Date.now() < until) { /* waiting on purpose */ }
}

describe('the search worker pool', () => {
  it('finishes closing when an answer arrives after close() began', async () => {
    const pool = new WorkerPool({ size: 1, onCrash: () => { assert.fail('no worker should crash') } })
    // Warm up: the first answer shows the worker is running.
    await pool.send(0, { type: 'query', shards: [], q: 'x', filters: {}, limit: 1, includeLocal: true })
    const answer = pool.send(0, { type: 'query', shards: [], q: 'y', filters: {}, limit: 1, includeLocal: true }).catch(() => null)
    blockFor(300)
    // No timer here on purpose: had close() let go of the thread, nothing would keep this
    // process alive until the thread's exit, and the test would fail as never settled.
    await pool.close()
    await answer
  })
})
