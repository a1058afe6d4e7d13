import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { parentPort } from 'node:worker_threads'
import type { ApplyResult, LoadResult, WorkerQueryResult, WorkerRequest, WorkerResponse } from './protocol.ts'
import { facetValues, parseForShard, Shard, ShardFileError, snippetOf, toHit, type ShardMatch } from './shard.ts'
import { FACET_NAMES, type FacetName } from './types.ts'

/**
 * A worker thread owns some shards: it loads, builds, saves and queries them, so the
 * server's event loop never waits for Lunr. Messages are handled one at a time.
 */
const shards = new Map<number, Shard>()

function load (shard: number, file: string): LoadResult {
  const loaded = Shard.parse(readFileSync(file, 'utf8'))
  shards.set(shard, loaded)
  return { documents: [...loaded.documents.values()].map(document => ({ id: document.id, version: document.version, origin: document.origin })) }
}

function apply (number: number, file: string, upserts: WorkerRequest & { type: 'apply' }): ApplyResult {
  const shard = shards.get(number) ?? new Shard()
  shard.apply(upserts.upserts, upserts.removes)
  if (shard.size === 0) {
    shards.delete(number)
    rmSync(file, { force: true })
    return { size: 0 }
  }
  shard.build()
  shards.set(number, shard)
  // Write then rename: a crash leaves the old file or the new one, never half of one.
  const temporary = `${file}.tmp`
  writeFileSync(temporary, shard.serialise())
  renameSync(temporary, file)
  return { size: shard.size }
}

function query (request: WorkerRequest & { type: 'query' }): WorkerQueryResult {
  const parsed = parseForShard(request.q)
  const matches: ShardMatch[] = []
  for (const number of request.shards) {
    const shard = shards.get(number)
    // Local pages are for signed-in people only, so they leave hits and facet counts alike.
    if (shard !== undefined) matches.push(...shard.search(parsed, request.filters).filter(match => request.includeLocal || match.document.visibility !== 'local'))
  }
  const facets = Object.fromEntries(FACET_NAMES.map(name => [name, {}])) as Record<FacetName, Record<string, number>>
  for (const match of matches) {
    for (const name of FACET_NAMES) {
      const counts = facets[name]
      for (const value of facetValues(match.document, name)) counts[value] = (counts[value] ?? 0) + 1
    }
  }
  matches.sort(compareMatches)
  return { hits: matches.slice(0, request.limit).map(toHit), total: matches.length, facets, relaxed: parsed.relaxed }
}

export function compareMatches (a: { score: number, document: { updatedAt: string, id: string } }, b: typeof a): number {
  return b.score - a.score || b.document.updatedAt.localeCompare(a.document.updatedAt) || a.document.id.localeCompare(b.document.id)
}

function handle (request: WorkerRequest): unknown {
  switch (request.type) {
    case 'load': return load(request.shard, request.file)
    case 'apply': return apply(request.shard, request.file, request)
    case 'query': return query(request)
    case 'snippets': return request.items.map(item => {
      const document = shards.get(item.shard)?.documents.get(item.id)
      return document === undefined ? '' : snippetOf(document, item.terms)
    })
  }
}

parentPort?.on('message', (message: { id: number, request: WorkerRequest }) => {
  let response: WorkerResponse
  try {
    response = { id: message.id, ok: true, result: handle(message.request) }
  } catch (error) {
    const failure = error instanceof Error ? error : new Error(String(error))
    response = { id: message.id, ok: false, error: { name: failure.name, message: failure.message, ...(error instanceof ShardFileError ? { reason: error.reason } : {}) } }
  }
  parentPort?.postMessage(response)
})
