// Runs every benchmark script that exists, one after another, so they do not compete for the CPU.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const scripts = path.dirname(fileURLToPath(import.meta.url))
const benchmarks = ['bench-render.ts', 'bench-store.ts', 'bench-search.ts', 'bench-federation.ts']
let failed = false
for (const name of benchmarks) {
  const file = path.join(scripts, name)
  if (!existsSync(file)) continue
  process.stdout.write(`\n== ${name}\n`)
  const result = spawnSync(process.execPath, ['--import', 'tsx', file], { stdio: 'inherit', env: process.env })
  if (result.status !== 0) failed = true
}
process.exitCode = failed ? 1 : 0
