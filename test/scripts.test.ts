import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { openStore, type Store } from '../src/store/index.ts'

/** Runs a command-line tool to its end (at most 60 s) and returns its exit code and output. */
async function run (script: string, args: string[], env: Record<string, string>): Promise<{ code: number | null, stderr: string }> {
  return await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { env: { ...process.env, ...env }, stdio: ['pipe', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', chunk => { stderr += chunk })
    child.stdin.end('a long enough password\n')
    const timer = setTimeout(() => { child.kill(); reject(new Error(`${script} did not end within 60 s`)) }, 60_000)
    child.on('error', reject)
    child.on('close', code => { clearTimeout(timer); resolve({ code, stderr }) })
  })
}

describe('command-line tools beside a running server', () => {
  let dataDir: string
  /** Holds the data dir as the server would. */
  let store: Store

  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'praxiswiki-scripts-'))
    store = await openStore({ dataDir })
  })

  after(async () => {
    await store.close()
    await rm(dataDir, { recursive: true, force: true })
  })

  for (const [script, args] of [
    ['scripts/create-user.ts', ['--username', 'anna', '--role', 'editor', '--password-stdin']],
    ['scripts/follow.ts', ['--list']],
    ['scripts/export.ts', [path.join(os.tmpdir(), 'praxiswiki-never-written')]]
  ] as const) {
    it(`${path.basename(script)} says the data dir is in use and what to use instead, without a stack trace`, async () => {
      const { code, stderr } = await run(script, [...args], { DATA_DIR: dataDir, LOG_LEVEL: 'silent' })
      assert.equal(code, 1)
      assert.match(stderr, /is in use by process \d+/)
      assert.match(stderr, /\/admin\/accounts/)
      assert.doesNotMatch(stderr, /^\s+at /m)
    })
  }
})
