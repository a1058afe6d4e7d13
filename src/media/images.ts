import sharp, { type Sharp } from 'sharp'
import { BadImageError } from './errors.ts'
import { jpegWithoutMetadata } from './jpeg-metadata.ts'
import type { MediaType } from './media-types.ts'

/** Widths of the display sizes made beside the original; only those smaller than the original. */
export const DISPLAY_WIDTHS = [480, 960, 1600] as const
/**
 * The most pixels an image may have (all frames of an animation together). A phone's
 * 50-megapixel photo fits; a few kilobytes of PNG that claim 100,000 × 100,000 pixels,
 * which would take gigabytes to decode, do not.
 */
export const MAX_IMAGE_PIXELS = 50_000_000

export interface EncodedImage {
  data: Buffer
  width: number
  height: number
}

export interface ProcessedImage {
  original: EncodedImage
  variants: EncodedImage[]
}

/**
 * The image turned upright by its orientation and encoded again in its own format, so
 * nothing of its metadata is kept (EXIF with GPS, XMP, IPTC, comments); and its display
 * sizes. All of the work runs in sharp's own threads, not on the event loop.
 */
export async function processImage (bytes: Uint8Array, type: MediaType): Promise<ProcessedImage> {
  const animated = type.mime === 'image/gif' || type.mime === 'image/webp'
  const input = (): Sharp => sharp(bytes, { limitInputPixels: MAX_IMAGE_PIXELS, animated, failOn: 'error' })
  let width: number
  let height: number
  let storedUpright: boolean
  try {
    const metadata = await input().metadata()
    storedUpright = (metadata.orientation ?? 1) === 1
    // Display sizes go by the upright image: a portrait photo is stored lying on its side.
    width = metadata.autoOrient?.width ?? metadata.width
    height = metadata.autoOrient?.height ?? metadata.pageHeight ?? metadata.height
    const pixels = metadata.width * metadata.height
    if (!(pixels > 0)) throw new BadImageError('no pixels')
    if (pixels > MAX_IMAGE_PIXELS) throw new BadImageError(`${metadata.width} × ${metadata.height} pixels`)
  } catch (error) {
    if (error instanceof BadImageError) throw error
    throw new BadImageError((error as Error).message)
  }
  try {
    if (animated) {
      // Frames stay together only through sharp's own pipelines; animations are small anyway.
      const upright = input().rotate()
      const [original, ...variants] = await Promise.all([encoded(upright.clone(), type), ...widthsFor(width, height).map(target => encoded(upright.clone().resize({ width: target }), type))])
      return { original: original!, variants }
    }
    // An upright JPEG is kept as it came, less its metadata; its display sizes are scaled
    // from a decode at the largest of them (libjpeg decodes at 1/2, 1/4 or 1/8 directly).
    const stripped = type.mime === 'image/jpeg' && storedUpright ? jpegWithoutMetadata(bytes) : null
    if (stripped !== null) {
      const widths = widthsFor(width, height)
      const largest = widths.at(-1)
      const decoded = await (largest === undefined ? input() : input().resize({ width: largest })).raw().toBuffer({ resolveWithObject: true })
      return { original: { data: stripped, width, height }, variants: await displaySizes(decoded, widths, type) }
    }
    // Decoded once, turned upright: the original and each display size are encoded from pixels,
    // which carry no metadata at all; each size is scaled from the next larger one.
    // The original and the display sizes are encoded side by side, in two of sharp's threads.
    const upright = await input().rotate().raw().toBuffer({ resolveWithObject: true })
    const [original, variants] = await Promise.all([encoded(fromPixels(upright), type), displaySizes(upright, widthsFor(width, height), type)])
    return { original, variants }
  } catch (error) {
    throw new BadImageError((error as Error).message)
  }
}

async function displaySizes (upright: Pixels, widths: number[], type: MediaType): Promise<EncodedImage[]> {
  const variants: EncodedImage[] = []
  let larger = upright
  for (const target of [...widths].reverse()) {
    // A decode made at the largest size already has it.
    if (larger.info.width !== target) larger = await fromPixels(larger).resize({ width: target }).raw().toBuffer({ resolveWithObject: true })
    variants.unshift(await encoded(fromPixels(larger), type))
  }
  return variants
}

type Pixels = { data: Buffer, info: { width: number, height: number, channels: 1 | 2 | 3 | 4 } }

function fromPixels ({ data, info }: Pixels): Sharp {
  return sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } })
}

/** The display widths smaller than the image (and not for a sliver many times higher than wide). */
function widthsFor (width: number, height: number): number[] {
  return DISPLAY_WIDTHS.filter(target => target < width && target < height * 20)
}

async function encoded (pipeline: Sharp, type: MediaType): Promise<EncodedImage> {
  const formatted = type.mime === 'image/jpeg'
    ? pipeline.jpeg({ quality: 85 })
    : type.mime === 'image/png'
      ? pipeline.png()
      : type.mime === 'image/webp'
        ? pipeline.webp({ quality: 85 })
        : pipeline.gif()
  const { data, info } = await formatted.toBuffer({ resolveWithObject: true })
  return { data, width: info.width, height: info.pageHeight ?? info.height }
}
