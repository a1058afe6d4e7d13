import markdownIt, { type Token } from 'markdown-it'
import anchor from 'markdown-it-anchor'
import { slugifyTitle } from './slug.ts'
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
}

export interface RenderOptions {
  language?: string
  pageExists?: (slug: string) => boolean
  missingPageTitle?: string
}

/** A page with fewer headings reads fine without a table of contents. */
const MIN_TOC_HEADINGS = 3

export interface MarkdownRenderer {
  render: (body: string, options?: RenderOptions) => RenderedMarkdown
  /** Slugs of all wiki link targets, without rendering. */
  linkTargets: (body: string, language?: string) => Set<string>
}

export function createMarkdownRenderer (): MarkdownRenderer {
  // Raw HTML stays off: pages are user input, and escaping is cheaper than sanitising.
  const md = markdownIt('default', { html: false, linkify: true, typographer: false })
  md.use(wikiLinksPlugin)
  md.use(anchor, {
    level: [2, 3, 4],
    slugify: (text: string) => slugifyTitle(text) || 'section',
    // Ids only: permalink anchors would nest links when a heading holds a wiki link.
    tabIndex: false
  })

  return {
    render (body, options = {}) {
      const env: WikiLinkEnv = { ...options }
      const tokens = md.parse(body, env)
      return { html: md.renderer.render(tokens, md.options, env), toc: tableOfContents(tokens) }
    },
    linkTargets (body, language) {
      const env: WikiLinkEnv = { wikiLinkTargets: new Set() }
      if (language !== undefined) env.language = language
      md.parse(body, env)
      return env.wikiLinkTargets ?? new Set()
    }
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
