import { ObjectId, type Collection, type Db } from 'mongodb'
import sanitizeHtml from 'sanitize-html'
import { readArticleLesson } from '../lessons/linked-data-reader.ts'
import type { RemotePageSnapshot } from './events.ts'

/** A page another organisation published; read-only here. */
export interface RemotePageDocument {
  _id: ObjectId
  /** The Article's ActivityPub id: permanent, the key for Update and Delete. */
  objectId: string
  /** The actor that published it (the other organisation). */
  actorId: string
  actorName: string
  origin: string
  url: string
  title: string
  summary: string
  html: string
  source: string | null
  tags: string[]
  language: string
  licence: string
  /** Addressed to everyone, or to followers only; only public lessons go into open-data exports here. */
  visibility?: 'public' | 'unlisted'
  lesson: Record<string, unknown> | null
  published: Date
  updated: Date
  receivedAt: Date
  deletedAt: Date | null
  /** False when the publishing actor says `indexable: false`: shown here, kept out of search. Absent on pages kept before. */
  indexable?: boolean
}

export const MAX_TITLE = 300
export const MAX_SUMMARY = 2000
export const MAX_HTML = 512 * 1024
export const MAX_SOURCE = 512 * 1024

/** What other servers may put into a page shown here; everything else goes. */
const sanitizeOptions: sanitizeHtml.IOptions = {
  allowedTags: [
    'p', 'br', 'hr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'pre', 'code', 'em', 'strong', 'b', 'i',
    'del', 's', 'sup', 'sub', 'ul', 'ol', 'li', 'dl', 'dt', 'dd', 'a', 'span', 'table', 'thead', 'tbody', 'tr',
    'th', 'td', 'caption', 'abbr', 'mark', 'img'
  ],
  allowedAttributes: {
    a: ['href', 'title', 'rel'],
    abbr: ['title'],
    th: ['scope', 'colspan', 'rowspan'],
    td: ['colspan', 'rowspan'],
    ol: ['start'],
    span: ['class'],
    // Kept only until the inbox copies the image here or replaces it by its alt text (remote-images.ts).
    img: ['src', 'alt'],
    '*': ['id', 'lang', 'dir']
  },
  allowedClasses: { span: ['h-card', 'mention', 'hashtag', 'remote-image-missing'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: ['http', 'https'] },
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  transformTags: {
    // Links leave the wiki: they must not pass referrers or gain rights over this page.
    a: sanitizeHtml.simpleTransform('a', { rel: 'nofollow noopener noreferrer ugc' })
  }
}

/**
 * How deep remote HTML may nest and how many elements it may hold before it is kept as
 * plain text. htmlparser2 (under sanitize-html) shifts its stack of open elements from the
 * front, so parsing costs depth² (512 kB of nested `<div><b>` held the event loop for 6 s);
 * within these limits sanitising 512 kB stays well under 100 ms.
 */
export const MAX_HTML_DEPTH = 100
export const MAX_HTML_ELEMENTS = 10_000

// Elements that never hold content, so their tags open nothing.
const voidElements = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr'])

/**
 * Whether HTML stays within MAX_HTML_DEPTH and MAX_HTML_ELEMENTS, counted from the tags
 * alone in one linear pass. Unclosed tags (`<p>` without `</p>`) count as open, so the
 * estimate errs towards too deep, never towards too shallow.
 */
export function htmlWithinBounds (html: string): boolean {
  let depth = 0
  let elements = 0
  for (const [, closing, name = ''] of html.matchAll(/<(\/?)([a-zA-Z][a-zA-Z0-9-]*)/g)) {
    if (voidElements.has(name.toLowerCase())) continue
    if (closing === '/') {
      depth = Math.max(0, depth - 1)
      continue
    }
    depth += 1
    elements += 1
    if (depth > MAX_HTML_DEPTH || elements > MAX_HTML_ELEMENTS) return false
  }
  return true
}

/**
 * The text of HTML without any of its tags, escaped. `[^<>]*` stops at the next `<`, so
 * stripping is linear; what is left holds no complete tag for the parser to nest.
 */
function flattenedText (html: string): string {
  // A script's or style's text up to the next tag is code, not content.
  const withoutCode = html.replace(/<(script|style|template|textarea)\b[^<>]*>[^<]*/gi, ' ')
  return sanitizeHtml(withoutCode.replace(/<[^<>]*>/g, ' '), { allowedTags: [], allowedAttributes: {} }).replace(/\s+/g, ' ').trim()
}

/**
 * The paragraphs of HTML as plain text, each in one linear pass: for stored HTML too large
 * to turn into Markdown within the event loop's budget.
 */
export function htmlParagraphs (html: string): string[] {
  return html.split(/<\/(?:p|li|h[1-6]|blockquote|pre|tr|dt|dd)\s*>|<br\s*\/?>/i)
    .map(part => unescapeText(flattenedText(part)))
    .filter(text => text !== '')
}

// sanitize-html escapes only these in text.
const escapedCharacters: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"' }

function unescapeText (text: string): string {
  return text.replace(/&(?:amp|lt|gt|quot);/g, entity => escapedCharacters[entity] ?? entity)
}

/** Allowed HTML only; HTML past the depth or element limit is kept as one paragraph of its text. */
export function sanitizeRemoteHtml (html: string): string {
  const bounded = html.slice(0, MAX_HTML)
  if (!htmlWithinBounds(bounded)) return `<p>${flattenedText(bounded)}</p>`
  return sanitizeHtml(bounded, sanitizeOptions)
}

/** Plain text, for titles and summaries that arrive as HTML. */
export function plainText (value: string, limit: number): string {
  const text = htmlWithinBounds(value) ? sanitizeHtml(value, { allowedTags: [], allowedAttributes: {} }) : flattenedText(value)
  return text.replace(/\s+/g, ' ').trim().slice(0, limit)
}

export function remotePagesCollection (db: Db): Collection<RemotePageDocument> {
  return db.collection<RemotePageDocument>('remotePages')
}

export async function ensureRemotePageIndexes (db: Db): Promise<void> {
  const pages = remotePagesCollection(db)
  await pages.createIndex({ objectId: 1 }, { unique: true, name: 'remote_object' })
  await pages.createIndex({ updated: -1 }, { name: 'remote_updated' })
  await pages.createIndex({ actorId: 1 }, { name: 'remote_actor' })
}

/** The first value of a property that activitypub-express keeps as an array. */
export function first<T = unknown> (value: unknown): T | undefined {
  return (Array.isArray(value) ? value[0] : value) as T | undefined
}

/** The first string of a property, or its `@value` as JSON-LD compaction leaves it; '' for anything else. */
export function text (value: unknown): string {
  const found = first(value)
  if (typeof found === 'string') return found
  if (found && typeof found === 'object' && '@value' in found) return String((found as { '@value': unknown })['@value'])
  return ''
}

/** Whether two URLs name the same host and port; false when either is not a URL. */
export function sameHost (left: string, right: string): boolean {
  try {
    return new URL(left).host === new URL(right).host
  } catch {
    return false
  }
}

/**
 * The URL if it is an http(s) one, else ''. Other servers' links end up in our pages and in forks:
 * a `javascript:` or `data:` URL there would run or show whatever the sender chose.
 */
export function webUrl (value: string): string {
  try {
    const { protocol } = new URL(value)
    return protocol === 'https:' || protocol === 'http:' ? value : ''
  } catch {
    return ''
  }
}

/** The id of a property holding an IRI or an object with an id (arrays: the first). */
export function idOf (value: unknown): string {
  const found = first(value)
  if (typeof found === 'string') return found
  if (found && typeof found === 'object' && typeof (found as { id?: unknown }).id === 'string') return (found as { id: string }).id
  return ''
}

/**
 * Where a `url` points: a plain IRI, or a Link (FEP-b2b8 sends one with its `href`), the
 * one for HTML first when there are several.
 */
export function linkOf (value: unknown): string {
  const links = Array.isArray(value) ? value : [value]
  const link = links.find(item => item !== null && typeof item === 'object' && text((item as Record<string, unknown>).mediaType) === 'text/html') ?? links[0]
  if (link !== null && typeof link === 'object' && 'href' in link) return idOf((link as { href: unknown }).href)
  return idOf(link)
}

function dateOf (value: unknown, fallback: Date): Date {
  const parsed = Date.parse(text(value))
  return Number.isFinite(parsed) ? new Date(parsed) : fallback
}

const PUBLIC_IDS = new Set(['https://www.w3.org/ns/activitystreams#Public', 'as:Public', 'Public'])

function addressedToEveryone (article: Record<string, unknown>): boolean {
  return [article.to, article.cc].flatMap(value => Array.isArray(value) ? value : [value]).some(value => PUBLIC_IDS.has(idOf(value)))
}

/**
 * Whether an actor consents to its posts being searched: Mastodon's `indexable` (FEP-5feb).
 * Only an explicit no counts; an organisation that says nothing publishes to be found.
 */
export function indexableOf (actor: Record<string, unknown>): boolean {
  return first(actor.indexable) !== false
}

/** How an organisation is named on its pages here: its display name, else its host. */
export function actorNameOf (actor: { id: string, name: string }): string {
  return plainText(actor.name, 200) || new URL(actor.id).host
}

/**
 * An Article, as activitypub-express hands it over (compacted, properties
 * in arrays), made into the fields of a remote page. Strings are bounded,
 * HTML sanitised; the caller has checked who sent it.
 */
export function articleToRemotePage (
  article: Record<string, unknown>, sender: { id: string, name: string }, now: Date, onDropped: (fields: string[]) => void = () => {}
): Omit<RemotePageDocument, '_id' | 'receivedAt' | 'deletedAt'> {
  const objectId = String(article.id)
  const lesson = readArticleLesson(article)
  if (lesson.dropped.length > 0) onDropped(lesson.dropped)
  const contentMap = first<Record<string, unknown>>(article.contentMap)
  const language = contentMap && typeof contentMap === 'object' ? (Object.keys(contentMap)[0] ?? 'und') : 'und'
  const source = first<Record<string, unknown>>(article.source)
  const sourceText = source && text(source.mediaType) === 'text/markdown' ? text(source.content).slice(0, MAX_SOURCE) : null
  const tags = (Array.isArray(article.tag) ? article.tag : [])
    .map(tag => text((tag as Record<string, unknown>)?.name).replace(/^#/, ''))
    .filter(tag => tag !== '')
    .slice(0, 50)
    .map(tag => plainText(tag, 60))
  const published = dateOf(article.published, now)
  return {
    objectId,
    actorId: sender.id,
    actorName: actorNameOf(sender),
    origin: new URL(objectId).host,
    url: webUrl(linkOf(article.url)) || webUrl(objectId),
    title: plainText(text(article.name), MAX_TITLE) || objectId,
    summary: plainText(text(article.summary), MAX_SUMMARY),
    html: sanitizeRemoteHtml(text(article.content)),
    source: sourceText,
    tags,
    language: /^[a-z]{2,3}(-[A-Za-z0-9]+)*$/.test(language) ? language : 'und',
    licence: plainText(text(article.licenseName), 60) || idOf(article.license) || '',
    visibility: addressedToEveryone(article) ? 'public' : 'unlisted',
    lesson: lesson.lesson,
    published,
    updated: dateOf(article.updated, published)
  }
}

export function newRemotePageId (): ObjectId {
  return new ObjectId()
}

/** What other parts of the wiki (search, events) learn about a remote page. */
export function remoteSnapshot (page: RemotePageDocument): { page: RemotePageSnapshot } {
  return {
    page: {
      id: page.objectId,
      localUrl: `/remote/${page._id.toHexString()}`,
      originalUrl: page.url,
      origin: page.origin,
      title: page.title,
      summary: page.summary,
      tags: page.tags,
      language: page.language,
      text: page.source ?? page.html,
      frontMatter: { ...(page.lesson ?? {}), ...(page.lesson ? { type: 'lesson' } : {}), tags: page.tags, summary: page.summary },
      updatedAt: page.updated,
      indexable: page.indexable !== false
    }
  }
}

/** The live remote pages, newest first, without their texts: for lists. */
export async function latestRemotePages (db: Db, limit: number): Promise<Array<Omit<RemotePageDocument, 'html' | 'source'>>> {
  return await remotePagesCollection(db).find({ deletedAt: null }, { projection: { html: 0, source: 0 } }).sort({ updated: -1 }).limit(limit).toArray()
}

/**
 * Each live remote page's id and version (its last update) whose publisher consents to
 * search: enough for the search index to see what changed, and to drop what it may not keep.
 */
export async function * remotePageVersions (db: Db): AsyncIterable<{ id: string, version: string }> {
  const cursor = remotePagesCollection(db).find({ deletedAt: null, indexable: { $ne: false } }, { projection: { objectId: 1, updated: 1 } })
  for await (const page of cursor) yield { id: page.objectId, version: String(page.updated.getTime()) }
}

/** The live remote pages among these Article ids that may be searched, as federation's events describe them. */
export async function * remotePageSnapshots (db: Db, ids: string[]): AsyncIterable<RemotePageSnapshot> {
  const cursor = remotePagesCollection(db).find({ objectId: { $in: ids }, deletedAt: null, indexable: { $ne: false } })
  for await (const page of cursor) yield remoteSnapshot(page).page
}
