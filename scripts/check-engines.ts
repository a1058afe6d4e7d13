// npm run check:engines
// Checks that every package in package-lock.json runs on the oldest release of each Node.js
// line package.json's engines.node declares, and that this Node is one of them, so that
// `npm ci` warns about no engine on any supported Node. Exits 1 with the packages that refuse.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import semver from 'semver'
import { engineProblems, lowestSupported } from './engines.ts'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { engines?: { node?: string } }
const lock = JSON.parse(readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as Parameters<typeof engineProblems>[0]

const range = manifest.engines?.node
if (range === undefined) {
  process.stderr.write('package.json declares no engines.node\n')
  process.exit(1)
}
const versions = lowestSupported(range)
const problems = engineProblems(lock, versions)
for (const problem of problems) {
  process.stdout.write(`${problem.location} ${problem.version} wants Node ${problem.wants}: not ${problem.refuses.join(', ')}\n`)
}
const here = semver.satisfies(process.versions.node, range)
if (!here) process.stdout.write(`this Node ${process.version} is outside the declared ${range}\n`)
process.stdout.write(`engines.node ${range}: ${problems.length === 0 ? 'every locked package runs on' : `${problems.length} package(s) refuse one of`} ${versions.join(', ')}\n`)
process.exit(problems.length === 0 && here ? 0 : 1)
