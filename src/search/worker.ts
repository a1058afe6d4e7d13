import { readFileSync, readlinkSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import v8 from 'node:v8'
import { parentPort } from 'node:worker_threads'
import type { ApplyResult, HitsResult, LoadResult, RankedMatch, WorkerMemory, WorkerQueryResult, WorkerRequest, WorkerResponse } from './protocol.ts'
import { parseForShard } from './fields.ts'
import { compareMatches } from './scoring.ts'
import { Shard } from './shard.ts'
import { ShardFileError } from './shard-file.ts'
import type { ParsedQuery } from './query.ts'
import { FACET_NAMES, type FacetName, type SearchDocument } from './types.ts'

/**
 * A worker thread owns some shards: it loads, builds, saves and queries them, so the
 * server's event loop never waits for Lunr. Messages are handled one at a time.
 */
const shards = new Map<number, Shard>()
/** Upserts sent ahead of a shard's `apply`. */
const staged = new Map<number, SearchDocument[]>()

/**
 * Building a shard takes a second or more of CPU; when whole shards are built one after
 * another (start, reindex), both workers would take the CPU from the server's event
 * loop on a machine with few cores. Such bulk builds run at lowered priority (Linux
 * thread id from /proc), so the loop runs first; a rebuild after an edit keeps normal
 * priority, so the edit is found quickly. Queries and loads run at normal priority again
 * where the system allows raising it back.
 */
const BUILD_NICENESS = 10
const BULK_CHANGES = 50
const threadId = ((): number | null => {
  try {
    const id = Number(readlinkSync('/proc/thread-self').split('/').pop())
    return Number.isSafeInteger(id) && id > 0 ? id : null
  } catch {
    return null
  }
})()

function niced<T> (run: () => T): T {
  let before: number | null = null
  try {
    if (threadId !== null) { before = os.getPriority(threadId); os.setPriority(threadId, Math.max(before, BUILD_NICENESS)) }
  } catch {
    before = null
  }
  try {
    return run()
  } finally {
    try {
      if (threadId !== null && before !== null) os.setPriority(threadId, before)
    } catch {
      // Without the right to raise priority again the worker stays polite; queries still work.
    }
  }
}

function load (number: number, file: string): LoadResult {
  const shard = Shard.parse(readFileSync(file), file)
  shards.set(number, shard)
  return { ids: shard.documents.map(document => document.id), versions: shard.documents.map(document => document.version), origins: shard.documents.map(document => document.origin) }
}

function apply (request: WorkerRequest & { type: 'apply' }): ApplyResult {
  const upserts = [...(staged.get(request.shard) ?? []), ...request.upserts]
  staged.delete(request.shard)
  const documents = new Map<string, SearchDocument>()
  // The bodies are not in memory: the current shard file has them.
  for (const document of shards.get(request.shard)?.fullDocuments() ?? []) documents.set(document.id, document)
  for (const id of request.removes) documents.delete(id)
  for (const document of upserts) documents.set(document.id, document)
  if (documents.size === 0) {
    shards.delete(request.shard)
    rmSync(request.file, { force: true })
    return { size: 0 }
  }
  const build = (): Buffer => Shard.serialise([...documents.values()])
  const bytes = upserts.length + request.removes.length >= BULK_CHANGES ? niced(build) : build()
  // Write then rename: a crash leaves the old file or the new one, never half of one.
  const temporary = `${request.file}.tmp`
  writeFileSync(temporary, bytes)
  renameSync(temporary, request.file)
  shards.set(request.shard, Shard.parse(bytes, request.file))
  return { size: documents.size }
}

// The hits of a query follow the query itself: the same parsed query lets each shard reuse the
// terms its fuzzy and wildcard clauses reach, which cost a pass over the whole term list.
let lastParsed: { q: string, parsed: ParsedQuery } | null = null
function parsedOnce (q: string): ParsedQuery {
  if (lastParsed?.q !== q) lastParsed = { q, parsed: parseForShard(q) }
  return lastParsed.parsed
}

function query (request: WorkerRequest & { type: 'query' }): WorkerQueryResult {
  const parsed = parsedOnce(request.q)
  const facets = Object.fromEntries(FACET_NAMES.map(name => [name, {}])) as Record<FacetName, Record<string, number>>
  const found: RankedMatch[] = []
  for (const number of request.shards) {
    const shard = shards.get(number)
    if (shard === undefined) continue
    const counted: number[] = []
    for (const match of shard.search(parsed, request.filters)) {
      const document = shard.documents[match.position]
      // Local pages are for signed-in people only, so they leave hits and facet counts alike.
      if (document === undefined || (!request.includeLocal && document.visibility === 'local')) continue
      counted.push(match.position)
      found.push({ shard: number, score: match.score, updatedAt: document.updatedAt, id: document.id })
    }
    shard.countFacets(counted, facets)
  }
  return { matches: top(found, request.limit), total: found.length, facets, relaxed: parsed.relaxed }
}

/** The `limit` best, in order, without sorting all of them: most matches of a common word are never shown. */
function top (found: RankedMatch[], limit: number): RankedMatch[] {
  if (found.length <= limit * 2) return found.sort(compareMatches).slice(0, limit)
  // Sorting bare scores in a typed array is cheap; the threshold leaves few for the full comparison.
  const scores = Float64Array.from(found, item => item.score).sort()
  const threshold = scores[Math.max(0, scores.length - limit)] ?? -Infinity
  return found.filter(item => item.score >= threshold).sort(compareMatches).slice(0, limit)
}

function hits (request: WorkerRequest & { type: 'hits' }): HitsResult {
  const parsed = parsedOnce(request.q)
  return request.items.map(item => {
    const shard = shards.get(item.shard)
    const position = shard?.positionOf(item.id)
    return shard === undefined || position === undefined ? null : shard.hit(position, item.score, shard.matchedTerms(position, parsed))
  })
}

function handle (request: WorkerRequest): unknown {
  switch (request.type) {
    case 'load': return load(request.shard, request.file)
    case 'stage':
      staged.set(request.shard, [...(staged.get(request.shard) ?? []), ...request.upserts])
      return null
    case 'apply': return apply(request)
    case 'query': return query(request)
    case 'hits': return hits(request)
    case 'memory': {
      const heap = v8.getHeapStatistics()
      return { usedHeap: heap.used_heap_size, totalHeap: heap.total_heap_size, shards: shards.size } satisfies WorkerMemory
    }
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
