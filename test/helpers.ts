import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../src/app.ts'
import { loadConfig } from '../src/config/index.ts'

export interface TestApp {
  app: FastifyInstance
  dataDir: string
  close: () => Promise<void>
}

/** A fresh app on its own temporary data dir; `close` stops it and removes the dir. */
export async function startTestApp (env: Record<string, string> = {}): Promise<TestApp> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'praxiswiki-test-'))
  // A smaller actor key than production's 4096 bits keeps start-up fast in tests.
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', BASE_URL: 'http://wiki.test', FEDERATION_KEY_BITS: '2048', ...env })
  const app = await buildApp(config, { logger: false })
  return {
    app,
    dataDir,
    close: async () => {
      await app.close()
      await rm(dataDir, { recursive: true, force: true })
    }
  }
}

export function form (fields: Record<string, string>): { payload: string, headers: Record<string, string> } {
  return {
    payload: new URLSearchParams(fields).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' }
  }
}

export function pageSource (title: string, body: string, extra = ''): string {
  return `---\ntitle: ${title}\n${extra}---\n${body}\n`
}

/** Creates a page through the form and returns its slug and current revision id. */
export async function createPage (app: FastifyInstance, title: string, body: string, extra = ''): Promise<{ slug: string, revision: string }> {
  const response = await app.inject({ method: 'POST', url: '/wiki', ...form({ title, source: pageSource(title, body, extra) }) })
  if (response.statusCode !== 303) throw new Error(`creating ${title} answered ${response.statusCode}: ${response.body.slice(0, 500)}`)
  const slug = String(response.headers.location).replace('/wiki/', '')
  return { slug, revision: await currentRevision(app, slug) }
}

export async function currentRevision (app: FastifyInstance, slug: string): Promise<string> {
  const response = await app.inject({ method: 'GET', url: `/api/pages/${slug}` })
  return response.json<{ revision: string }>().revision
}
