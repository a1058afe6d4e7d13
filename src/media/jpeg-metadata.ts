/**
 * A JPEG without its metadata, its compressed pixels untouched: what a photo needs to be
 * decoded and shown (tables, frame, scans, the colour profile and Adobe's colour transform)
 * is kept, everything else is left out — EXIF with GPS and the camera (APP1), XMP (APP1),
 * IPTC (APP13), JFIF headers and their thumbnails (APP0), other application segments, comments, and all
 * bytes after the end of the image (a motion photo's video, a maker's trailer). Encoding a
 * 12-megapixel photo again took most of an upload; this takes a millisecond and loses nothing.
 *
 * Null when the bytes are not a JPEG this reader follows to its end: the caller then encodes
 * the image again, which strips everything as well.
 */
export function jpegWithoutMetadata (bytes: Uint8Array): Buffer | null {
  const input = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (input.length < 4 || input[0] !== 0xff || input[1] !== MARKER.SOI) return null
  const kept: Buffer[] = [input.subarray(0, 2)]
  let position = 2
  let frames = 0
  let scans = 0
  // A JPEG has a few dozen segments; a bound keeps a crafted file from looping long.
  for (let segments = 0; segments < MAX_SEGMENTS; segments++) {
    // Markers may be preceded by any number of fill bytes (0xFF).
    if (input[position] !== 0xff) return null
    while (input[position] === 0xff) position++
    if (position >= input.length) return null
    const marker = input[position] as number
    // Fill bytes before the marker are not copied: the segment starts at the last 0xFF.
    const start = position - 1
    position++
    if (marker === MARKER.EOI) {
      if (frames !== 1 || scans === 0) return null
      kept.push(Buffer.from([0xff, MARKER.EOI]))
      return Buffer.concat(kept)
    }
    if (isStandalone(marker) || position + 2 > input.length) return null
    const length = input.readUInt16BE(position)
    const end = position + length
    if (length < 2 || end > input.length) return null
    const body = input.subarray(position + 2, end)
    if (isFrame(marker)) {
      // Only what every browser shows is kept as it came; lossless, arithmetic-coded and 12-bit ones are encoded again.
      if (!isBaselineOrProgressive(marker) || body[0] !== 8) return null
      frames++
    }
    if (keeps(marker, body)) kept.push(input.subarray(start, end))
    position = end
    if (marker === MARKER.SOS) {
      scans++
      // The entropy-coded data runs to the next marker that is neither a stuffed 0xFF00 nor a restart.
      const dataEnd = endOfScan(input, position)
      if (dataEnd === null) return null
      kept.push(input.subarray(position, dataEnd))
      position = dataEnd
    }
  }
  return null
}

const MAX_SEGMENTS = 10_000

const MARKER = { SOI: 0xd8, EOI: 0xd9, SOS: 0xda, DQT: 0xdb, DNL: 0xdc, DRI: 0xdd, DHT: 0xc4, DAC: 0xcc, APP2: 0xe2, APP14: 0xee } as const

/** Markers without a length: restarts and TEM (SOI and EOI are handled on their own). */
function isStandalone (marker: number): boolean {
  return (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01 || marker === MARKER.SOI
}

/** SOF0–SOF15, which are C0–CF without DHT (C4), JPG (C8) and DAC (CC). */
function isFrame (marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== MARKER.DHT && marker !== 0xc8 && marker !== MARKER.DAC
}

/** SOF0 (baseline), SOF1 (extended, Huffman) and SOF2 (progressive, Huffman). */
function isBaselineOrProgressive (marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xc2
}

function startsWith (body: Buffer, text: string): boolean {
  return body.subarray(0, text.length).toString('latin1') === text
}

/** What decoding and showing the image needs; nothing that describes who, where or with what. */
function keeps (marker: number, body: Buffer): boolean {
  if (isFrame(marker) || marker === MARKER.SOS) return true
  if (marker === MARKER.DQT || marker === MARKER.DHT || marker === MARKER.DRI || marker === MARKER.DNL) return true
  // Not even JFIF's header (APP0): its pixel density is for printing, and it may carry a thumbnail, as its JFXX extension does.
  // The colour profile, but not MPF, whose further images follow the end of this one.
  if (marker === MARKER.APP2) return startsWith(body, 'ICC_PROFILE\0')
  // Adobe's segment says how CMYK and YCCK colours are stored.
  if (marker === MARKER.APP14) return startsWith(body, 'Adobe')
  return false
}

function endOfScan (input: Buffer, from: number): number | null {
  let position = from
  while (position < input.length - 1) {
    const next = input.indexOf(0xff, position)
    if (next === -1 || next >= input.length - 1) return null
    const following = input[next + 1] as number
    if (following === 0x00 || (following >= 0xd0 && following <= 0xd7) || following === 0xff) {
      // A stuffed byte or a restart stays inside the scan; a run of 0xFF is fill before a marker.
      if (following === 0xff) {
        let end = next
        while (input[end + 1] === 0xff) end++
        const marker = input[end + 1]
        if (marker === undefined) return null
        if (marker !== 0x00 && !(marker >= 0xd0 && marker <= 0xd7)) return next
        position = end + 2
        continue
      }
      position = next + 2
      continue
    }
    return next
  }
  return null
}
