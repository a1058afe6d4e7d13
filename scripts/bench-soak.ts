// npm run bench:soak [-- --minutes N | --seconds N] [--scale S] [--abuse-every SECONDS]
// Mixed traffic on loopback for a while (default 10 minutes): readers, editors saving,
// searches, signed Creates from a followed peer, and now and then one of issue 14's
// adversarial classes. Prints what was served per kind, 4xx and 5xx, the server's event-loop
// delay, RSS at start and end, and checks at the end that every save the server acknowledged
// is in its page's history. Exits 1 on any 5xx or any acknowledged save missing.
import { parseArgs } from 'node:util'
import { abuseClasses } from './abuse-classes.ts'
import { startBenchWiki } from './bench-wiki.ts'
import { json, send } from './http-client.ts'
import { eventLoopMonitor, milliseconds } from './latency.ts'

const { values } = parseArgs({
  options: {
    minutes: { type: 'string' },
    seconds: { type: 'string' },
    scale: { type: 'string', default: '1' },
    'abuse-every': { type: 'string', default: '20' }
  }
})
const seconds = values.seconds !== undefined ? Number(values.seconds) : Number(values.minutes ?? process.env.SOAK_MINUTES ?? 10) * 60
const scale = Number(values.scale)
const abuseEverySeconds = Number(values['abuse-every'])
if (!(seconds > 0) || !(scale > 0) || !(abuseEverySeconds > 0)) throw new Error('--minutes, --seconds, --scale and --abuse-every take positive numbers')

const READERS = 4
const EDITORS = 2
const PAGES_PER_EDITOR = 3
/** Bounds every loop besides the deadline. */
const MAX_ROUNDS = 1_000_000
const REQUEST_TIMEOUT_MS = 60_000
const WORDS = ['Quartier', 'Ehrenamt', 'Beratung', 'Familie', 'Wirkung', 'Jugend', 'kochen', 'Nachbarschaft', 'Teilhabe', 'Besuchsdienst']

type Kind = 'read' | 'save' | 'search' | 'inbox' | 'abuse'
const counts = new Map<Kind, { requests: number, ok: number, clientErrors: number, serverErrors: number, failed: number }>()
function count (kind: Kind, status: number | null): void {
  const entry = counts.get(kind) ?? { requests: 0, ok: 0, clientErrors: 0, serverErrors: 0, failed: 0 }
  entry.requests++
  if (status === null) entry.failed++
  else if (status >= 500) entry.serverErrors++
  else if (status >= 400) entry.clientErrors++
  else entry.ok++
  counts.set(kind, entry)
}

const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }
const write = (line: string): void => { process.stdout.write(`${line}\n`) }
const megabytes = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MB`

const wiki = await startBenchWiki('soak')
const bearer = { authorization: `Bearer ${wiki.token}` }
let exitCode = 0
try {
  // Each editor owns its pages, so a save is refused only when something is wrong.
  const acknowledged = new Map<string, string[]>()
  for (let index = 0; index < EDITORS * PAGES_PER_EDITOR; index++) {
    const answer = await send(`${wiki.url}/api/pages`, { method: 'POST', ...json({ source: `---\ntitle: Dauerlauf ${index}\nvisibility: public\n---\nErste Fassung.\n`, confirmPublication: true }, bearer), keepText: true })
    if (answer.status !== 201) throw new Error(`creating an editor's page answered ${answer.status}: ${answer.text.slice(0, 200)}`)
    const page = JSON.parse(answer.text) as { slug: string, revision: string }
    acknowledged.set(page.slug, [page.revision])
  }
  const readPaths = [wiki.readerPath, '/', '/recent-changes', '/lessons', '/wiki', ...[...acknowledged.keys()].map(slug => `/wiki/${slug}`)]
  const classes = abuseClasses({ app: wiki.instance.app, url: wiki.url, token: wiki.token, session: wiki.session, peer: wiki.peer, scale })

  const loop = eventLoopMonitor()
  const rssStart = process.memoryUsage().rss
  const started = performance.now()
  const deadline = started + seconds * 1000
  const running = (round: number): boolean => round < MAX_ROUNDS && performance.now() < deadline
  /** One request of a kind, counted; a request that never got an answer counts as failed. */
  const counted = async (kind: Kind, url: string, sending: Parameters<typeof send>[1] = {}): Promise<{ status: number, text: string } | null> => {
    try {
      const answer = await send(url, { timeoutMs: REQUEST_TIMEOUT_MS, ...sending })
      count(kind, answer.status)
      return answer
    } catch {
      count(kind, null)
      return null
    }
  }

  const reader = async (offset: number): Promise<void> => {
    for (let round = 0; running(round); round++) {
      await counted('read', `${wiki.url}${readPaths[(round + offset) % readPaths.length] ?? '/'}`, { headers: { 'accept-encoding': 'gzip, deflate, br' } })
      await sleep(10)
    }
  }
  const editor = async (number: number): Promise<void> => {
    const slugs = [...acknowledged.keys()].slice(number * PAGES_PER_EDITOR, (number + 1) * PAGES_PER_EDITOR)
    for (let round = 0; running(round); round++) {
      const slug = slugs[round % slugs.length] as string
      const revisions = acknowledged.get(slug) as string[]
      const source = `---\ntitle: ${slug}\nvisibility: public\n---\nFassung ${round} von Redaktion ${number}: ${WORDS[round % WORDS.length]} ${Math.random().toString(36).slice(2)}.\n`
      const answer = await counted('save', `${wiki.url}/api/pages/${slug}`, { method: 'PUT', ...json({ source, baseRevision: revisions.at(-1), confirmPublication: true }, bearer), keepText: true })
      if (answer !== null && answer.status === 200) revisions.push(String((JSON.parse(answer.text) as { revision: string }).revision))
      await sleep(50)
    }
  }
  const searcher = async (): Promise<void> => {
    for (let round = 0; running(round); round++) {
      await counted('search', `${wiki.url}/api/search?q=${encodeURIComponent(WORDS[round % WORDS.length] ?? '')}`)
      await sleep(50)
    }
  }
  let handled = 0
  const peer = async (): Promise<void> => {
    for (let round = 0; running(round); round++) {
      try {
        const posted = await wiki.peer.post(wiki.peer.createArticle(`Aus dem Nachbarverein ${round}`, `<p>${WORDS[round % WORDS.length]} im Nachbarverein, Nummer ${round}.</p>`))
        count('inbox', posted.status)
        if (await posted.handled) handled++
      } catch {
        count('inbox', null)
      }
      await sleep(100)
    }
  }
  const abuser = async (): Promise<void> => {
    for (let round = 0; running(round); round++) {
      const slot = started + (round + 1) * abuseEverySeconds * 1000
      while (performance.now() < Math.min(slot, deadline)) await sleep(Math.min(200, Math.max(1, slot - performance.now())))
      if (!running(round)) return
      const abuse = classes[round % classes.length]
      if (abuse === undefined) return
      try {
        await abuse.prepare()
        const outcome = await abuse.attack()
        count('abuse', Number.parseInt(outcome.status, 10))
      } catch {
        count('abuse', null)
      }
    }
  }
  await Promise.all([
    ...Array.from({ length: READERS }, (_, offset) => reader(offset)),
    ...Array.from({ length: EDITORS }, (_, number) => editor(number)),
    searcher(),
    peer(),
    abuser()
  ])
  const duration = (performance.now() - started) / 1000
  const rssEnd = process.memoryUsage().rss
  loop.histogram.disable()

  // Every acknowledged revision must be in its page's history. (A save whose answer never came
  // may have been kept too, so the current revision may be newer than the last acknowledged.)
  let checked = 0
  const missing: string[] = []
  for (const [slug, revisions] of acknowledged) {
    const answer = await send(`${wiki.url}/api/pages/${slug}/revisions`, { headers: bearer, keepText: true })
    const history = answer.status === 200 ? JSON.parse(answer.text) as { revisions: Array<{ id: string }> } : { revisions: [] }
    const kept = new Set(history.revisions.map(revision => revision.id))
    for (const revision of revisions) {
      checked++
      if (!kept.has(revision)) missing.push(`${slug}@${revision}`)
    }
  }

  write(`soak of ${duration.toFixed(0)} s on loopback, ${READERS} readers, ${EDITORS} editors, 1 searcher, 1 peer, one adversarial class every ${abuseEverySeconds} s (scale ${scale})`)
  write(`${'kind'.padEnd(8)} ${'requests'.padStart(9)} ${'2xx/3xx'.padStart(8)} ${'4xx'.padStart(6)} ${'5xx'.padStart(6)} ${'failed'.padStart(7)}`)
  const total = { requests: 0, ok: 0, clientErrors: 0, serverErrors: 0, failed: 0 }
  for (const kind of ['read', 'save', 'search', 'inbox', 'abuse'] as const) {
    const entry = counts.get(kind) ?? { requests: 0, ok: 0, clientErrors: 0, serverErrors: 0, failed: 0 }
    for (const key of Object.keys(total) as Array<keyof typeof total>) total[key] += entry[key]
    write(`${kind.padEnd(8)} ${String(entry.requests).padStart(9)} ${String(entry.ok).padStart(8)} ${String(entry.clientErrors).padStart(6)} ${String(entry.serverErrors).padStart(6)} ${String(entry.failed).padStart(7)}`)
  }
  write(`${'total'.padEnd(8)} ${String(total.requests).padStart(9)} ${String(total.ok).padStart(8)} ${String(total.clientErrors).padStart(6)} ${String(total.serverErrors).padStart(6)} ${String(total.failed).padStart(7)}`)
  write(`requests served: ${total.requests} (${(total.requests / duration).toFixed(0)}/s); inbox Creates handled: ${handled}`)
  write(`event loop delay: p50 ${milliseconds(loop.percentileMs(0.5))} ms, p99 ${milliseconds(loop.percentileMs(0.99))} ms, max ${milliseconds(loop.maxMs())} ms`)
  write(`RSS: start ${megabytes(rssStart)}, end ${megabytes(rssEnd)}`)
  write(`acknowledged saves: ${checked} checked on ${acknowledged.size} pages, ${missing.length} missing${missing.length > 0 ? `: ${missing.slice(0, 10).join(', ')}` : ''}`)
  const passed = total.serverErrors === 0 && missing.length === 0
  write(passed ? 'PASS  no 5xx, every acknowledged save present' : `FAIL  ${total.serverErrors} answers 5xx, ${missing.length} acknowledged saves missing`)
  exitCode = passed ? 0 : 1
} finally {
  await wiki.close()
}
process.exitCode = exitCode
