import { randomBytes } from 'node:crypto'
import { crc32, deflateSync } from 'node:zlib'
import sharp from 'sharp'

export interface FilePart {
  name?: string
  fileName: string
  type: string
  bytes: Buffer
}

/** A multipart/form-data body as a browser sends it: text fields (a list is the field repeated), then at most one file. */
export function multipart (fields: Record<string, string | string[]>, file?: FilePart): { payload: Buffer, headers: Record<string, string> } {
  const boundary = `----praxiswiki${randomBytes(8).toString('hex')}`
  const parts: Buffer[] = []
  for (const [name, values] of Object.entries(fields)) {
    for (const value of Array.isArray(values) ? values : [values]) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`))
  }
  if (file !== undefined) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${file.name ?? 'file'}"; filename="${file.fileName}"\r\nContent-Type: ${file.type}\r\n\r\n`))
    parts.push(file.bytes, Buffer.from('\r\n'))
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`))
  return { payload: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } }
}

/** Noise, so the JPEG is as large as a real photo of its size. */
export async function photo (width: number, height: number): Promise<Buffer> {
  const pixels = randomBytes(width * height * 3)
  return await sharp(pixels, { raw: { width, height, channels: 3 } }).jpeg({ quality: 92 }).toBuffer()
}

export const GPS_MARK = 'Praxiswiki test camera'
export const XMP_MARK = 'praxiswiki-xmp-secret'
export const IPTC_MARK = 'praxiswiki-iptc-byline'

/**
 * A JPEG lying on its side (orientation 6) that carries EXIF with a GPS position, XMP and an
 * IPTC record (Photoshop APP13), as phones and photo tools write them.
 */
export async function photoWithMetadata (): Promise<Buffer> {
  const base = await sharp({ create: { width: 1200, height: 800, channels: 3, background: { r: 200, g: 120, b: 40 } } })
    .withMetadata({ orientation: 6 })
    .withExifMerge({
      IFD0: { Make: GPS_MARK, Model: 'Model X' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '52/1 31/1 0/1', GPSLongitudeRef: 'E', GPSLongitude: '13/1 24/1 0/1' }
    })
    .withXmp(`<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>${XMP_MARK}</dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>`)
    .jpeg()
    .toBuffer()
  return withIptc(base, IPTC_MARK)
}

export const COMMENT_MARK = 'praxiswiki-comment-secret'
export const TRAILER_MARK = 'praxiswiki-motion-photo-video'

/**
 * An upright JPEG (no orientation) with EXIF and GPS, XMP, IPTC, a comment and, after its end,
 * a trailer such as a motion photo's video: everything a metadata-free copy must leave out.
 */
export async function uprightPhotoWithMetadata (width = 1200, height = 800): Promise<Buffer> {
  const pixels = randomBytes(width * height * 3)
  const base = await sharp(pixels, { raw: { width, height, channels: 3 } })
    .withExifMerge({
      IFD0: { Make: GPS_MARK, Model: 'Model X' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '52/1 31/1 0/1', GPSLongitudeRef: 'E', GPSLongitude: '13/1 24/1 0/1' }
    })
    .withXmp(`<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>${XMP_MARK}</dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>`)
    .jpeg({ quality: 90 })
    .toBuffer()
  const comment = Buffer.from(COMMENT_MARK)
  const commentSegment = Buffer.concat([Buffer.from([0xff, 0xfe, (comment.length + 2) >> 8, (comment.length + 2) & 0xff]), comment])
  const withComment = Buffer.concat([base.subarray(0, 2), commentSegment, base.subarray(2)])
  return Buffer.concat([withIptc(withComment, IPTC_MARK), Buffer.from(TRAILER_MARK)])
}

/** Puts an APP13 segment with one IPTC by-line (2:80) right after the JPEG's start marker. */
function withIptc (jpeg: Buffer, byline: string): Buffer {
  const text = Buffer.from(byline)
  const record = Buffer.concat([Buffer.from([0x1c, 0x02, 0x50, text.length >> 8, text.length & 0xff]), text])
  const resource = Buffer.concat([Buffer.from('8BIM'), Buffer.from([0x04, 0x04, 0, 0]), uint32(record.length), record, record.length % 2 === 1 ? Buffer.from([0]) : Buffer.alloc(0)])
  const body = Buffer.concat([Buffer.from('Photoshop 3.0\0'), resource])
  const segment = Buffer.concat([Buffer.from([0xff, 0xed, (body.length + 2) >> 8, (body.length + 2) & 0xff]), body])
  return Buffer.concat([jpeg.subarray(0, 2), segment, jpeg.subarray(2)])
}

/** A tiny PNG whose header claims 100,000 × 100,000 pixels: decoding it would need 30 GB. */
export function pixelBomb (): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const typed = Buffer.concat([Buffer.from(type), data])
    return Buffer.concat([uint32(data.length), typed, uint32(crc32(typed))])
  }
  const header = Buffer.concat([uint32(100_000), uint32(100_000), Buffer.from([8, 2, 0, 0, 0])])
  const rows = deflateSync(Buffer.alloc(100_001 * 3))
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', rows), chunk('IEND', Buffer.alloc(0))])
}

function uint32 (value: number): Buffer {
  const buffer = Buffer.alloc(4)
  buffer.writeUInt32BE(value >>> 0)
  return buffer
}

/** A minimal PDF document. */
export function pdf (): Buffer {
  return Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n')
}
