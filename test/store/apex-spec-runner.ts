/*
 * Runs activitypub-express's own jasmine suite (shipped in its npm package)
 * against the embedded engine. Its helper connects with
 * `new MongoClient('mongodb://localhost:27017')`; this runner hands that
 * helper a client for the embedded engine instead, whose databases come as
 * the app gives them to apex (`apexStoreDb`), and apex's jsonld remembers resolved
 * context objects as it does in the app (`rememberResolvedContexts`); nothing else changes.
 * Prints one JSON line: { total, passed, failed, pending, failures }.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import { apexStoreDb } from '../../src/federation/apex-store-db.ts'
import { rememberResolvedContexts } from '../../src/federation/jsonld-resolved-contexts.ts'
import { openEmbeddedClient, type EmbeddedClient } from '../../src/store/embedded/client.ts'

// The package's own test command runs node with --no-experimental-fetch, so that jsonld's
// ky-universal falls back to node-fetch over node:http, where nock intercepts it. Node 24 no
// longer has that flag; there, the globals are taken away before any spec is loaded (where the
// flag was given, they are not there to take).
for (const name of ['fetch', 'Headers', 'Request', 'Response', 'FormData']) Reflect.deleteProperty(globalThis, name)

const require = createRequire(import.meta.url)
const Module = require('node:module')
const apexDirectory = path.dirname(require.resolve('activitypub-express/package.json'))
const helperFile = path.join(apexDirectory, 'spec', 'helpers', 'test-utils.js')

const dataDir = await mkdtemp(path.join(os.tmpdir(), 'praxiswiki-apex-spec-'))
let shared: Promise<EmbeddedClient> | null = null

/** What the helper constructs in place of a MongoClient: every instance shares one engine. */
class EmbeddedMongoClient {
  private client: EmbeddedClient | null = null
  async connect (): Promise<this> {
    shared ??= openEmbeddedClient({ dataDir })
    this.client = await shared
    return this
  }

  db (name: string): unknown {
    if (!this.client) throw new Error('connect() first')
    // The helper's apex serves https://localhost (test-utils.js sets domain 'localhost').
    return apexStoreDb(this.client.db(name), 'https://localhost')
  }

  async close (): Promise<void> {}
}

rememberResolvedContexts()

const originalLoad = Module._load
Module._load = function (request: string, parent: { filename?: string } | undefined, isMain: boolean) {
  const loaded = originalLoad.call(this, request, parent, isMain)
  if (request === 'mongodb' && parent?.filename === helperFile) {
    return { ...loaded, MongoClient: EmbeddedMongoClient }
  }
  return loaded
}

// `npm test` in the package's folder sets this; its nodeinfo spec compares against it.
process.env.npm_package_version ??= require('activitypub-express/package.json').version

const Jasmine = require('jasmine')
const runner = new Jasmine({ projectBaseDir: apexDirectory })
runner.loadConfig({
  spec_dir: 'spec',
  spec_files: process.env.APEX_SPEC_FILES ? process.env.APEX_SPEC_FILES.split(',') : ['**/*[sS]pec.js'],
  // The package's reporter helper needs a dev dependency it does not ship; the summary below replaces it.
  helpers: ['helpers/jasmine.js', 'helpers/nocks.js', 'helpers/test-utils.js'],
  random: false,
  stopSpecOnExpectationFailure: false
})
runner.exitOnCompletion = false
const failures: Array<{ name: string, messages: string[] }> = []
let total = 0
let passed = 0
let pending = 0
runner.env.clearReporters()
runner.env.addReporter({
  specDone (result: { fullName: string, status: string, failedExpectations: Array<{ message: string }> }) {
    total++
    if (result.status === 'passed') passed++
    else if (result.status === 'failed') failures.push({ name: result.fullName, messages: result.failedExpectations.map(failure => failure.message.slice(0, 500)) })
    else pending++
    if (process.env.APEX_SPEC_VERBOSE) process.stderr.write(`${result.status} ${result.fullName}\n`)
  }
})
const started = Date.now()
const outcome = await runner.execute(undefined, process.env.APEX_SPEC_FILTER)
const client = await (shared as Promise<EmbeddedClient> | null)
await client?.close()
await rm(dataDir, { recursive: true, force: true })
process.stdout.write(JSON.stringify({ total, passed, failed: failures.length, pending, overall: outcome.overallStatus, seconds: (Date.now() - started) / 1000, failures }) + '\n')
process.exit(0)
