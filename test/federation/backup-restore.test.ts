import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { RemotePageDocument } from '../../src/federation/remote-pages.ts'
import type { Instance } from './instances.ts'
import { eventually, startInstance } from './instances.ts'

const publicPage = (title: string, body: string): string => `---\ntitle: ${title}\nvisibility: public\n---\n${body}\n`

/** Runs a command-line tool to its end (at most 60 s) and returns its exit code and output. */
async function run (script: string, args: string[], env: Record<string, string>): Promise<{ code: number | null, stdout: string, stderr: string }> {
  return await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', chunk => { stdout += chunk })
    child.stderr.on('data', chunk => { stderr += chunk })
    const timer = setTimeout(() => { child.kill(); reject(new Error(`${script} did not end within 60 s`)) }, 60_000)
    child.on('error', reject)
    child.on('close', code => { clearTimeout(timer); resolve({ code, stdout, stderr }) })
  })
}

/** What an organisation cannot make again, read straight from the store. */
async function irreplaceable (instance: Instance): Promise<Record<string, unknown>> {
  const db = instance.app.store.db
  const all = async (name: string): Promise<unknown[]> => await db.collection(name).find({}).sort({ _id: 1 }).toArray()
  const actor = await instance.app.federation.core.actor()
  return {
    pages: await all('pages'),
    revisions: await all('revisions'),
    accounts: await all('accounts'),
    actor: { id: actor.id, publicKey: actor.publicKey, privateKey: actor._meta?.privateKey },
    followers: await instance.app.federation.follows.listFollowers()
  }
}

describe('backup and restore of an instance with a follower', { timeout: 240_000 }, () => {
  let a: Instance
  let b: Instance
  let restored: Instance | undefined
  let scratch: string

  before(async () => {
    scratch = await mkdtemp(path.join(os.tmpdir(), 'praxiswiki-backup-federation-'))
    ;[a, b] = await Promise.all([startInstance('a'), startInstance('b')])
  })
  after(async () => {
    await Promise.all([a, b, restored].map(instance => instance?.close()))
    await rm(scratch, { recursive: true, force: true })
  })

  it('restores the organisation into a fresh data dir on the same address, and the follower accepts its next Update', async () => {
    await b.app.federation.follows.follow(`wiki@${a.host}`, 'pages')
    await eventually(async () => (await b.app.federation.follows.listFollowing()).includes(`${a.url}/ap/u/wiki`), 15_000, 'B to see its follow accepted')
    await a.app.auth.accounts.create({ username: 'anna', password: 'a long enough password', role: 'editor' })
    const created = await a.app.wiki.createPage({ source: publicPage('Nachbarschaftshilfe', 'Zuerst kamen wenige.') })
    await a.app.wiki.savePage('nachbarschaftshilfe', { source: publicPage('Nachbarschaftshilfe', 'Nach einem Jahr kamen viele.'), baseRevisionId: created.revisionId.toHexString() })
    const articleId = a.app.federation.publisher.articleIdOf(created._id.toHexString())
    const remotePage = async (): Promise<RemotePageDocument | null> => await b.app.store.db.collection<RemotePageDocument>('remotePages').findOne({ objectId: articleId })
    await eventually(async () => (await remotePage())?.html.includes('viele'), 15_000, 'the edit at B')

    // Taken by another process while A runs and holds its data dir.
    const file = path.join(scratch, 'a.backup.gz')
    const backup = await run('scripts/backup.ts', [file], { DATA_DIR: a.dataDir, BASE_URL: a.url, LOG_LEVEL: 'silent' })
    assert.equal(backup.code, 0, backup.stderr)
    assert.match(backup.stdout, /documents in \d+ collections written to/)
    const before = await irreplaceable(a)
    await a.stop()

    const dataDir = path.join(scratch, 'restored')
    const restore = await run('scripts/restore.ts', [file], { DATA_DIR: dataDir, BASE_URL: a.url, LOG_LEVEL: 'silent' })
    assert.equal(restore.code, 0, restore.stderr)
    assert.equal(restore.stderr, '')
    const again = await run('scripts/restore.ts', [file], { DATA_DIR: dataDir, BASE_URL: a.url, LOG_LEVEL: 'silent' })
    assert.equal(again.code, 1)
    assert.match(again.stderr, /not empty .*nothing was restored/)
    assert.doesNotMatch(again.stderr, /^\s+at /m)

    restored = await startInstance('a', {}, { port: Number(new URL(a.url).port), dataDir })
    assert.deepEqual(await irreplaceable(restored), before)

    const page = await restored.app.wiki.requirePage('nachbarschaftshilfe')
    await restored.app.wiki.savePage('nachbarschaftshilfe', { source: publicPage('Nachbarschaftshilfe', 'Wiederhergestellt und weitergeschrieben.'), baseRevisionId: page.revisionId.toHexString() })
    const arrived = await eventually(async () => {
      const stored = await remotePage()
      return stored?.html.includes('weitergeschrieben') ? stored : null
    }, 15_000, 'the restored instance\'s Update at B')
    assert.equal(arrived.actorId, `${a.url}/ap/u/wiki`)
    assert.equal(await b.app.store.db.collection('remotePages').countDocuments({ objectId: articleId }), 1)
  })
})
