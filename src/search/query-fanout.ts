import { mergeFacetCounts } from './facets.ts'
import { workersOf, type IndexState } from './index-state.ts'
import type { HitsResult, RankedMatch, WorkerQueryResult } from './protocol.ts'
import { compareMatches } from './scoring.ts'
import { emptyFacets, FACET_NAMES, type Facets, type QueryAnswer, type QueryRequest, type SearchHit } from './types.ts'

/**
 * Asks every worker for its best matches, merges them by score, then fetches the shown
 * page's hits; answers are remembered until a shard is rebuilt.
 */
export async function answerFromWorkers (index: IndexState, request: QueryRequest): Promise<QueryAnswer> {
  const includeLocal = request.includeLocal ?? false
  const key = JSON.stringify([request.q, Object.entries(request.filters).sort(), request.offset, request.limit, includeLocal])
  const cached = index.cache.get(key)
  if (cached !== undefined) return cached
  const generation = index.counters.generation
  const workers = workersOf(index)
  const incarnations = Array.from({ length: workers.size }, (_, worker) => workers.incarnationOf(worker))
  const byWorker = new Map<number, number[]>()
  for (const shard of index.liveShards) {
    const worker = workers.workerOf(shard)
    byWorker.set(worker, [...(byWorker.get(worker) ?? []), shard])
  }
  const limit = request.offset + request.limit
  const answers = await Promise.all([...byWorker].map(async ([worker, shards]) =>
    await workers.send<WorkerQueryResult>(worker, { type: 'query', shards, q: request.q, filters: request.filters, limit, includeLocal }, incarnations[worker])))
  const merged = mergeAnswers(answers, request)
  const answer: QueryAnswer = { hits: await fetchHits(index, request.q, merged.matches, incarnations), total: merged.total, facets: merged.facets, relaxed: merged.relaxed }
  // A query that raced with an update must not be remembered as the new state.
  if (generation === index.counters.generation) index.cache.set(key, answer)
  return answer
}

/** The shown page's results with snippets, from the workers that hold them. */
async function fetchHits (index: IndexState, q: string, matches: RankedMatch[], incarnations: number[]): Promise<SearchHit[]> {
  const workers = workersOf(index)
  const byWorker = new Map<number, number[]>()
  matches.forEach((match, at) => {
    const worker = workers.workerOf(match.shard)
    byWorker.set(worker, [...(byWorker.get(worker) ?? []), at])
  })
  const hits: Array<SearchHit | null> = matches.map(() => null)
  await Promise.all([...byWorker].map(async ([worker, places]) => {
    const items = places.map(at => matches[at] as RankedMatch).map(({ shard, id, score }) => ({ shard, id, score }))
    const found = await workers.send<HitsResult>(worker, { type: 'hits', q, items }, incarnations[worker])
    places.forEach((place, at) => { hits[place] = found[at] ?? null })
  }))
  // A page rebuilt away between the two requests is left out rather than shown empty.
  return hits.filter((hit): hit is SearchHit => hit !== null)
}

function mergeAnswers (answers: WorkerQueryResult[], request: QueryRequest): Omit<QueryAnswer, 'hits'> & { matches: RankedMatch[] } {
  const matches = answers.flatMap(answer => answer.matches).sort(compareMatches)
  const facets: Facets = emptyFacets()
  for (const name of FACET_NAMES) facets[name] = mergeFacetCounts(answers.map(answer => answer.facets[name]), name)
  return {
    matches: matches.slice(request.offset, request.offset + request.limit),
    total: answers.reduce((sum, answer) => sum + answer.total, 0),
    facets,
    relaxed: answers.some(answer => answer.relaxed)
  }
}
