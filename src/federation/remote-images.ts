import { sameHost } from './remote-pages.ts'

/** Images copied per page at most; the rest keep their alt text and a note. */
export const MAX_IMAGES_PER_PAGE = 10

export interface RemoteImageOptions {
  /** The followed organisation: only images on its own server are copied (no trackers, no third parties). */
  senderId: string
  /** Copies one image and answers its local path; throws when it cannot (too large, not an image, unreachable). */
  copy: (url: string, alt: string) => Promise<string>
}

// sanitize-html writes <img src="…" alt="…" /> with these escaped.
const entities: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"' }
const unescape = (text: string): string => text.replace(/&(?:amp|lt|gt|quot);/g, entity => entities[entity] ?? entity)
const escape = (text: string): string => text.replace(/[&<>"]/g, character => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot' }[character]};`)

/**
 * A remote page's sanitised HTML with its images served from here: each image on the sending
 * organisation's server is fetched (through the guarded client, with size and type checks),
 * stored and pointed at its local copy, since the Content-Security-Policy lets pages show
 * images of this site only. An image that cannot be copied, is hosted elsewhere or is past
 * MAX_IMAGES_PER_PAGE becomes its alt text with a note, so the reader knows something is missing.
 */
export async function localiseRemoteImages (html: string, options: RemoteImageOptions): Promise<string> {
  const tags = [...html.matchAll(/<img\b[^>]{0,4000}>/g)].map(match => match[0])
  if (tags.length === 0) return html
  // All copies at once: each fetch may take up to its timeout.
  const copies = new Map<string, Promise<string | null>>()
  const pending = [...new Set(tags)].map(tag => {
    const src = unescape(/\ssrc="([^"]*)"/.exec(tag)?.[1] ?? '')
    const alt = unescape(/\salt="([^"]*)"/.exec(tag)?.[1] ?? '')
    let copy = copies.get(src)
    if (copy === undefined) {
      const allowed = src !== '' && sameHost(src, options.senderId) && copies.size < MAX_IMAGES_PER_PAGE
      copy = allowed ? options.copy(src, alt).catch(() => null) : Promise.resolve(null)
      copies.set(src, copy)
    }
    return { tag, alt, copy }
  })
  const replacements = new Map<string, string>()
  for (const { tag, alt, copy } of pending) {
    const local = await copy
    replacements.set(tag, local === null
      ? `<span class="remote-image-missing">[${escape(alt === '' ? 'Bild · image' : alt)}] (Bild nicht übernommen · image not copied)</span>`
      : `<img src="${escape(local)}" alt="${escape(alt)}" />`)
  }
  return html.replace(/<img\b[^>]{0,4000}>/g, tag => replacements.get(tag) ?? '')
}
