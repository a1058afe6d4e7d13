import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, it, type TestContext } from 'node:test'
import { openStore } from '../../src/store/index.ts'
import { seededRandom } from '../seeded-random.ts'
import { checksum, COLLECTION, type WriteEvent } from './crash-writer.ts'

const writer = fileURLToPath(new URL('./crash-writer.ts', import.meta.url))

interface RoundOutput {
  events: WriteEvent[]
  signal: NodeJS.Signals | null
  code: number | null
  stderr: string
}

/** Starts the writer on `dataDir`, kills it with SIGKILL `killAfterMs` after its first acknowledgement. */
function runWriter (dataDir: string, tag: string, seed: number, killAfterMs: number, compactAfterBytes?: number): Promise<RoundOutput> {
  return new Promise((resolve, reject) => {
    const args = ['--import', 'tsx', writer, dataDir, tag, String(seed)]
    if (compactAfterBytes !== undefined) args.push(String(compactAfterBytes))
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    const events: WriteEvent[] = []
    let buffered = ''
    let stderr = ''
    let killTimer: NodeJS.Timeout | undefined
    // A writer that never acknowledges anything is killed too, and the round fails.
    const stuckTimer = setTimeout(() => child.kill('SIGKILL'), 15_000)
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (chunk: string) => {
      buffered += chunk
      const lines = buffered.split('\n')
      buffered = lines.pop() ?? '' // a line cut off by the kill is not a report
      for (const line of lines) {
        if (line === '') continue
        const event = JSON.parse(line) as WriteEvent
        events.push(event)
        if (event.ev === 'ack' && killTimer === undefined) {
          killTimer = setTimeout(() => child.kill('SIGKILL'), killAfterMs)
        }
      }
    })
    child.stderr.setEncoding('utf8')
    child.stderr.on('data', (chunk: string) => { stderr += chunk })
    child.on('error', reject)
    // 'close' comes after the process has been reaped and its stdout drained.
    child.on('close', (code, signal) => {
      clearTimeout(stuckTimer)
      clearTimeout(killTimer)
      resolve({ events, signal, code, stderr })
    })
  })
}

interface Expected { sum: string, round: number, group?: string, groupSize?: number }

/** What one round's reports allow the store to hold: acknowledged writes must be there, the one in flight per worker may be. */
class RoundModel {
  readonly inserted = new Map<string, boolean>() // key → acknowledged
  readonly groups = new Map<string, { keys: string[], acknowledged: boolean }>()
  readonly deleted = new Map<string, boolean>()
  readonly rounds = new Map<string, { acknowledged: number, pending?: number }>()
  readonly counts = { insert: 0, group: 0, update: 0, delete: 0, compacted: 0 }
  private readonly inFlight = new Map<number, WriteEvent>()

  constructor (events: WriteEvent[]) {
    for (const event of events) this.add(event)
  }

  private add (event: WriteEvent): void {
    if (event.ev === 'compacted') {
      this.counts.compacted++
      return
    }
    if (event.ev === 'begin') {
      assert.equal(this.inFlight.get(event.w), undefined, `worker ${event.w} began a write while another was in flight`)
      this.inFlight.set(event.w, event)
    } else {
      const begun = this.inFlight.get(event.w)
      assert.deepEqual(begun && { ...begun, ev: 'ack' }, event, `worker ${event.w} acknowledged a write it had not begun`)
      this.inFlight.delete(event.w)
      this.counts[event.op]++
    }
    const acknowledged = event.ev === 'ack'
    switch (event.op) {
      case 'insert':
        this.inserted.set(event.key, acknowledged)
        break
      case 'group':
        this.groups.set(event.group, { keys: event.keys, acknowledged })
        for (const key of event.keys) this.inserted.set(key, acknowledged)
        break
      case 'update': {
        const previous = this.rounds.get(event.key) ?? { acknowledged: 0 }
        this.rounds.set(event.key, acknowledged ? { acknowledged: event.round } : { ...previous, pending: event.round })
        break
      }
      case 'delete':
        this.deleted.set(event.key, acknowledged)
        break
    }
  }
}

interface Totals { rounds: number, acknowledged: number, compactions: number, killedWhileCompacting: number, tornTails: number, documents: number }

/**
 * Reopens the data dir after a kill and checks it against what was
 * acknowledged; returns the documents found, the next round's baseline.
 */
async function verify (dataDir: string, known: Map<string, Expected>, model: RoundModel, label: string): Promise<Map<string, Expected>> {
  const store = await openStore({ dataDir }) // must open: a torn tail is cut off with a warning, nothing else is allowed
  try {
    const collection = store.db.collection(COLLECTION)
    const documents = await collection.find({}).toArray()
    const found = new Map<string, Expected>()
    const groupCounts = new Map<string, number>()
    for (const document of documents) {
      const key = String(document.key)
      assert.ok(!found.has(key), `${label}: ${key} is stored twice`)
      assert.ok(known.has(key) || model.inserted.has(key), `${label}: ${key} was never written`)
      assert.equal(checksum(key, document.payload), document.sum, `${label}: the payload of ${key} does not match its checksum`)
      assert.ok(document.a === document.round && document.b === document.round && document.c === document.round,
        `${label}: ${key} holds a half-applied update: a=${document.a} b=${document.b} c=${document.c} round=${document.round}`)
      const expected: Expected = { sum: document.sum, round: document.round }
      if (document.group !== undefined) {
        expected.group = document.group
        expected.groupSize = document.groupSize
        groupCounts.set(document.group, (groupCounts.get(document.group) ?? 0) + 1)
      }
      const before = known.get(key)
      if (before) {
        assert.deepEqual(expected, before, `${label}: ${key}, written in an earlier round, changed`)
      } else {
        assert.notEqual(model.deleted.get(key), true, `${label}: ${key} is back after its delete was acknowledged`)
        const rounds = model.rounds.get(key) ?? { acknowledged: 0 }
        assert.ok(document.round === rounds.acknowledged || document.round === rounds.pending,
          `${label}: ${key} is at round ${document.round}, its last acknowledged update set ${rounds.acknowledged}` +
          (rounds.pending === undefined ? '' : ` and one in flight ${rounds.pending}`))
      }
      found.set(key, expected)
    }
    for (const key of known.keys()) assert.ok(found.has(key), `${label}: ${key}, written in an earlier round, is gone`)
    for (const [key, acknowledged] of model.inserted) {
      if (acknowledged && !model.deleted.has(key)) assert.ok(found.has(key), `${label}: the acknowledged insert of ${key} is missing`)
    }
    for (const [group, { keys, acknowledged }] of model.groups) {
      const count = groupCounts.get(group) ?? 0
      assert.ok(count === 0 || count === keys.length, `${label}: insertMany group ${group} is torn: ${count} of ${keys.length} documents`)
      if (acknowledged) assert.equal(count, keys.length, `${label}: the acknowledged insertMany group ${group} is missing`)
    }
    // The unique index was rebuilt by replay and agrees with the documents.
    assert.ok(await collection.indexExists('key_unique'), `${label}: the unique index on key is gone`)
    for (const document of documents) {
      const byIndex = await collection.findOne({ key: document.key }, { projection: { _id: 1 } })
      assert.ok(byIndex && String(byIndex._id) === String(document._id), `${label}: the index does not find ${document.key}`)
    }
    assert.ok(!existsSync(path.join(dataDir, 'praxiswiki.journal.compact')), `${label}: a compaction's temporary file was left behind`)
    return found
  } finally {
    await store.close()
  }
}

async function crashRounds (t: TestContext, options: { rounds: number, minRounds: number, budgetMs: number, seed: number, compactAfterBytes?: number }): Promise<Totals> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'praxiswiki-crash-'))
  const next = seededRandom(options.seed)
  const totals: Totals = { rounds: 0, acknowledged: 0, compactions: 0, killedWhileCompacting: 0, tornTails: 0, documents: 0 }
  const onWarning = (warning: Error): void => {
    if (warning.name === 'EmbeddedEngineWarning' && warning.message.includes('torn')) totals.tornTails++
  }
  process.on('warning', onWarning)
  const started = Date.now()
  try {
    let known = new Map<string, Expected>()
    for (let round = 0; round < options.rounds && Date.now() - started < options.budgetMs; round++) {
      const label = `round ${round} (seed ${options.seed})`
      const killAfterMs = 50 + Math.floor(next() * 350)
      const output = await runWriter(dataDir, `r${round}`, Math.floor(next() * 2 ** 31), killAfterMs, options.compactAfterBytes)
      assert.equal(output.signal, 'SIGKILL', `${label}: the writer was not killed but exited with ${output.code}: ${output.stderr}`)
      assert.ok(output.events.some(event => event.ev === 'ack'), `${label}: the writer acknowledged nothing: ${output.stderr}`)
      const model = new RoundModel(output.events)
      if (existsSync(path.join(dataDir, 'praxiswiki.journal.compact'))) totals.killedWhileCompacting++
      known = await verify(dataDir, known, model, label)
      totals.rounds++
      totals.acknowledged += model.counts.insert + model.counts.group + model.counts.update + model.counts.delete
      totals.compactions += model.counts.compacted
      totals.documents = known.size
    }
    // Warnings are emitted on the next tick; let the last one arrive.
    await new Promise(resolve => setImmediate(resolve))
    assert.ok(totals.rounds >= options.minRounds, `only ${totals.rounds} rounds fit in ${options.budgetMs} ms`)
    t.diagnostic(`seed ${options.seed}: ${totals.rounds} kills, ${totals.acknowledged} acknowledged writes checked, ` +
      `${totals.documents} documents at the end, ${totals.compactions} compactions seen, ${totals.killedWhileCompacting} kills during a compaction, ${totals.tornTails} torn tails dropped, ${Date.now() - started} ms`)
    return totals
  } finally {
    process.off('warning', onWarning)
    await rm(dataDir, { recursive: true, force: true })
  }
}

const seed = Number(process.env.CRASH_SEED ?? Date.now() % 1_000_000)

describe('the embedded store under kill -9', () => {
  it('keeps every acknowledged write after kill -9, and no write is half-applied', { timeout: 45_000 }, async t => {
    await crashRounds(t, { rounds: 12, minRounds: 6, budgetMs: 25_000, seed })
  })

  it('keeps every acknowledged write when killed while compacting under load', { timeout: 45_000 }, async t => {
    const totals = await crashRounds(t, { rounds: 8, minRounds: 4, budgetMs: 18_000, seed: seed + 1, compactAfterBytes: 16 * 1024 })
    assert.ok(totals.compactions > 0, 'the writers never saw the journal compacted')
  })
})
