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
import { cookieOf, csrfTokenOf, form, logIn, TEST_PASSWORD, type Inject } from '../helpers.ts'

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
    assert.equal(await first.reserveAttempt('shared'), true)
    assert.equal(await second.reserveAttempt('shared'), true)
    assert.equal(await first.reserveAttempt('shared'), true)
    assert.equal(await second.reserveAttempt('shared'), false)
  })

  it('grants no more attempts than the limit when twenty arrive at once, the first ones included', async () => {
    const granted = await Promise.all(Array.from({ length: 20 }, async () => await lockout().reserveAttempt('rushed')))
    assert.equal(granted.filter(Boolean).length, 3)
    // Once the account has a document, attempts racing on it are held to the limit as well.
    later(WINDOW + 1)
    assert.equal(await lockout().reserveAttempt('rushed'), true)
    const again = await Promise.all(Array.from({ length: 20 }, async () => await lockout().reserveAttempt('rushed')))
    assert.equal(again.filter(Boolean).length, 2)
  })

  it('stops counting attempts older than the window, and the lock ends with them', async () => {
    const attempts = lockout()
    assert.equal(await attempts.reserveAttempt('patient'), true)
    later(10 * MINUTE)
    assert.equal(await attempts.reserveAttempt('patient'), true)
    assert.equal(await attempts.reserveAttempt('patient'), true)
    assert.equal(await attempts.reserveAttempt('patient'), false)
    later(5 * MINUTE)
    // The first attempt has left the window: one more fits, then the account is full again.
    assert.equal(await attempts.reserveAttempt('patient'), true)
    assert.equal(await attempts.reserveAttempt('patient'), false)
  })

  it('clears the account count on success, but not the address count', async () => {
    const attempts = lockout({ maxAddressFailures: 2 })
    for (let attempt = 0; attempt < 3; attempt++) assert.equal(await attempts.reserveAttempt('forgetful'), true)
    await attempts.addressFailed('203.0.113.9')
    await attempts.addressFailed('203.0.113.9')
    await attempts.succeed('forgetful')
    assert.equal(await attempts.reserveAttempt('forgetful'), true)
    assert.equal(await attempts.addressWaitMs('203.0.113.9'), 1000)
  })

  it('slows an address down past its limit, a second doubling with each failure up to a minute, and never locks it for the window', async () => {
    const attempts = lockout()
    const address = '203.0.113.9'
    for (let failure = 0; failure < 4; failure++) await attempts.addressFailed(address)
    assert.equal(await attempts.addressWaitMs(address), 0)
    const waits: number[] = []
    for (let failure = 0; failure < 9; failure++) {
      await attempts.addressFailed(address)
      waits.push(await attempts.addressWaitMs(address))
      later(waits.at(-1)!)
      assert.equal(await attempts.addressWaitMs(address), 0)
    }
    assert.deepEqual(waits, [1, 2, 4, 8, 16, 32, 60, 60, 60].map(seconds => seconds * 1000))
    later(30 * 1000)
    await attempts.addressFailed(address)
    later(20 * 1000)
    assert.equal(await attempts.addressWaitMs(address), 40 * 1000)
    assert.equal(await attempts.addressWaitMs('198.51.100.1'), 0)
    // Failures leave the window as accounts' attempts do.
    later(WINDOW)
    assert.equal(await attempts.addressWaitMs(address), 0)
  })

  it('sweeps the documents whose last entry has left the window, and keeps the rest', async () => {
    const attempts = lockout()
    const collection = store.db.collection('signInFailures')
    await attempts.reserveAttempt('early')
    await attempts.addressFailed('192.0.2.1')
    later(10 * MINUTE)
    await attempts.reserveAttempt('late')
    await attempts.addressFailed('192.0.2.2')
    later(6 * MINUTE)
    await attempts.sweep()
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

describe('sign-in lock-out over HTTP', () => {
  let dataDir: string
  let app: FastifyInstance
  let clock: Date
  const from = (remoteAddress: string): Inject => async (options) => await app.inject({ ...(typeof options === 'string' ? { url: options } : options), remoteAddress })

  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'praxiswiki-lockout-http-'))
    clock = new Date('2025-03-01T10:00:00Z')
    const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', BASE_URL: 'http://wiki.test', FEDERATION_KEY_BITS: '2048' })
    app = await buildApp(config, { logger: false, auth: { now: () => clock } })
    for (const username of ['innocent', 'targeted']) await app.auth.accounts.create({ username, password: TEST_PASSWORD, role: 'editor' })
  })
  after(async () => {
    await app.close()
    await rm(dataDir, { recursive: true, force: true })
  })

  it('lets another account\'s holder sign in from an address that failed twenty times, after a wait of a second, not the lock-out window', async () => {
    const shared = from('203.0.113.20')
    for (let attempt = 0; attempt < 20; attempt++) {
      await assert.rejects(logIn(shared, `nobody${attempt}`, 'wrong password!'), /answered 401/)
    }
    const page = await shared('/login')
    const slowed = await shared({ method: 'POST', url: '/login', ...withCookie(cookieOf(page), { _csrf: csrfTokenOf(page.body), username: 'innocent', password: TEST_PASSWORD }) })
    assert.equal(slowed.statusCode, 429)
    assert.equal(slowed.headers['retry-after'], '1')
    clock = new Date(clock.getTime() + 1000)
    await logIn(shared, 'innocent', TEST_PASSWORD)
  })

  it('checks at most the limit of twenty wrong passwords sent at once, and refuses the right one until the window has passed', async () => {
    const attacker = from('203.0.113.21')
    const page = await attacker('/login')
    const attempt = withCookie(cookieOf(page), { _csrf: csrfTokenOf(page.body), username: 'targeted', password: 'wrong password!' })
    const answers = await Promise.all(Array.from({ length: 20 }, async () => await attacker({ method: 'POST', url: '/login', ...attempt })))
    const statuses = answers.map(answer => answer.statusCode)
    assert.equal(statuses.filter(status => status === 401).length, 5, statuses.join(' '))
    assert.equal(statuses.filter(status => status === 429).length, 15, statuses.join(' '))
    const audit = await app.auth.audit.recent({ limit: 100, kinds: ['sign-in-failed'] })
    assert.equal(audit.filter(entry => entry.actor === 'targeted').length, 5)
    // The holder, from elsewhere, is locked out with the right password for the window, and only for it.
    await assert.rejects(logIn(from('198.51.100.30'), 'targeted', TEST_PASSWORD), /answered 429/)
    clock = new Date(clock.getTime() + WINDOW - MINUTE)
    await assert.rejects(logIn(from('198.51.100.30'), 'targeted', TEST_PASSWORD), /answered 429/)
    clock = new Date(clock.getTime() + MINUTE + 1)
    await logIn(from('198.51.100.30'), 'targeted', TEST_PASSWORD)
  })
})

function withCookie (cookie: string, fields: Record<string, string>): { payload: string, headers: Record<string, string> } {
  const posted = form(fields)
  return { payload: posted.payload, headers: { ...posted.headers, cookie } }
}
