import { after, afterEach, before, beforeEach, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../src/app.ts'
import { createLockout, type LockoutOptions } from '../../src/auth/lockout.ts'
import { loadConfig } from '../../src/config/index.ts'
import { openStore, type Store } from '../../src/store/index.ts'
import { logIn, TEST_PASSWORD, type Inject } from '../helpers.ts'

const MINUTE = 60 * 1000
const WINDOW = 15 * MINUTE

describe('sign-in lock-out in the store', () => {
  let dir: string
  let store: Store
  let clock: Date
  const now = (): Date => clock
  const later = (milliseconds: number): void => { clock = new Date(clock.getTime() + milliseconds) }
  const lockout = (limits: Partial<LockoutOptions> = {}) =>
    createLockout({ db: store.db, maxAccountFailures: 3, maxAddressFailures: 5, windowMs: WINDOW, now, ...limits })

  before(async () => { dir = await mkdtemp(path.join(os.tmpdir(), 'praxiswiki-lockout-')) })
  after(async () => { await rm(dir, { recursive: true, force: true }) })
  beforeEach(async () => {
    store = await openStore({ dataDir: await mkdtemp(path.join(dir, 'data-')) })
    clock = new Date('2025-03-01T10:00:00Z')
    await lockout().ensureIndexes()
  })
  afterEach(async () => { await store.close() })

  it('shares one count between two lock-outs on the same database, as two processes would', async () => {
    const first = lockout()
    const second = lockout()
    await first.fail('shared', '192.0.2.1')
    await second.fail('shared', '192.0.2.2')
    assert.equal(await first.isLocked('shared', '192.0.2.3'), false)
    await first.fail('shared', '192.0.2.3')
    assert.equal(await second.isLocked('shared', '192.0.2.4'), true)
  })

  it('counts failures that arrive at the same moment, none lost', async () => {
    const limits = { maxAccountFailures: 20, maxAddressFailures: 100 }
    await Promise.all(Array.from({ length: 20 }, async (_, attempt) => { await lockout(limits).fail('rushed', `192.0.2.${attempt}`) }))
    assert.equal(await lockout(limits).isLocked('rushed', '198.51.100.1'), true)
  })

  it('stops counting failures older than the window, and the lock ends with them', async () => {
    const failures = lockout()
    await failures.fail('patient', '192.0.2.1')
    later(10 * MINUTE)
    await failures.fail('patient', '192.0.2.1')
    await failures.fail('patient', '192.0.2.1')
    assert.equal(await failures.isLocked('patient', '198.51.100.1'), true)
    later(5 * MINUTE)
    // The first failure has left the window: two remain, one short of the limit.
    assert.equal(await failures.isLocked('patient', '198.51.100.1'), false)
    await failures.fail('patient', '192.0.2.1')
    assert.equal(await failures.isLocked('patient', '198.51.100.1'), true)
  })

  it('locks every account from an address past the address limit', async () => {
    const failures = lockout()
    for (let attempt = 0; attempt < 5; attempt++) await failures.fail(`nobody${attempt}`, '203.0.113.9')
    assert.equal(await failures.isLocked('innocent', '203.0.113.9'), true)
    assert.equal(await failures.isLocked('innocent', '198.51.100.1'), false)
  })

  it('clears the account count on success, but not the address count', async () => {
    const failures = lockout({ maxAddressFailures: 4 })
    await failures.fail('forgetful', '203.0.113.9')
    await failures.fail('forgetful', '203.0.113.9')
    await failures.succeed('forgetful')
    await failures.fail('forgetful', '203.0.113.9')
    await failures.fail('forgetful', '198.51.100.1')
    assert.equal(await failures.isLocked('forgetful', '198.51.100.2'), false)
    await failures.fail('other', '203.0.113.9')
    assert.equal(await failures.isLocked('someone', '203.0.113.9'), true)
  })

  it('sweeps the documents whose last failure has left the window, and keeps the rest', async () => {
    const failures = lockout()
    const collection = store.db.collection('signInFailures')
    await failures.fail('early', '192.0.2.1')
    later(10 * MINUTE)
    await failures.fail('late', '192.0.2.2')
    later(6 * MINUTE)
    await failures.sweep()
    const left = await collection.find({}, { projection: { _id: 1 } }).toArray()
    assert.deepEqual(left.map(document => document._id).sort(), ['account:late', 'address:192.0.2.2'])
    const indexes = await collection.indexes()
    assert.ok(indexes.some(index => index.key.expiresAt === 1), JSON.stringify(indexes))
  })
})

describe('sign-in lock-out across a restart', () => {
  let dataDir: string
  let app: FastifyInstance | null = null
  const start = async (): Promise<Inject> => {
    const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', BASE_URL: 'http://wiki.test', FEDERATION_KEY_BITS: '2048', LOGIN_MAX_FAILURES: '3' })
    app = await buildApp(config, { logger: false })
    return app.inject.bind(app) as Inject
  }

  before(async () => { dataDir = await mkdtemp(path.join(os.tmpdir(), 'praxiswiki-lockout-restart-')) })
  after(async () => {
    await app?.close()
    await rm(dataDir, { recursive: true, force: true })
  })

  it('keeps an account locked after the app is closed and opened again on the same data', async () => {
    const before = await start()
    await app!.auth.accounts.create({ username: 'restarted', password: TEST_PASSWORD, role: 'editor' })
    for (let attempt = 0; attempt < 3; attempt++) {
      await assert.rejects(logIn(before, 'restarted', 'wrong password!'), /answered 401/)
    }
    await app!.close()
    app = null
    const after = await start()
    await assert.rejects(logIn(after, 'restarted', TEST_PASSWORD), /answered 429/)
  })
})
