import { parseSource } from '../markdown/front-matter.ts'
import { LARGE_BODY_LENGTH, type MarkdownRenderer } from '../markdown/render.ts'
import type { RenderThread } from '../markdown/render-thread.ts'
import { isValidSlug } from '../markdown/slug.ts'
import { parseWikiLink } from '../markdown/wiki-links.ts'

/** Distinct targets kept per page, as many as the page view looks up (MAX_LINK_LOOKUPS in the wiki). */
export const MAX_TARGETS = 500

/** Reads the wiki link targets of page sources: markdown-it's own parse, a worker thread for long bodies. */
export function createLinkReader (options: { renderer: MarkdownRenderer, thread: RenderThread }) {
  /** The slugs a page's `[[wiki links]]` name, as its page view resolves them. */
  async function wikiLinkTargets (source: string, language: string): Promise<string[]> {
    const body = parseSource(source).body
    if (body.length < LARGE_BODY_LENGTH) return bounded(options.renderer.linkTargets(body, language))
    const outcome = await options.thread.linkTargets(body, language)
    // The thread was busy or past its deadline: a plain scan of the text, linear in its length, still finds the links.
    return bounded(outcome.done ? outcome.value : scanWikiLinks(body, language))
  }

  return { wikiLinkTargets }
}

export type LinkReader = ReturnType<typeof createLinkReader>

/** `[[…]]` anywhere in the text (code blocks included): the fallback when markdown-it could not run. */
export function scanWikiLinks (body: string, language: string): string[] {
  const found = new Set<string>()
  for (const match of body.matchAll(/\[\[([^[\]\n]{1,300})\]\]/g)) {
    const link = parseWikiLink(match[1] ?? '', language)
    if (link !== null) found.add(link.slug)
    if (found.size >= MAX_TARGETS) break
  }
  return [...found]
}

/**
 * The slugs of this wiki's pages that a page of another organisation links to by address
 * (`<base>/wiki/<slug>`, in its HTML or Markdown). Remote text is untrusted: only valid slugs count.
 */
export function linksToThisWiki (text: string, baseUrl: string): string[] {
  const prefix = new RegExp(`${escapeRegExp(baseUrl)}/wiki/([^\\s"'<>()\\[\\]#?/]{1,200})`, 'g')
  const found = new Set<string>()
  for (const match of text.matchAll(prefix)) {
    const slug = safeDecode(match[1] ?? '')
    if (slug !== null && isValidSlug(slug)) found.add(slug)
    if (found.size >= MAX_TARGETS) break
  }
  return [...found]
}

function bounded (targets: Iterable<string>): string[] {
  return [...targets].sort().slice(0, MAX_TARGETS)
}

function safeDecode (text: string): string | null {
  try {
    return decodeURIComponent(text)
  } catch {
    return null
  }
}

function escapeRegExp (text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
