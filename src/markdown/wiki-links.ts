import type { Env, MarkdownIt, StateInline, Token } from 'markdown-it'
import { isValidSlug, slugifyTitle } from './slug.ts'

/** What a wiki link needs from the page being rendered; travels in markdown-it's `env`. */
export interface WikiLinkEnv extends Env {
  /** Language of the page, so `&` in a target slugifies the way the target's title did. */
  language?: string
  /** Whether a page with this slug exists; unknown targets render as "create" links. */
  pageExists?: (slug: string) => boolean
  /** Tooltip of a link to a missing page, in the reader's language. */
  missingPageTitle?: string
  /** Filled during parsing with the slug of every wiki link target. */
  wikiLinkTargets?: Set<string>
}

export interface WikiLink {
  target: string
  label: string
  slug: string
  fragment: string
}

const MAX_LINK_LENGTH = 300

/**
 * `[[Page name]]`, `[[Page name|label]]` and `[[Page name#Heading]]`. Targets resolve to
 * slugs the same way titles do, so a link written as a title finds the page.
 */
export function parseWikiLink (inner: string, language = 'de'): WikiLink | null {
  const bar = inner.indexOf('|')
  const targetText = (bar === -1 ? inner : inner.slice(0, bar)).trim()
  const labelText = bar === -1 ? '' : inner.slice(bar + 1).trim()
  const hash = targetText.indexOf('#')
  const pageText = (hash === -1 ? targetText : targetText.slice(0, hash)).trim()
  const fragmentText = hash === -1 ? '' : targetText.slice(hash + 1).trim()
  if (pageText === '') return null
  const slug = slugifyTitle(pageText, language)
  if (!isValidSlug(slug)) return null
  return {
    target: pageText,
    label: labelText || targetText,
    slug,
    fragment: fragmentText === '' ? '' : slugifyTitle(fragmentText, language)
  }
}

export function wikiLinksPlugin (md: MarkdownIt): void {
  md.inline.ruler.before('link', 'wiki_link', (state: StateInline, silent: boolean) => {
    const start = state.pos
    const source = state.src
    if (source.charCodeAt(start) !== 0x5B /* [ */ || source.charCodeAt(start + 1) !== 0x5B) return false
    const end = source.indexOf(']]', start + 2)
    if (end === -1 || end - start > MAX_LINK_LENGTH) return false
    const inner = source.slice(start + 2, end)
    if (inner.includes('\n') || inner.includes('[')) return false
    const env = state.env as WikiLinkEnv
    const link = parseWikiLink(inner, env.language)
    if (link === null) return false
    if (!silent) {
      const token = state.push('wiki_link', '', 0)
      token.meta = { ...link }
      token.content = link.label
      env.wikiLinkTargets?.add(link.slug)
    }
    state.pos = end + 2
    return true
  })

  md.renderer.rules.wiki_link = (tokens: Token[], index: number, _options: unknown, renderEnv?: Env) => {
    const env: WikiLinkEnv = renderEnv ?? {}
    const link = (tokens[index]?.meta ?? null) as WikiLink | null
    if (link === null) return ''
    const label = md.utils.escapeHtml(link.label)
    const exists = env.pageExists?.(link.slug) ?? false
    if (exists) {
      const fragment = link.fragment === '' ? '' : `#${link.fragment}`
      return `<a class="wiki-link" href="/wiki/${link.slug}${fragment}">${label}</a>`
    }
    const href = `/wiki/${link.slug}/edit?title=${encodeURIComponent(link.target)}`
    const title = env.missingPageTitle === undefined ? '' : ` title="${md.utils.escapeHtml(env.missingPageTitle)}"`
    return `<a class="wiki-link new" rel="nofollow" href="${md.utils.escapeHtml(href)}"${title}>${label}</a>`
  }
}
