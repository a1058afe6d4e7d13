import { lessonNode } from '../lessons/linked-data.ts'
import { licenceUrl } from '../markdown/licence.ts'
import { conversationIri, repliesIri } from './conversations.ts'
import { articleImages } from './article-images.ts'
import type { PageSnapshot } from '../wiki/events.ts'
import { longFormFields } from './long-form.ts'

export const PUBLIC = 'https://www.w3.org/ns/activitystreams#Public'

export interface ArticleInput {
  page: PageSnapshot
  articleId: string
  actorId: string
  followersId: string
  baseUrl: string
  /** The page's body as HTML, already rendered by the wiki. */
  html: string
}

export interface Addressing {
  to: string[]
  cc: string[]
}

/**
 * Public pages are addressed to everyone and copied to followers; unlisted
 * pages only to followers, so they never appear in public timelines.
 */
export function addressingFor (visibility: string, followersId: string): Addressing {
  return visibility === 'public' ? { to: [PUBLIC], cc: [followersId] } : { to: [followersId], cc: [] }
}

export function isOutward (visibility: string): boolean {
  return visibility === 'public' || visibility === 'unlisted'
}

/**
 * Links inside the wiki are relative; other servers need them absolute.
 * Links to pages not written yet lead to an editor, which is no use to
 * readers elsewhere: they become plain text.
 */
export function absoluteLinks (html: string, baseUrl: string): string {
  return html
    .replace(/<a class="wiki-link new"[^>]*>([\s\S]*?)<\/a>/g, '$1')
    .replace(/(href|src)="\/(?!\/)/g, `$1="${baseUrl}/`)
    // An image's display sizes: a list of "address width" entries.
    .replace(/ srcset="([^"]*)"/g, (_srcset, list: string) => ` srcset="${list.replace(/(^|, )\/(?!\/)/g, `$1${baseUrl}/`)}"`)
}

/**
 * A page as an ActivityStreams `Article`. Mastodon shows name, summary and
 * url; other Praxiswiki instances also read content, source, tags, licence
 * and the lesson fields.
 */
export function pageToArticle (input: ArticleInput): Record<string, unknown> {
  const { page, baseUrl } = input
  const url = `${baseUrl}/wiki/${page.slug}`
  const html = absoluteLinks(input.html, baseUrl)
  // The lesson fields travel under the lesson vocabulary, each its own property.
  const lesson = page.fields.type === 'lesson' ? lessonNode(page.frontMatter) : null
  return {
    id: input.articleId,
    type: 'Article',
    ...longFormFields(page, html, url),
    contentMap: { [page.language]: html },
    attributedTo: input.actorId,
    // Where the comments on it can be fetched: the approved replies, and the whole thread (FEP-7888).
    replies: repliesIri(baseUrl, page.id),
    context: conversationIri(baseUrl, page.id),
    tag: page.fields.tags.map(tag => ({
      type: 'Hashtag',
      name: `#${tag.replace(/\s+/g, '')}`,
      href: `${baseUrl}/search?tag=${encodeURIComponent(tag)}`
    })),
    license: licenceUrl(page.fields.licence),
    licenseName: page.fields.licence,
    ...(lesson === null ? {} : { lesson }),
    // A fork names its original, so other instances see where the text came from.
    ...(typeof page.frontMatter.forkOf === 'string' && /^https?:\/\//.test(page.frontMatter.forkOf) ? { forkOf: page.frontMatter.forkOf } : {}),
    ...articleImages(input.html, baseUrl),
    ...addressingFor(page.fields.visibility, input.followersId)
  }
}
