import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { PassThrough } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import { withoutSecrets } from '../../src/auth/secret-urls.ts'
import { buildApp } from '../../src/app.ts'
import { loadConfig } from '../../src/config/index.ts'

describe('set-up and invitation links in the log', () => {
  let app: FastifyInstance
  let dataDir: string
  let base: string
  const lines: string[] = []
  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'praxiswiki-test-'))
    const stream = new PassThrough()
    stream.setEncoding('utf8')
    stream.on('data', (chunk: string) => { lines.push(...chunk.split('\n').filter(line => line !== '')) })
    const config = loadConfig({ DATA_DIR: dataDir, BASE_URL: 'http://wiki.test', FEDERATION_KEY_BITS: '2048' })
    app = await buildApp(config, { logger: { level: 'info', stream } })
    base = await app.listen({ port: 0, host: '127.0.0.1' })
  })
  after(async () => {
    await app.close()
    await rm(dataDir, { recursive: true, force: true })
  })

  it('never shows the set-up token or an invitation token, though the requests are logged', async () => {
    const setupLink = await app.auth.setupLink()
    assert.ok(setupLink !== null)
    const setupToken = new URL(setupLink).searchParams.get('token') ?? ''
    const { token: invitationToken } = await app.auth.accounts.createInvitation({ role: 'editor', createdBy: 'admin' })
    assert.equal((await fetch(`${base}/setup?token=${setupToken}`)).status, 200)
    assert.equal((await fetch(`${base}/invitations/${invitationToken}`)).status, 200)
    assert.equal((await fetch(`${base}/invitations/${invitationToken}?token=${setupToken}`)).status, 200)
    assert.ok(lines.some(line => line.includes('"url":"/setup?token=[hidden]"')), lines.join('\n'))
    assert.ok(lines.some(line => line.includes('"url":"/invitations/[hidden]"')), lines.join('\n'))
    assert.ok(lines.some(line => line.includes('"remotePort":') && line.includes('"method":"GET"')), 'the rest of each request is logged as before')
    for (const line of lines) {
      assert.ok(!line.includes(setupToken), line)
      assert.ok(!line.includes(invitationToken), line)
    }
  })

  it('hides the tokens in any place of an address, also percent-encoded inside another one', () => {
    assert.equal(withoutSecrets('/setup?token=abc'), '/setup?token=[hidden]')
    assert.equal(withoutSecrets('/setup?lang=de&TOKEN=abc#x'), '/setup?lang=de&TOKEN=[hidden]#x')
    assert.equal(withoutSecrets('/invitations/abc'), '/invitations/[hidden]')
    assert.equal(withoutSecrets('/invitations/abc?x=1'), '/invitations/[hidden]?x=1')
    assert.equal(withoutSecrets('/login?next=%2Finvitations%2Fabc'), '/login?next=%2Finvitations%2F[hidden]')
    assert.equal(withoutSecrets('/login?next=%2Fsetup%3Ftoken%3Dabc'), '/login?next=%2Fsetup%3Ftoken%3D[hidden]')
    assert.equal(withoutSecrets('/wiki/invitations-and-tokens?q=token'), '/wiki/invitations-and-tokens?q=token')
  })
})
