import { createHash } from 'node:crypto'
import { AltTextRequiredError, TypeNotAllowedError } from './errors.ts'
import { checkFileName } from './file-name.ts'
import { processImage, type EncodedImage } from './images.ts'
import type { MediaMetadata, MediaStore } from './media-store.ts'
import type { MediaType } from './media-types.ts'
import { sniffType } from './sniff.ts'

/** Where stored files are served; their names are the SHA-256 of their bytes. */
export const MEDIA_PATH = '/media/'
const MAX_ALT_LENGTH = 1000

export interface UploadInput {
  bytes: Buffer
  fileName: string
  claimedType: string
  alt: string
  uploadedBy: string | null
  /** Where a copy of a remote image came from. */
  source?: string
  /** Other servers' images may come without alt text; uploads may not. */
  requireAlt?: boolean
  /** Refuse anything but an image before storing it (copies of remote images). */
  imagesOnly?: boolean
}

export interface StoredFileView {
  /** A path on this site, `/media/<sha256>.<ext>`. */
  path: string
  width: number
  height: number
  size: number
}

export interface UploadResult {
  path: string
  type: string
  image: boolean
  size: number
  width: number | null
  height: number | null
  name: string
  alt: string
  variants: StoredFileView[]
  /** What to put into a page: an image with its alt text, or a link to the file. */
  markdown: string
}

/**
 * Checks a file and stores it: the name, the type from the bytes, alt text for images; images
 * lose their metadata and get display sizes. The display sizes are stored before the original,
 * and whatever was stored is removed again if a later step fails, so a failed upload leaves
 * nothing. The same bytes uploaded twice are stored once.
 */
export async function storeUpload (store: MediaStore, input: UploadInput): Promise<UploadResult> {
  const { name, extension } = checkFileName(input.fileName)
  const alt = input.alt.replace(/\s+/g, ' ').trim().slice(0, MAX_ALT_LENGTH)
  const type = await sniffType(input.bytes, extension, input.claimedType)
  if (!type.image && input.imagesOnly === true) throw new TypeNotAllowedError(type.mime)
  if (type.image && alt === '' && input.requireAlt !== false) throw new AltTextRequiredError()
  const processed = type.image ? await processImage(input.bytes, type) : null
  const original = processed?.original.data ?? input.bytes
  const hash = createHash('sha256').update(original).digest('hex')
  const fileExtension = type.extensions[0] ?? 'bin'
  const originalName = `${hash}.${fileExtension}`
  const variants = (processed?.variants ?? []).map(variant => ({ ...variant, name: `${hash}-${variant.width}.${fileExtension}` }))
  const result = resultOf(type, originalName, original.length, processed?.original ?? null, variants, name, alt)
  if (await store.find(originalName) !== null) return result

  const metadata = (overrides: Partial<MediaMetadata>): MediaMetadata => ({
    type: type.mime,
    originalName: name,
    alt,
    width: processed?.original.width ?? null,
    height: processed?.original.height ?? null,
    variantOf: null,
    variants: [],
    uploadedBy: input.uploadedBy,
    source: input.source ?? null,
    ...overrides
  })
  try {
    // Together, so their writes share the journal's fsyncs; the original, which makes the upload found, last.
    await Promise.all(variants.map(async variant => await store.put(variant.name, variant.data, metadata({ width: variant.width, height: variant.height, variantOf: originalName }))))
    await store.put(originalName, original, metadata({ variants: variants.map(variant => ({ name: variant.name, width: variant.width, height: variant.height, size: variant.data.length })) }))
  } catch (error) {
    for (const variant of variants) await store.remove(variant.name).catch(() => {})
    throw error
  }
  return result
}

function resultOf (type: MediaType, storedName: string, size: number, image: EncodedImage | null, variants: Array<EncodedImage & { name: string }>, name: string, alt: string): UploadResult {
  const path = `${MEDIA_PATH}${storedName}`
  return {
    path,
    type: type.mime,
    image: type.image,
    size,
    width: image?.width ?? null,
    height: image?.height ?? null,
    name,
    alt,
    variants: variants.map(variant => ({ path: `${MEDIA_PATH}${variant.name}`, width: variant.width, height: variant.height, size: variant.data.length })),
    markdown: type.image ? `![${markdownText(alt)}](${path})` : `[${markdownText(name)}](${path})`
  }
}

/** Text inside a Markdown link's brackets: no brackets or line breaks that would end it early. */
function markdownText (text: string): string {
  return text.replace(/[[\]\\]/g, character => `\\${character}`).replace(/[\r\n]+/g, ' ')
}
