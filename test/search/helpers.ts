import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../src/app.ts'
import { loadConfig } from '../../src/config/index.ts'
import type { SearchTuning } from '../../src/search/plugin.ts'

/** Small shards and one worker, so a handful of pages already spans several shards. */
export const TEST_TUNING: SearchTuning = { workers: 1, shardSize: 3, debounceMs: 5 }

export async function makeDataDir (): Promise<string> {
  return await mkdtemp(path.join(os.tmpdir(), 'praxiswiki-search-'))
}

export async function removeDataDir (dataDir: string): Promise<void> {
  await rm(dataDir, { recursive: true, force: true })
}

/** An app on `dataDir`; a second one on the same dir is a restart. */
export async function startSearchApp (dataDir: string, tuning: SearchTuning = TEST_TUNING): Promise<FastifyInstance> {
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', BASE_URL: 'http://wiki.test', FEDERATION_KEY_BITS: '2048' })
  return await buildApp(config, { logger: false, search: tuning })
}

/** Front matter of a lesson that passes the lessons' own checks. */
export function lesson (fields: { outcome: string, field: string, from: string, place?: string, language: string }): string {
  return [
    `language: ${fields.language}`,
    'type: lesson',
    'programme: Testprogramm',
    'organisation: Testverein e.V.',
    `place: { name: ${fields.place ?? 'Halle'} }`,
    `field: ${fields.field}`,
    `period: { from: "${fields.from}" }`,
    `outcome: ${fields.outcome}`,
    'summary: Kurz gesagt.',
    ''
  ].join('\n')
}

/** A public page: anonymous searches (as these tests send) do not find local ones. */
export async function addPage (app: FastifyInstance, title: string, body: string, frontMatter = ''): Promise<string> {
  const visibility = /^visibility:/m.test(frontMatter) ? '' : 'visibility: public\n'
  const page = await app.wiki.createPage({ source: `---\ntitle: ${JSON.stringify(title)}\n${visibility}${frontMatter}---\n${body}\n`, confirmPublication: true })
  return page.slug
}

export interface ApiResult { title: string, url: string, snippet: string, origin: string, local: boolean, id: string }
export interface ApiAnswer { total: number, relaxed: boolean, results: ApiResult[], facets: Record<string, Array<{ value: string, count: number }>> }

export async function searchApi (app: FastifyInstance, query: string, extra = ''): Promise<ApiAnswer> {
  const response = await app.inject({ url: `/api/search?q=${encodeURIComponent(query)}${extra}` })
  if (response.statusCode !== 200) throw new Error(`search for ${query} answered ${response.statusCode}: ${response.body.slice(0, 300)}`)
  return response.json<ApiAnswer>()
}

export async function titlesFor (app: FastifyInstance, query: string, extra = ''): Promise<string[]> {
  return (await searchApi(app, query, extra)).results.map(result => result.title)
}

/** Both search pages answer "index loading": 503, and when to ask again. */
export async function assertSearchLoading (app: FastifyInstance, query: string): Promise<void> {
  const json = await app.inject({ url: `/api/search?q=${encodeURIComponent(query)}` })
  assert.equal(json.statusCode, 503)
  assert.equal(json.json<{ error: string }>().error, 'index-loading')
  assert.equal(json.headers['retry-after'], '2')
  const html = await app.inject({ url: `/search?q=${encodeURIComponent(query)}`, headers: { accept: 'text/html', 'accept-language': 'en' } })
  assert.equal(html.statusCode, 503)
  assert.equal(html.headers['retry-after'], '2')
  assert.match(html.body, /The search index is loading/)
}
