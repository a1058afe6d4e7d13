import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { createAccountService } from '../../src/auth/accounts.ts'
import { openStore, type Store } from '../../src/store/index.ts'

describe('the last use of an API token', () => {
  let dataDir: string
  let store: Store

  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'praxiswiki-token-use-'))
    store = await openStore({ dataDir })
  })

  after(async () => {
    await store.close()
    await rm(dataDir, { recursive: true, force: true })
  })

  it('is recorded on first use and then at most once a minute, without a write for each request', async () => {
    let time = new Date('2026-03-01T09:00:00Z')
    const accounts = createAccountService({ db: store.db, invitationDays: 7, now: () => time })
    await accounts.ensureIndexes()
    await accounts.create({ username: 'programm', password: 'ein langes Passwort für Tests', role: 'editor' })
    const { token } = await accounts.createToken('programm', 'Export')
    const lastUse = async () => (await accounts.listTokens('programm'))[0]?.lastUsedAt?.toISOString() ?? null
    let writes = 0
    const stop = store.onChange!(() => { writes++ })
    try {
      assert.equal(await lastUse(), null)
      assert.equal((await accounts.accountForToken(token))?.username, 'programm')
      assert.equal(await lastUse(), '2026-03-01T09:00:00.000Z')
      const afterFirst = writes
      time = new Date('2026-03-01T09:00:40Z')
      assert.equal((await accounts.accountForToken(token))?.username, 'programm')
      assert.equal(await lastUse(), '2026-03-01T09:00:00.000Z', 'within the minute, the first use stands')
      assert.equal(writes, afterFirst, 'a use within the minute writes nothing')
      time = new Date('2026-03-01T09:01:05Z')
      assert.equal((await accounts.accountForToken(token))?.username, 'programm')
      assert.equal(await lastUse(), '2026-03-01T09:01:05.000Z')
    } finally {
      stop()
    }
  })
})
