import { execFile, spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import http from 'node:http'
import { createRequire } from 'node:module'
import type net from 'node:net'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { makeKeyPair, mastodonActor, type FakeServer } from './peer.ts'

const require = createRequire(import.meta.url)
const httpSignature = require('http-signature') as {
  parseRequest: (request: unknown, options?: Record<string, unknown>) => { keyId: string }
  verifySignature: (parsed: unknown, publicKeyPem: string) => boolean
}

const PEER_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'peers', 'fedify')

/** One POST a peer's inbox received: which spec signed it and what the peer answered. */
export interface InboxEntry {
  path: string
  type: string
  rfc9421: boolean
  status: number
}

export interface FedifyPeer {
  url: string
  host: string
  /** Headers that sign a request as one of the peer's actors (fedi, mallory), made by Fedify with RFC 9421. */
  sign: (order: { actor: string, url: string, method?: string, body?: string, createdSecondsAgo?: number }) => Promise<Record<string, string>>
  received: () => Promise<InboxEntry[]>
  close: () => Promise<void>
}

let peerNode: Promise<string> | undefined

/** The Node binary for the peer: this one on Node 22 or newer, else Node 24 from the registry's package (as .ci/run gets it); looked up once. */
async function nodeForPeer (): Promise<string> {
  if (process.env.FEDIFY_PEER_NODE) return process.env.FEDIFY_PEER_NODE
  if (Number(process.versions.node.split('.')[0]) >= 22) return process.execPath
  peerNode ??= promisify(execFile)('npx', ['-y', '-p', 'node@24', '--', 'node', '-e', 'process.stdout.write(process.execPath)'], { timeout: 120_000 }).then(({ stdout }) => stdout.trim())
  return await peerNode
}

/** Why the Fedify peer cannot run here, or null when it can. */
export function fedifyPeerMissing (): string | null {
  if (!existsSync(path.join(PEER_DIR, 'node_modules', '@fedify', 'fedify', 'package.json'))) {
    return 'the Fedify peer is not installed: run `cd test/peers/fedify && npx -y -p node@24 -- npm ci` (as .ci/run does)'
  }
  return null
}

/** Starts test/peers/fedify/peer.mjs on loopback with Node ≥ 22, as a child process that ends with the test. */
export async function startFedifyPeer (): Promise<FedifyPeer> {
  const node = await nodeForPeer()
  const child = spawn(node, [path.join(PEER_DIR, 'peer.mjs')], { cwd: PEER_DIR, stdio: ['pipe', 'pipe', 'inherit'] })
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => { child.kill(); reject(new Error('the Fedify peer did not start within 60 s')) }, 60_000)
    child.once('exit', code => { clearTimeout(timer); reject(new Error(`the Fedify peer exited with ${code}`)) })
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', line => {
      clearTimeout(timer)
      resolve(Number(JSON.parse(line).port))
    })
  })
  const url = `http://127.0.0.1:${port}`
  return {
    url,
    host: `127.0.0.1:${port}`,
    sign: async order => {
      const answer = await fetch(`${url}/sign`, { method: 'POST', body: JSON.stringify(order) })
      const headers = await answer.json() as Record<string, string>
      if (answer.status !== 200) throw new Error(`the Fedify peer could not sign: ${headers.error}`)
      return headers
    },
    received: async () => await (await fetch(`${url}/received`)).json() as InboxEntry[],
    close: async () => {
      if (child.exitCode !== null) return
      const exited = new Promise(resolve => child.once('exit', resolve))
      child.stdin?.end()
      const timer = setTimeout(() => child.kill(), 5000)
      await exited
      clearTimeout(timer)
    }
  }
}

export interface CavagePeer extends Pick<FakeServer, 'url' | 'host'> {
  actorId: string
  keys: ReturnType<typeof makeKeyPair>
  inbox: InboxEntry[]
  close: () => Promise<void>
}

/**
 * A server that, like Mastodon before 4.4, accepts only draft-cavage signatures: its inbox
 * checks each POST with the `http-signature` package against the key fetched from the
 * signer's actor, and the Digest against the body; anything else (RFC 9421 too) gets 401.
 */
export async function startCavageOnlyPeer (): Promise<CavagePeer> {
  const keys = makeKeyPair()
  const inbox: InboxEntry[] = []
  let self = { url: '', host: '' }
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', chunk => chunks.push(chunk))
    request.on('end', () => {
      const body = Buffer.concat(chunks)
      const requestPath = (request.url ?? '/').split('?')[0] as string
      if (request.method === 'GET' && requestPath === '/users/cara') {
        response.writeHead(200, { 'content-type': 'application/activity+json' }).end(JSON.stringify(mastodonActor(self as FakeServer, 'cara', keys)))
        return
      }
      if (request.method !== 'POST') {
        response.writeHead(404).end()
        return
      }
      const entry: InboxEntry = { path: requestPath, type: '', rfc9421: request.headers['signature-input'] !== undefined, status: 401 }
      try {
        entry.type = String(JSON.parse(body.toString('utf8')).type)
      } catch {}
      inbox.push(entry)
      verifyCavage(request, body).then(valid => {
        entry.status = valid ? 202 : 401
        response.writeHead(entry.status).end()
      }, () => response.writeHead(401).end())
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  self = { url: `http://127.0.0.1:${port}`, host: `127.0.0.1:${port}` }
  return {
    ...self,
    actorId: `${self.url}/users/cara`,
    keys,
    inbox,
    close: () => new Promise(resolve => { server.closeAllConnections(); server.close(() => resolve()) })
  }
}

async function verifyCavage (request: http.IncomingMessage, body: Buffer): Promise<boolean> {
  let parsed: { keyId: string }
  try {
    parsed = httpSignature.parseRequest(request, { headers: ['(request-target)', 'host', 'date', 'digest'] })
  } catch {
    return false
  }
  const digest = String(request.headers.digest ?? '')
  if (digest !== `SHA-256=${createHash('sha256').update(body).digest('base64')}`) return false
  const actor = await (await fetch(parsed.keyId.split('#')[0] as string, { headers: { accept: 'application/activity+json' }, signal: AbortSignal.timeout(10_000) })).json() as { publicKey?: { publicKeyPem?: string } }
  return httpSignature.verifySignature(parsed, String(actor.publicKey?.publicKeyPem ?? ''))
}
