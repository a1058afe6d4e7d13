import { MEDIA_PATH, STORED_NAME, typeOfExtension } from '../media/index.ts'

export interface ArticleImage {
  type: 'Image'
  mediaType: string
  url: string
  name: string
}

// markdown-it writes images as <img src="…" alt="…">, escaping these four.
const entities: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"' }

/**
 * The page's own images as FEP-b2b8 wants them beside the HTML: each an `attachment` of
 * type Image with its media type, absolute URL and alt text as `name`, the first also as
 * `image`. Images from elsewhere are not the page's to announce.
 */
export function articleImages (html: string, baseUrl: string): { attachment?: ArticleImage[], image?: ArticleImage } {
  const images: ArticleImage[] = []
  const seen = new Set<string>()
  for (const [tag] of html.matchAll(/<img\b[^>]{0,4000}>/g)) {
    const src = /\ssrc="([^"]*)"/.exec(tag)?.[1] ?? ''
    const name = src.startsWith(MEDIA_PATH) ? src.slice(MEDIA_PATH.length) : ''
    const extension = STORED_NAME.exec(name)?.[3]
    const type = extension === undefined ? undefined : typeOfExtension(extension)
    if (type === undefined || !type.image || seen.has(name)) continue
    seen.add(name)
    const alt = (/\salt="([^"]*)"/.exec(tag)?.[1] ?? '').replace(/&(?:amp|lt|gt|quot);/g, entity => entities[entity] ?? entity)
    images.push({ type: 'Image', mediaType: type.mime, url: `${baseUrl}${src}`, name: alt })
  }
  return images.length === 0 ? {} : { attachment: images, image: images[0] }
}
