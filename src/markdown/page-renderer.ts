import { createHash } from 'node:crypto'
import { LRUCache } from 'lru-cache'
import { parseSource } from './front-matter.ts'
import type { ImageSizes } from './image-sizes.ts'
import { LARGE_BODY_LENGTH, type MarkdownRenderer, type RenderedMarkdown } from './render.ts'
import type { RenderOutcome, RenderThread } from './render-thread.ts'

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
  /** The render thread could not read the links (past the deadline, busy, failed): the page shows as text. */
  shownAsText?: boolean
}

/** How many bodies were rendered where: for tests and for whoever watches the server. */
export interface RenderCounts {
  inProcess: number
  inWorker: number
  /** Shown as text because the render thread was past its deadline, busy or failed. */
  asText: number
}

/**
 * Renders revisions with a cache. A revision's text never changes, but whether its
 * wiki link targets exist does, so the key is the revision plus one bit per target;
 * each request asks the store only which targets exist.
 */
export function createPageRenderer (options: {
  renderer: MarkdownRenderer
  /** Where bodies of LARGE_BODY_LENGTH characters or more are parsed and rendered. */
  thread: RenderThread
  existingSlugs: (slugs: string[]) => Promise<Set<string>>
  /** Sizes of the stored images a body shows (the media store knows them); without it, images carry no sizes. */
  imageSizes?: (body: string) => Promise<ImageSizes>
  maxEntries?: number
  /**
   * What the cached texts may hold together, in characters (about two bytes each): a
   * page's HTML can be megabytes, so a count of entries alone does not bound the memory.
   */
  maxCacheCharacters?: number
  /**
   * How long the answer to "which link targets exist" is reused. Local changes clear it
   * at once (`forgetLinkTargets`); the time bounds how stale links can look when other
   * processes share a MongoDB database.
   */
  linkTargetsTtlMs?: number
}) {
  const max = options.maxEntries ?? 500
  const maxSize = options.maxCacheCharacters ?? DEFAULT_CACHE_CHARACTERS
  const parsed = new LRUCache<string, ParsedRevision>({ max, maxSize, sizeCalculation: entry => 1 + entry.body.length + charactersOf(entry.targets) })
  const rendered = new LRUCache<string, RenderedMarkdown>({ max, maxSize, sizeCalculation: entry => 1 + entry.html.length + charactersOf(entry.toc.map(heading => heading.title)) })
  const existence = new LRUCache<string, Set<string>>({ max, maxSize, sizeCalculation: slugs => 1 + charactersOf([...slugs]), ttl: options.linkTargetsTtlMs ?? 2000 })
  // A stored file's sizes never change (its name is its content), but a text may name a file before it is uploaded.
  const imageSizes = new LRUCache<string, { sizes: ImageSizes, key: string }>({ max, maxSize, sizeCalculation: entry => 1 + entry.key.length + charactersOf(Object.keys(entry.sizes)), ttl: options.linkTargetsTtlMs ?? 2000 })

  const counts: RenderCounts = { inProcess: 0, inWorker: 0, asText: 0 }

  /**
   * A body past its deadline is kept as such: it would be as slow again. A busy or failed
   * render thread is not: the next request may well find it free.
   */
  function keeps (outcome: RenderOutcome<unknown>): boolean {
    return outcome.done || outcome.reason === 'deadline'
  }

  async function parse (request: RenderRequest): Promise<ParsedRevision> {
    let entry = parsed.get(request.revisionId)
    if (entry === undefined) {
      const body = parseSource(request.source).body
      if (body.length < LARGE_BODY_LENGTH) {
        entry = { body, targets: [...options.renderer.linkTargets(body, request.language)].sort() }
      } else {
        const outcome = await options.thread.linkTargets(body, request.language)
        entry = outcome.done ? { body, targets: outcome.value.sort() } : { body, targets: [], shownAsText: true }
        if (!keeps(outcome)) return entry
      }
      parsed.set(request.revisionId, entry)
    }
    return entry
  }

  /** The sizes of the revision's stored images, and a short key that changes when they do. */
  async function sizesOf (revisionId: string, body: string): Promise<{ sizes: ImageSizes, key: string }> {
    let entry = imageSizes.get(revisionId)
    if (entry === undefined) {
      const sizes = options.imageSizes === undefined ? {} : await options.imageSizes(body)
      const names = Object.keys(sizes).sort()
      entry = { sizes, key: names.length === 0 ? '' : createHash('sha256').update(names.join('\n')).digest('base64url').slice(0, 16) }
      imageSizes.set(revisionId, entry)
    }
    return entry
  }

  function asText (body: string): RenderedMarkdown {
    counts.asText++
    return options.renderer.sourceAsText(body)
  }

  return {
    async render (request: RenderRequest): Promise<RenderedMarkdown> {
      const { body, targets, shownAsText } = await parse(request)
      if (shownAsText === true) return asText(body)
      let existing = existence.get(request.revisionId)
      if (existing === undefined) {
        existing = await options.existingSlugs(targets)
        existence.set(request.revisionId, existing)
      }
      const images = await sizesOf(request.revisionId, body)
      const key = `${request.revisionId}:${request.locale}:${targets.map(slug => existing.has(slug) ? '1' : '0').join('')}:${images.key}`
      let result = rendered.get(key)
      if (result === undefined) {
        if (body.length < LARGE_BODY_LENGTH) {
          counts.inProcess++
          result = options.renderer.render(body, {
            language: request.language,
            pageExists: slug => existing.has(slug),
            missingPageTitle: request.missingPageTitle,
            imageSizes: images.sizes
          })
        } else {
          const outcome = await options.thread.render(body, {
            language: request.language,
            missingPageTitle: request.missingPageTitle,
            existing: targets.filter(slug => existing.has(slug)),
            imageSizes: images.sizes
          })
          if (outcome.done) counts.inWorker++
          result = outcome.done ? outcome.value : asText(body)
          if (!keeps(outcome)) return result
        }
        rendered.set(key, result)
      }
      return result
    },
    counts (): RenderCounts {
      return { ...counts }
    },
    /** Call when a page appears, moves or disappears: links to it change colour. */
    forgetLinkTargets (): void {
      existence.clear()
    }
  }
}

export type PageRenderer = ReturnType<typeof createPageRenderer>

/** Each of the three caches: 16 million characters, some 32 MB. */
export const DEFAULT_CACHE_CHARACTERS = 16_000_000

function charactersOf (texts: string[]): number {
  return texts.reduce((sum, text) => sum + text.length, 0)
}
