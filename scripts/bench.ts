// Runs every benchmark script that exists, one after another, so they do not compete for the CPU.
// The soak takes ten minutes and runs only when asked for: BENCH_SOAK_MINUTES=10 npm run bench.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const scripts = path.dirname(fileURLToPath(import.meta.url))
const soakMinutes = process.env.BENCH_SOAK_MINUTES
const benchmarks: Array<[string, string[]]> = [['bench-render.ts', []], ['bench-store.ts', []], ['bench-search.ts', []], ['bench-federation.ts', []], ['bench-abuse.ts', []], ['bench-edit.ts', []], ['bench-notifications.ts', []]]
if (soakMinutes !== undefined) benchmarks.push(['bench-soak.ts', ['--minutes', soakMinutes]])
let failed = false
for (const [name, args] of benchmarks) {
  const file = path.join(scripts, name)
  if (!existsSync(file)) continue
  process.stdout.write(`\n== ${name}\n`)
  const result = spawnSync(process.execPath, ['--import', 'tsx', file, ...args], { stdio: 'inherit', env: process.env })
  if (result.status !== 0) failed = true
}
if (soakMinutes === undefined) process.stdout.write('\n== bench-soak.ts not run: it takes 10 minutes; BENCH_SOAK_MINUTES=10 npm run bench, or npm run bench:soak\n')
process.exitCode = failed ? 1 : 0
