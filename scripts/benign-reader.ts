// A reader who keeps opening one page while something else happens, recording how long each answer took.
import { request } from 'undici'

export interface BenignReader {
  /**
   * Latencies (ms) of the reads due at or after `since` (a performance.now() time); a read
   * still waiting for its answer counts with its wait so far, as a lower bound.
   */
  latenciesSince: (since: number) => number[]
  errors: () => number
  stop: () => Promise<void>
}

/**
 * `connections` readers, each due to read `url` every `intervalMs`, as people arrive on their
 * own schedule. A read's latency counts from when it was due, not from when it was sent: the
 * reader shares the server's process, and a blocked event loop holds back its sends too, so
 * the reads due during a block are counted with the wait they would have had (as
 * HdrHistogram's correction for coordinated omission does).
 * Bounded: at most `maxReads` reads each and never past `maxSeconds`.
 */
export function startBenignReader (url: string, options: { connections?: number, intervalMs?: number, maxReads?: number, maxSeconds?: number } = {}): BenignReader {
  const { connections = 2, intervalMs = 25, maxReads = 1_000_000, maxSeconds = 3600 } = options
  const answers: Array<{ due: number, latency: number }> = []
  let errors = 0
  /** Per connection, when its unanswered read fell due; null between reads. */
  const waiting: Array<number | null> = Array.from({ length: connections }, () => null)
  let stopped = false
  const deadline = performance.now() + maxSeconds * 1000
  /** A read due at `due` and answered (or looked at) at `now`, and those that fell due meanwhile: each would have waited until now. */
  const waits = (due: number, now: number, interval: number): Array<{ due: number, latency: number }> => {
    const found: Array<{ due: number, latency: number }> = []
    for (let slot = due; slot < now || slot === due; slot += interval) found.push({ due: slot, latency: now - slot })
    return found
  }
  const loop = async (connection: number): Promise<void> => {
    let due = performance.now()
    for (let read = 0; read < maxReads && !stopped && performance.now() < deadline; read++) {
      const wait = due - performance.now()
      if (wait > 0) await new Promise(resolve => setTimeout(resolve, wait))
      waiting[connection] = due
      try {
        const answer = await request(url, { headers: { 'accept-encoding': 'gzip, deflate, br' }, headersTimeout: 600_000, bodyTimeout: 600_000 })
        await answer.body.arrayBuffer()
        if (answer.statusCode !== 200) errors++
      } catch {
        errors++
      }
      waiting[connection] = null
      const now = performance.now()
      const answered = waits(due, now, intervalMs)
      answers.push(...answered)
      due = (answered.at(-1)?.due ?? due) + intervalMs
    }
  }
  const loops = Array.from({ length: connections }, (_, connection) => loop(connection))
  return {
    latenciesSince: since => {
      const now = performance.now()
      const pending = waiting.flatMap(due => due === null ? [] : waits(due, now, intervalMs))
      return [...answers, ...pending].filter(answer => answer.due >= since).map(answer => answer.latency)
    },
    errors: () => errors,
    stop: async () => {
      stopped = true
      await Promise.all(loops)
    }
  }
}
