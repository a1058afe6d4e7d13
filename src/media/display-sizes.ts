import type { MediaStore } from './media-store.ts'
import { MEDIA_PATH } from './upload.ts'

/** A stored image's size and its display sizes, by address (the shape the Markdown renderer takes). */
export interface DisplaySize {
  width: number
  height: number
  variants: Array<{ src: string, width: number }>
}

/** Addresses of stored originals in a text (display sizes carry a width in their name and are not looked up). */
const ORIGINAL = /\/media\/([0-9a-f]{64}\.[a-z]{3,4})(?![\w.-])/g
/** The most stored files looked up for one text; a page shows a few dozen images at most. */
const MAX_LOOKED_UP = 200

/**
 * The sizes of the stored images a text refers to, in one query: the original's width and
 * height, and its display sizes (made at upload) narrowest first. Files that are not images,
 * or not stored here, are left out; so is anything past the first MAX_LOOKED_UP addresses.
 */
export async function displaySizesIn (store: MediaStore, text: string): Promise<Record<string, DisplaySize>> {
  const names = new Set<string>()
  for (const match of text.matchAll(ORIGINAL)) {
    names.add(match[1] ?? '')
    if (names.size >= MAX_LOOKED_UP) break
  }
  const sizes: Record<string, DisplaySize> = {}
  if (names.size === 0) return sizes
  for (const file of await store.originalsNamed([...names])) {
    const { width, height, variants } = file.metadata
    if (!file.metadata.type.startsWith('image/') || width === null || height === null) continue
    sizes[`${MEDIA_PATH}${file.name}`] = {
      width,
      height,
      variants: [...variants].sort((a, b) => a.width - b.width).map(variant => ({ src: `${MEDIA_PATH}${variant.name}`, width: variant.width }))
    }
  }
  return sizes
}
