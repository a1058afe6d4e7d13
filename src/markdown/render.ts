import markdownIt, { type Token } from 'markdown-it'
import { headingIdsPlugin } from './heading-ids.ts'
import { imageSizesPlugin, type ImageSizes, type ImageSizesEnv } from './image-sizes.ts'
import { tableLimitsPlugin } from './table-limits.ts'
import { wikiLinksPlugin, type WikiLinkEnv } from './wiki-links.ts'

export interface TocEntry {
  level: number
  id: string
  title: string
}

export interface RenderedMarkdown {
  html: string
  /** Headings of level 2–3; empty when the page is too short to need a contents list. */
  toc: TocEntry[]
  /**
   * The HTML would have been longer than MAX_RENDERED_HTML_LENGTH, or rendering took longer
   * than its deadline: `html` shows the source as text instead.
   */
  tooLarge?: boolean
}

export interface RenderOptions {
  language?: string
  pageExists?: (slug: string) => boolean
  missingPageTitle?: string
  /** Sizes of the stored images the body shows, for their `width`, `height` and `srcset`. */
  imageSizes?: ImageSizes
}

/** A page with fewer headings reads fine without a table of contents. */
const MIN_TOC_HEADINGS = 3
/**
 * A page source is at most 500,000 characters, and with table cells capped ordinary Markdown
 * stays within a few times that; what renders longer still (thousands of wiki links in a
 * row, say) is shown as its source, escaped: at most six characters for each of the source's.
 */
export const MAX_RENDERED_HTML_LENGTH = 2_000_000
/**
 * From this length on, markdown-it must not run in the server's event loop: pathological
 * Markdown (a page of `## a` headings, of thousands of wiki links) takes seconds at
 * 500,000 characters, but stays well under 100 ms below this length.
 */
export const LARGE_BODY_LENGTH = 32_000

export interface MarkdownRenderer {
  render: (body: string, options?: RenderOptions) => RenderedMarkdown
  /** Slugs of all wiki link targets, without rendering. */
  linkTargets: (body: string, language?: string) => Set<string>
  /** The source as escaped text, for a page whose HTML would be too long or take too long. */
  sourceAsText: (body: string) => RenderedMarkdown
}

export function createMarkdownRenderer (): MarkdownRenderer {
  // Raw HTML stays off: pages are user input, and escaping is cheaper than sanitising.
  const md = markdownIt('default', { html: false, linkify: true, typographer: false })
  md.use(wikiLinksPlugin)
  md.use(tableLimitsPlugin)
  md.use(headingIdsPlugin)
  md.use(imageSizesPlugin)
  const sourceAsText = (body: string): RenderedMarkdown => ({ html: `<pre class="source-too-large">${md.utils.escapeHtml(body)}</pre>\n`, toc: [], tooLarge: true })

  return {
    render (body, options = {}) {
      const env: WikiLinkEnv & ImageSizesEnv = { ...options }
      const tokens = md.parse(body, env)
      const html = md.renderer.render(tokens, md.options, env)
      if (html.length > MAX_RENDERED_HTML_LENGTH) return sourceAsText(body)
      return { html, toc: tableOfContents(tokens) }
    },
    linkTargets (body, language) {
      const env: WikiLinkEnv = { wikiLinkTargets: new Set() }
      if (language !== undefined) env.language = language
      md.parse(body, env)
      return env.wikiLinkTargets ?? new Set()
    },
    sourceAsText
  }
}

function tableOfContents (tokens: Token[]): TocEntry[] {
  const entries: TocEntry[] = []
  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index]
    if (token?.type !== 'heading_open') continue
    const level = Number(token.tag.slice(1))
    const id = token.attrGet('id')
    if (level < 2 || level > 3 || id === null) continue

    const inline = tokens[index + 1]
    const title = (inline?.children ?? [])
      .filter(child => child.type === 'text' || child.type === 'code_inline' || child.type === 'wiki_link')
      .map(child => child.content)
      .join('')
    entries.push({ level, id: String(id), title })
  }
  return entries.length >= MIN_TOC_HEADINGS ? entries : []
}
