import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, it } from 'node:test'
import { ObjectId } from 'mongodb'
import { openStore } from '../../src/store/index.ts'
import { seededRandom } from '../seeded-random.ts'
import type { Listening } from './save-server.ts'

const server = fileURLToPath(new URL('./save-server.ts', import.meta.url))
const WRITERS = 3

/** Starts the app on `dataDir` in a child process and waits until it listens. */
function startServer (dataDir: string): Promise<{ child: ChildProcess, listening: Listening, exited: Promise<NodeJS.Signals | null> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', server, dataDir], { stdio: ['ignore', 'pipe', 'pipe'] })
    const exited = new Promise<NodeJS.Signals | null>(resolve => child.on('close', (code, signal) => resolve(signal)))
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8')
    child.stderr.setEncoding('utf8')
    child.stderr.on('data', (chunk: string) => { stderr += chunk })
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk
      const line = stdout.split('\n')[0]
      if (stdout.includes('\n') && line !== undefined) resolve({ child, listening: JSON.parse(line) as Listening, exited })
    })
    child.on('error', reject)
    void exited.then(() => reject(new Error(`the server exited before it listened: ${stderr}`)))
  })
}

function sourceOf (writer: number, edit: number): string {
  return `---\ntitle: Seite ${writer}\n---\nDie Fassung ${edit} der Seite ${writer}.\n`
}

interface WriterLog {
  slug: string
  /** Every save the server acknowledged, in order: its edit number and the revision it answered. */
  acknowledged: Array<{ edit: number, revision: string }>
  /** The save sent but not answered when the server died, if any. */
  inFlight: number | null
}

/** Saves one page over and over, each on the revision the last answer gave, until a request fails. */
async function writeUntilKilled (listening: Listening, log: WriterLog, writer: number, onAcknowledged: () => void): Promise<void> {
  for (let edit = (log.acknowledged.at(-1)?.edit ?? 0) + 1; ; edit++) {
    log.inFlight = edit
    let response: Response
    try {
      response = await fetch(`${listening.url}/api/pages/${log.slug}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${listening.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ source: sourceOf(writer, edit), baseRevision: log.acknowledged.at(-1)?.revision ?? null })
      })
    } catch {
      return // the server was killed
    }
    const body = await response.json().catch(() => null) as { revision?: string } | null
    if (body === null) return // killed while answering: the save stays in flight
    assert.ok(response.status === 200 || response.status === 201, `save ${edit} of ${log.slug} answered ${response.status}: ${JSON.stringify(body)}`)
    log.acknowledged.push({ edit, revision: String(body.revision) })
    log.inFlight = null
    onAcknowledged()
  }
}

describe('saving under kill -9', () => {
  it('keeps every save acknowledged over HTTP, with its revision, when the server is killed', { timeout: 120_000 }, async t => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'praxiswiki-saves-crash-'))
    const seed = Number(process.env.CRASH_SEED ?? Date.now() % 1_000_000)
    const next = seededRandom(seed)
    const logs: WriterLog[] = Array.from({ length: WRITERS }, (_, writer) => ({ slug: `seite-${writer}`, acknowledged: [], inFlight: null }))
    let checked = 0
    try {
      for (let round = 0; round < 4; round++) {
        const label = `round ${round} (seed ${seed})`
        const { child, listening, exited } = await startServer(dataDir)
        const killAfterMs = 30 + Math.floor(next() * 300)
        let killTimer: NodeJS.Timeout | undefined
        const killSoon = (): void => { killTimer ??= setTimeout(() => child.kill('SIGKILL'), killAfterMs) }
        try {
          await Promise.all(logs.map((log, writer) => writeUntilKilled(listening, log, writer, killSoon)))
        } finally {
          // A writer that failed before any save was acknowledged never armed the kill.
          child.kill('SIGKILL')
        }
        assert.equal(await exited, 'SIGKILL', `${label}: the server was not killed`)

        const store = await openStore({ dataDir })
        try {
          for (const [writer, log] of logs.entries()) {
            const last = log.acknowledged.at(-1)
            if (last === undefined) continue
            const page = await store.db.collection('pages').findOne({ slug: log.slug })
            assert.ok(page !== null, `${label}: ${log.slug}, saved and acknowledged, is gone`)
            const current = await store.db.collection('revisions').findOne({ _id: page.revisionId })
            assert.ok(current !== null, `${label}: ${log.slug} points at a revision that is not stored`)
            assert.equal(current.source, page.source, `${label}: ${log.slug} and its revision disagree`)
            const allowed = [sourceOf(writer, last.edit), ...(log.inFlight === null ? [] : [sourceOf(writer, log.inFlight)])]
            assert.ok(allowed.includes(String(page.source)), `${label}: ${log.slug} holds ${JSON.stringify(page.source)}, but save ${last.edit} was acknowledged`)
            if (page.source !== sourceOf(writer, last.edit)) {
              // The save in flight arrived after all: it is the next acknowledged one.
              log.acknowledged.push({ edit: log.inFlight as number, revision: page.revisionId.toHexString() })
            }
            for (const { edit, revision } of log.acknowledged) {
              const stored = await store.db.collection('revisions').findOne({ _id: new ObjectId(revision) })
              assert.equal(stored?.source, sourceOf(writer, edit), `${label}: the revision of acknowledged save ${edit} of ${log.slug} is missing`)
              checked++
            }
            log.inFlight = null
          }
        } finally {
          await store.close()
        }
        clearTimeout(killTimer)
      }
      assert.ok(logs.every(log => log.acknowledged.length > 0), 'a writer never had a save acknowledged')
      t.diagnostic(`seed ${seed}: ${logs.reduce((sum, log) => sum + log.acknowledged.length, 0)} acknowledged saves, ${checked} revision checks`)
    } finally {
      await rm(dataDir, { recursive: true, force: true })
    }
  })
})
