import sharp, { type Sharp } from 'sharp'
import { BadImageError } from './errors.ts'
import type { MediaType } from './media-types.ts'

/** Widths of the display sizes made beside the original; only those smaller than the original. */
export const DISPLAY_WIDTHS = [480, 960, 1600] as const
/**
 * The most pixels an image may have (all frames of an animation together). A phone's
 * 50-megapixel photo fits; a few kilobytes of PNG that claim 100,000 × 100,000 pixels,
 * which would take gigabytes to decode, do not.
 */
export const MAX_IMAGE_PIXELS = 60_000_000

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
  try {
    const metadata = await input().metadata()
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
    const upright = input().rotate()
    const encode = (pipeline: Sharp) => encoded(pipeline, type)
    const [original, ...variants] = await Promise.all([
      encode(upright.clone()),
      ...DISPLAY_WIDTHS.filter(target => target < width && target < height * 20).map(target => encode(upright.clone().resize({ width: target })))
    ])
    return { original: original!, variants }
  } catch (error) {
    throw new BadImageError((error as Error).message)
  }
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
