import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../src/app.ts'
import { loadConfig } from '../../src/config/index.ts'
import { csrfTokenOf, pageSource, TEST_PASSWORD } from '../helpers.ts'

/** The address the proxy says its client came from, as nginx's $remote_addr would. */
const CLIENT = '203.0.113.7'

interface Running {
  app: FastifyInstance
  origin: string
  close: () => Promise<void>
}

/** The app on a loopback port of its own, as `npm start` runs it behind a proxy. */
async function startServer (env: Record<string, string>): Promise<Running> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'praxiswiki-proxy-'))
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', FEDERATION_KEY_BITS: '2048', ...env })
  const app = await buildApp(config, { logger: false })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as AddressInfo
  return {
    app,
    origin: `http://127.0.0.1:${port}`,
    close: async () => {
      await app.close()
      await rm(dataDir, { recursive: true, force: true })
    }
  }
}

/**
 * A TLS-terminating reverse proxy's forwarding, in a few lines: it appends the client's address
 * to X-Forwarded-For (as nginx's $proxy_add_x_forwarded_for does) and says the client spoke https.
 */
async function startProxy (upstream: string): Promise<{ origin: string, close: () => Promise<void> }> {
  const target = new URL(upstream)
  const server = http.createServer((request, response) => {
    const forwardedFor = [request.headers['x-forwarded-for'], CLIENT].filter(value => value !== undefined).join(', ')
    const outgoing = http.request({
      host: target.hostname,
      port: target.port,
      method: request.method,
      path: request.url,
      headers: { ...request.headers, 'x-forwarded-for': forwardedFor, 'x-forwarded-proto': 'https' }
    }, answer => {
      response.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(response)
    })
    outgoing.on('error', () => { response.writeHead(502).end() })
    request.pipe(outgoing)
  })
  await new Promise<void>(resolve => { server.listen(0, '127.0.0.1', resolve) })
  const { port } = server.address() as AddressInfo
  return {
    origin: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>(resolve => { server.close(() => { resolve() }) })
    }
  }
}

/** A browser's share of the work: keeps cookies by name (Secure ones too) and follows no redirects. */
function browser (origin: string) {
  const cookies = new Map<string, string>()
  const setCookies: string[] = []
  async function send (url: string, options: { method?: string, form?: Record<string, string>, headers?: Record<string, string> } = {}): Promise<Response> {
    const headers: Record<string, string> = { cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join('; '), ...options.headers }
    if (options.form !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded'
    const response = await fetch(`${origin}${url}`, {
      method: options.method ?? 'GET',
      headers,
      body: options.form === undefined ? undefined : new URLSearchParams(options.form).toString(),
      redirect: 'manual'
    })
    for (const line of response.headers.getSetCookie()) {
      setCookies.push(line)
      const [pair = ''] = line.split(';')
      const [name = '', value = ''] = pair.split('=')
      cookies.set(name, value)
    }
    return response
  }
  return { send, setCookies }
}

describe('behind a trusted reverse proxy that terminates TLS', () => {
  let server: Running
  let proxy: Awaited<ReturnType<typeof startProxy>>

  before(async () => {
    server = await startServer({ BASE_URL: 'https://wiki.test', TRUST_PROXY: 'loopback' })
    proxy = await startProxy(server.origin)
    await server.app.auth.accounts.create({ username: 'practitioner', password: TEST_PASSWORD, role: 'editor' })
  })
  after(async () => {
    await proxy.close()
    await server.close()
  })

  it('gives a Secure session cookie and HSTS, and lets a person sign in, create and edit a page, and sign out', async () => {
    const client = browser(proxy.origin)
    const form = await client.send('/login?next=/wiki')
    assert.equal(form.status, 200)
    assert.match(form.headers.get('strict-transport-security') ?? '', /max-age=\d+/)
    assert.ok(client.setCookies.some(line => /^praxiswiki_session=/.test(line) && /;\s*Secure/i.test(line)), client.setCookies.join(' | '))
    const signedIn = await client.send('/login', { method: 'POST', form: { _csrf: csrfTokenOf(await form.text()), username: 'practitioner', password: TEST_PASSWORD, next: '/wiki' } })
    assert.equal(signedIn.status, 303, await signedIn.text())
    assert.equal(signedIn.headers.get('location'), '/wiki')

    const account = await client.send('/account')
    assert.equal(account.status, 200)
    const token = csrfTokenOf(await account.text())
    const created = await client.send('/wiki', { method: 'POST', form: { _csrf: token, title: 'Hinter dem Proxy', source: pageSource('Hinter dem Proxy', 'Erste Fassung.') } })
    assert.equal(created.status, 303, await created.text())
    const slug = (created.headers.get('location') ?? '').replace('/wiki/', '')
    const { revision } = await (await client.send(`/api/pages/${slug}`)).json() as { revision: string }
    const edited = await client.send(`/wiki/${slug}`, { method: 'POST', form: { _csrf: token, baseRevision: revision, source: pageSource('Hinter dem Proxy', 'Zweite Fassung.') } })
    assert.equal(edited.status, 303, await edited.text())
    assert.match(await (await client.send(`/wiki/${slug}`)).text(), /Zweite Fassung/)

    const signedOut = await client.send('/logout', { method: 'POST', form: { _csrf: token } })
    assert.equal(signedOut.status, 303)
    assert.equal((await client.send('/account', { headers: { accept: 'application/json' } })).status, 401)

    const audit = await server.app.auth.audit.recent({ limit: 10, kinds: ['sign-in', 'sign-out'] })
    assert.deepEqual(audit.map(entry => [entry.kind, entry.ip]), [['sign-out', CLIENT], ['sign-in', CLIENT]])
  })

  it('takes the client address from the proxy, not from an X-Forwarded-For the client made up', async () => {
    const client = browser(proxy.origin)
    const form = await client.send('/login')
    const failed = await client.send('/login', {
      method: 'POST',
      form: { _csrf: csrfTokenOf(await form.text()), username: 'practitioner', password: 'wrong password!' },
      headers: { 'x-forwarded-for': '198.51.100.99' }
    })
    assert.equal(failed.status, 401)
    const [entry] = await server.app.auth.audit.recent({ limit: 1, kinds: ['sign-in-failed'] })
    assert.equal(entry?.ip, CLIENT)
    const addresses = await server.app.store.db.collection('signInFailures').find({ _id: { $regex: '^address:' } as never }).toArray()
    assert.deepEqual(addresses.map(document => document._id), [`address:${CLIENT}`])
  })
})

describe('without TRUST_PROXY, forwarding headers from anyone are ignored', () => {
  const forged = { 'x-forwarded-for': '198.51.100.99', 'x-forwarded-proto': 'https' }

  it('counts failures against the sender\'s own address, not the one it claims', async () => {
    const server = await startServer({ BASE_URL: 'http://wiki.test' })
    try {
      await server.app.auth.accounts.create({ username: 'practitioner', password: TEST_PASSWORD, role: 'editor' })
      const client = browser(server.origin)
      const form = await client.send('/login', { headers: forged })
      const failed = await client.send('/login', { method: 'POST', form: { _csrf: csrfTokenOf(await form.text()), username: 'practitioner', password: 'wrong password!' }, headers: forged })
      assert.equal(failed.status, 401)
      const [entry] = await server.app.auth.audit.recent({ limit: 1, kinds: ['sign-in-failed'] })
      assert.equal(entry?.ip, '127.0.0.1')
      const addresses = await server.app.store.db.collection('signInFailures').find({ _id: { $regex: '^address:' } as never }).toArray()
      assert.deepEqual(addresses.map(document => document._id), ['address:127.0.0.1'])
    } finally {
      await server.close()
    }
  })

  it('gives no session cookie to a sender that claims https over plain http, though BASE_URL is https', async () => {
    const server = await startServer({ BASE_URL: 'https://wiki.test' })
    try {
      const client = browser(server.origin)
      const form = await client.send('/login', { headers: forged })
      assert.equal(form.status, 200)
      // The cookie is Secure; sent over what the app sees as plain http it would travel in the clear, so it is withheld.
      assert.deepEqual(client.setCookies, [])
    } finally {
      await server.close()
    }
  })
})
