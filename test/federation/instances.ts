import { mkdtemp, rm } from 'node:fs/promises'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../src/app.ts'
import { loadConfig } from '../../src/config/index.ts'

export interface Instance {
  name: string
  app: FastifyInstance
  url: string
  host: string
  dataDir: string
  /** Stops the server but keeps its data dir, to start it again. */
  stop: () => Promise<void>
  close: () => Promise<void>
}

async function freePort (): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })
}

/**
 * A real Praxiswiki listening on a loopback port with its own data dir.
 * Loopback peers are allowed by the explicit test setting; signatures are
 * checked as in production.
 */
export async function startInstance (name: string, env: Record<string, string> = {}, reuse?: { port: number, dataDir: string }): Promise<Instance> {
  const port = reuse?.port ?? await freePort()
  const dataDir = reuse?.dataDir ?? await mkdtemp(path.join(os.tmpdir(), `praxiswiki-${name}-`))
  const url = `http://127.0.0.1:${port}`
  const config = loadConfig({
    PORT: String(port),
    HOST: '127.0.0.1',
    BASE_URL: url,
    DATA_DIR: dataDir,
    LOG_LEVEL: process.env.FEDERATION_TEST_LOG ?? 'silent',
    SITE_NAME: `Wiki ${name}`,
    FEDERATION_ALLOW_PRIVATE: 'true',
    FEDERATION_KEY_BITS: '2048',
    ...env
  })
  const app = await buildApp(config, { federation: { retryDelaysMs: [200, 500, 1000, 2000] } })
  await app.listen({ port, host: '127.0.0.1' })
  await app.federation.core.actor()
  let stopped = false
  const stop = async (): Promise<void> => {
    if (stopped) return
    stopped = true
    await app.close()
  }
  return {
    name,
    app,
    url,
    host: `127.0.0.1:${port}`,
    dataDir,
    stop,
    close: async () => {
      await stop()
      await rm(dataDir, { recursive: true, force: true })
    }
  }
}

/** Polls until `check` returns a value, for at most `timeoutMs`; never sleeps unbounded. */
export async function eventually<T> (check: () => Promise<T | null | undefined | false>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (let attempt = 0; attempt < 1000; attempt++) {
    try {
      const value = await check()
      if (value) return value
    } catch (error) {
      last = error
    }
    if (Date.now() > deadline) break
    await new Promise(resolve => setTimeout(resolve, 50))
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`)
}

/**
 * Resolves once `instance` has handled the incoming activity (by id, or the next of a type). Call it before
 * posting: activitypub-express answers the sender first and hands the activity on afterwards.
 */
export function handledBy (instance: Instance, activity: string | { type: string }, timeoutMs = 15_000): Promise<void> {
  const matches = (event: { activityId: string, type: string }): boolean => typeof activity === 'string' ? event.activityId === activity : event.type === activity.type
  const what = typeof activity === 'string' ? activity : `a ${activity.type}`
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { off(); reject(new Error(`timed out waiting for ${instance.name} to handle ${what}`)) }, timeoutMs)
    const off = instance.app.federation.inbox.handled.on('handled', event => {
      if (!matches(event)) return
      clearTimeout(timer)
      off()
      resolve()
    })
  })
}
