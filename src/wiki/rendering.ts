import { LRUCache } from 'lru-cache'
import { parseSource } from '../markdown/front-matter.ts'
import type { MarkdownRenderer, RenderedMarkdown } from '../markdown/render.ts'

export interface RenderRequest {
  revisionId: string
  source: string
  language: string
  /** Part of the cache key, since the missing-page tooltip is in the reader's language. */
  locale: string
  missingPageTitle: string
}

interface ParsedRevision {
  body: string
  targets: string[]
}

/**
 * Renders revisions with a cache. A revision's text never changes, but whether its
 * wiki link targets exist does, so the key is the revision plus one bit per target;
 * each request asks the store only which targets exist.
 */
export function createPageRenderer (options: {
  renderer: MarkdownRenderer
  existingSlugs: (slugs: string[]) => Promise<Set<string>>
  maxEntries?: number
}) {
  const max = options.maxEntries ?? 500
  const parsed = new LRUCache<string, ParsedRevision>({ max })
  const rendered = new LRUCache<string, RenderedMarkdown>({ max })

  function parse (request: RenderRequest): ParsedRevision {
    let entry = parsed.get(request.revisionId)
    if (entry === undefined) {
      const body = parseSource(request.source).body
      entry = { body, targets: [...options.renderer.linkTargets(body, request.language)].sort() }
      parsed.set(request.revisionId, entry)
    }
    return entry
  }

  return {
    async render (request: RenderRequest): Promise<RenderedMarkdown> {
      const { body, targets } = parse(request)
      const existing = await options.existingSlugs(targets)
      const key = `${request.revisionId}:${request.locale}:${targets.map(slug => existing.has(slug) ? '1' : '0').join('')}`
      let result = rendered.get(key)
      if (result === undefined) {
        result = options.renderer.render(body, {
          language: request.language,
          pageExists: slug => existing.has(slug),
          missingPageTitle: request.missingPageTitle
        })
        rendered.set(key, result)
      }
      return result
    }
  }
}

export type PageRenderer = ReturnType<typeof createPageRenderer>
