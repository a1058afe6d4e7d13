import sanitizeHtml from 'sanitize-html'
import type { PageSnapshot } from '../wiki/events.ts'

/** About as long as Mastodon's own content warnings get; Misskey shows the whole summary as one. */
export const SUMMARY_LIMIT = 500

export const PUBLIC_COLLECTION = 'https://www.w3.org/ns/activitystreams#Public'

/** HTML without any markup, its entities decoded, its white space collapsed. */
export function plainTextOf (html: string): string {
  const text = sanitizeHtml(html, { allowedTags: [], allowedAttributes: {} })
    .replace(/&(amp|lt|gt|quot|#39|nbsp);/g, (_entity, name: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", nbsp: ' ' })[name] ?? '')
  return text.replace(/\s+/g, ' ').trim()
}

/** Text cut at the last word boundary within `limit` characters, with an ellipsis when anything was cut. */
export function cutAtWord (text: string, limit: number): string {
  if (text.length <= limit) return text
  const room = text.slice(0, limit - 1)
  const boundary = room.search(/\s+\S*$/)
  const cut = boundary > limit / 2 ? room.slice(0, boundary) : room
  return `${cut.replace(/[\s,;:.–-]+$/, '')}…`
}

/**
 * The plain-text summary other servers show: the page's own summary (a lesson's short
 * finding), else its first paragraph. Misskey puts it behind a "show more" as a content
 * warning and Mastodon under the title, so it must read well on its own and stay short.
 */
export function summaryOf (page: PageSnapshot, html: string): string {
  const own = plainTextOf(page.fields.summary ?? '')
  if (own !== '') return cutAtWord(own, SUMMARY_LIMIT)
  const firstParagraph = /<p\b[^>]*>([\s\S]*?)<\/p>/i.exec(html)?.[1] ?? ''
  return cutAtWord(plainTextOf(firstParagraph), SUMMARY_LIMIT)
}

/**
 * The long-form conventions of FEP-b2b8 for a page's Article: a plain `name`, a plain
 * `summary`, `url` as an HTML Link, the Markdown `source`, `updated` only once the page was
 * edited (Mastodon marks a post with `updated` as edited), and an `interactionPolicy` that
 * lets anyone quote a public page (FEP-044f; Mastodon 4.5 asks with a QuoteRequest, which
 * is approved at once).
 */
export function longFormFields (page: PageSnapshot, html: string, url: string): Record<string, unknown> {
  const summary = summaryOf(page, html)
  const edited = page.updatedAt.getTime() !== page.createdAt.getTime()
  return {
    name: plainTextOf(page.title),
    ...(summary !== '' ? { summary } : {}),
    content: html,
    mediaType: 'text/html',
    source: { content: page.source, mediaType: 'text/markdown' },
    url: { type: 'Link', href: url, mediaType: 'text/html' },
    published: page.createdAt.toISOString(),
    ...(edited ? { updated: page.updatedAt.toISOString() } : {}),
    ...(page.fields.visibility === 'public'
      ? { interactionPolicy: { canQuote: { automaticApproval: PUBLIC_COLLECTION } } }
      : {})
  }
}
