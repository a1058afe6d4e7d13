import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'

/** Runs a benchmark script to its end (at most 120 s) and returns its exit code and output. */
async function run (script: string, args: string[]): Promise<{ code: number | null, stdout: string, stderr: string }> {
  return await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { env: { ...process.env, LOG_LEVEL: 'silent' }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', chunk => { stdout += chunk })
    child.stderr.on('data', chunk => { stderr += chunk })
    const timer = setTimeout(() => { child.kill(); reject(new Error(`${script} did not end within 120 s`)) }, 120_000)
    child.on('error', reject)
    child.on('close', code => { clearTimeout(timer); resolve({ code, stdout, stderr }) })
  })
}

describe('benchmark scripts', () => {
  it('bench-soak.ts runs a few seconds of mixed traffic with small adversarial inputs and prints its summary', async () => {
    const { code, stdout, stderr } = await run('scripts/bench-soak.ts', ['--seconds', '5', '--scale', '0.01', '--abuse-every', '1'])
    assert.equal(code, 0, `${stdout}\n${stderr}`)
    for (const kind of ['read', 'save', 'search', 'inbox', 'abuse']) assert.match(stdout, new RegExp(`^${kind} +[1-9]\\d* `, 'm'), `${kind} requests were sent`)
    assert.match(stdout, /^requests served: [1-9]\d* /m)
    assert.match(stdout, /^event loop delay: p50 [\d.]+ ms, p99 [\d.]+ ms, max [\d.]+ ms$/m)
    assert.match(stdout, /^RSS: start \d+ MB, end \d+ MB$/m)
    assert.match(stdout, /^acknowledged saves: [1-9]\d* checked on 6 pages, 0 missing$/m)
    assert.match(stdout, /^PASS {2}no 5xx/m)
  })

  it('bench-network.ts delivers every lesson signed ahead by its peers\' process through the real inbox and finds each in /lessons and search', async () => {
    const { code, stdout, stderr } = await run('scripts/bench-network.ts', ['--sizes', '2x15'])
    assert.equal(code, 0, `${stdout}\n${stderr}`)
    assert.match(stdout, /^ {2}30 lessons made and signed by the peers' process in [\d.]+ s/m)
    assert.match(stdout, /^ {2}ingest through the inbox: 30 handled, 0 refused, in [\d.]+ s = \d+ lessons\/s$/m)
    assert.match(stdout, /^ {2}30 of 30 delivered lessons arrived in \/lessons$/m)
    assert.match(stdout, /^ {2}send → search: {3}10 of 10 probes arrived/m)
    assert.match(stdout, /^ {2}\/api\/evidence \(every lesson\) +p95 [\d.]+ ms, median [\d.]+ ms \(status 200;/m)
    assert.match(stdout, /^ {2}after the ingest: peak RSS so far \d+ MiB; now RSS \d+ MiB, main-thread heap \d+ MiB in use of \d+ MiB held$/m)
    assert.match(stdout, /^ {2}peak RSS \d+ MiB \([\d.]+ GB\); now RSS \d+ MiB/m)
  })
})
