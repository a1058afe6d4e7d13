// The adversarial classes of issue 14 as requests against a running wiki: what each needs in
// place first (not timed) and the one request that is the attack. Shared by bench:abuse,
// which times each alone, and bench:soak, which mixes them into ordinary traffic.
import type { FastifyInstance } from 'fastify'
import type { FollowedPeer } from './followed-peer.ts'
import { deepYamlSource, diffRevisionSources, exportLessonSource, longWikiLinksSource, manyWikiLinksSource, nestedRemoteHtml, personalDataSource, sameHeadingsPage, tableBlowUpSource, wildcardQuery, yamlAliasBombSource } from './adversarial-inputs.ts'
import { MAX_SLUG_LENGTH } from '../src/markdown/slug.ts'
import { json, send, type Answer } from './http-client.ts'

export interface AbuseContext {
  app: FastifyInstance
  url: string
  /** An editor's API token, for `Authorization: Bearer`. */
  token: string
  /** An editor's session, for the editor's form (preview). */
  session: { cookie: string, csrfToken: string }
  peer: FollowedPeer
  /** 1 for the sizes of issue 14; smaller for a quick run. */
  scale: number
}

export interface AbuseOutcome {
  status: string
  /** Bytes of the answer; for the inbox, of the request. */
  bytes: number
}

export interface AbuseClass {
  name: string
  description: string
  /** What the attack needs in place; not timed, and its own after-work is waited for. */
  prepare: () => Promise<void>
  attack: () => Promise<AbuseOutcome>
}

/** Lessons in the CSV and JSON-LD exports at scale 1. */
export const EXPORT_LESSONS = 1000

const outcome = (answer: Answer): AbuseOutcome => ({ status: String(answer.status), bytes: answer.bytes })

export function abuseClasses (context: AbuseContext): AbuseClass[] {
  const { app, url, token, session, peer, scale } = context
  const bearer = { authorization: `Bearer ${token}` }
  let pages = 0
  /** A fresh slug each time, so a class can run again (the soak repeats them). */
  const freshSlug = (name: string): string => `${name}-${Date.now().toString(36)}-${++pages}`
  /** Creates the page at `slug` without a base revision, saves a new revision of it with one. */
  const putPage = async (slug: string, source: string, baseRevision: string | null, confirmPublication = true): Promise<Answer> => baseRevision === null
    ? await send(`${url}/api/pages`, { method: 'POST', ...json({ source, slug, confirmPublication }, bearer), keepText: true })
    : await send(`${url}/api/pages/${slug}`, { method: 'PUT', ...json({ source, baseRevision, confirmPublication }, bearer), keepText: true })
  /** The longest slug the slug rules take, still fresh each time. */
  const longSlug = (name: string): string => `${freshSlug(name)}-${'ueberoertliche-foerderung-'.repeat(8)}`.slice(0, MAX_SLUG_LENGTH).replace(/-+$/, '')
  const savedRevision = async (slug: string, source: string, baseRevision: string | null): Promise<string> => {
    const answer = await putPage(slug, source, baseRevision)
    if (answer.status >= 300) throw new Error(`saving ${slug} for the attack answered ${answer.status}: ${answer.text.slice(0, 200)}`)
    return String(JSON.parse(answer.text).revision)
  }
  /** A class that saves `source` once as the attack; `confirmPublication: false` lets the personal-data check speak. */
  const saving = (name: string, description: string, source: () => string, options: { confirmPublication?: boolean, slug?: (name: string) => string } = {}): AbuseClass => {
    let text = ''
    return {
      name,
      description,
      prepare: async () => { text = source() },
      attack: async () => outcome(await putPage((options.slug ?? freshSlug)(name), text, null, options.confirmPublication ?? true))
    }
  }
  /** A class that saves `source` first and then reads the page anonymously as the attack. */
  const reading = (name: string, description: string, source: () => string, slugOf = freshSlug): AbuseClass => {
    let slug = ''
    return {
      name,
      description,
      prepare: async () => {
        slug = slugOf(name)
        await savedRevision(slug, source(), null)
      },
      attack: async () => outcome(await send(`${url}/wiki/${slug}`, { headers: { 'accept-encoding': 'gzip, deflate, br' } }))
    }
  }

  let diffPath = ''
  let lessonsMade = 0
  let inboxActivity: Record<string, unknown> = {}
  const lessons = Math.max(1, Math.round(EXPORT_LESSONS * scale))
  const makeLessons = async (): Promise<void> => {
    // Through the service rather than HTTP: a thousand saves are set-up, not the attack.
    for (; lessonsMade < lessons; lessonsMade++) await app.wiki.createPage({ source: exportLessonSource(lessonsMade), confirmPublication: true })
  }

  return [
    {
      name: 'diff',
      description: 'anonymous GET /wiki/:slug/diff between two ~6,000-line revisions, every line changed',
      prepare: async () => {
        const { before, after } = diffRevisionSources(scale)
        const slug = freshSlug('diff')
        const from = await savedRevision(slug, before, null)
        const to = await savedRevision(slug, after, from)
        diffPath = `/wiki/${slug}/diff?from=${from}&to=${to}`
      },
      attack: async () => outcome(await send(`${url}${diffPath}`))
    },
    saving('table-save', 'POST /api/pages of ~165 kB of tables with 1,000-column headers and one-cell rows', () => tableBlowUpSource(scale)),
    reading('table-read', 'anonymous GET /wiki/:slug of that page', () => tableBlowUpSource(scale)),
    {
      name: 'table-preview',
      description: 'the editor\'s preview (POST /wiki, action=preview) of that source',
      prepare: async () => {},
      attack: async () => outcome(await send(`${url}/wiki`, {
        method: 'POST',
        headers: { cookie: session.cookie, 'x-csrf-token': session.csrfToken, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ title: 'Vorschau', source: tableBlowUpSource(scale), action: 'preview' }).toString()
      }))
    },
    saving('personal-data', 'POST /api/pages of a public page of ~490 kB of a@b.de lines (expected 422)', () => personalDataSource(scale), { confirmPublication: false }),
    saving('long-links-save', 'POST /api/pages, the longest slug, a 200-character title, ~490 kB of distinct 200-character [[wiki links]]', () => longWikiLinksSource(scale), { slug: longSlug }),
    reading('long-links-read', 'anonymous GET /wiki/:slug of that page', () => longWikiLinksSource(scale), longSlug),
    reading('same-headings', 'anonymous GET /wiki/:slug of ~490 kB of "## a" headings', () => sameHeadingsPage(scale)),
    reading('many-wiki-links', 'anonymous GET /wiki/:slug of 24,000 [[wiki links]] to one page', () => manyWikiLinksSource(scale)),
    saving('yaml-aliases', 'POST /api/pages with "billion laughs" YAML aliases in the front matter', () => yamlAliasBombSource(scale)),
    saving('yaml-deep', 'POST /api/pages with front matter nested ~240,000 flow sequences deep', () => deepYamlSource(scale)),
    {
      name: 'search-api',
      description: 'GET /api/search with a 1,000-character query of *wildcard*~2 terms',
      prepare: async () => {},
      attack: async () => outcome(await send(`${url}/api/search?${new URLSearchParams({ q: wildcardQuery(scale) }).toString()}`))
    },
    {
      name: 'search-html',
      description: 'GET /search with the same query',
      prepare: async () => {},
      attack: async () => outcome(await send(`${url}/search?${new URLSearchParams({ q: wildcardQuery(scale) }).toString()}`))
    },
    {
      name: 'lessons-csv',
      description: `GET /lessons.csv of ${lessons} public lessons with every field filled`,
      prepare: makeLessons,
      attack: async () => outcome(await send(`${url}/lessons.csv`))
    },
    {
      name: 'lessons-jsonld',
      description: 'GET /lessons.jsonld of the same lessons',
      prepare: makeLessons,
      attack: async () => outcome(await send(`${url}/lessons.jsonld`))
    },
    {
      name: 'remote-html',
      description: 'signed Create from a followed peer, Article content ~900 kB of nested HTML; timed until handled',
      prepare: async () => { inboxActivity = peer.createArticle('Verschachtelt', nestedRemoteHtml(scale)) },
      attack: async () => {
        const posted = await peer.post(inboxActivity)
        const handled = await posted.handled
        return { status: `${posted.status}${handled ? ', handled' : posted.status < 300 ? ', not handled' : ''}`, bytes: JSON.stringify(inboxActivity).length }
      }
    }
  ]
}
