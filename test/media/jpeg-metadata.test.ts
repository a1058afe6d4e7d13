import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import sharp from 'sharp'
import { jpegWithoutMetadata } from '../../src/media/jpeg-metadata.ts'
import { seededRandom } from '../seeded-random.ts'
import { GPS_MARK, TRAILER_MARK, uprightPhotoWithMetadata } from './fixtures.ts'

const pixelsOf = async (bytes: Buffer): Promise<Buffer> => await sharp(bytes).raw().toBuffer()

describe('a JPEG without its metadata', () => {
  it('keeps a progressive JPEG\'s scans and its colour profile, and decodes to the same pixels', async () => {
    const photo = await uprightPhotoWithMetadata(640, 480)
    const progressive = await sharp(photo).withIccProfile('p3').withExifMerge({ IFD0: { Make: GPS_MARK } }).jpeg({ progressive: true }).toBuffer()
    const stripped = jpegWithoutMetadata(progressive)
    assert.ok(stripped !== null)
    assert.ok(!stripped.includes(GPS_MARK))
    const metadata = await sharp(stripped).metadata()
    assert.equal(metadata.isProgressive, true)
    assert.equal(metadata.exif, undefined)
    assert.ok(metadata.icc !== undefined, 'the colour profile stays')
    assert.ok((await pixelsOf(stripped)).equals(await pixelsOf(progressive)))
  })

  it('leaves out a JFIF header with its thumbnail, and keeps the pixels', async () => {
    const photo = await uprightPhotoWithMetadata(320, 240)
    // A JFIF APP0 with a 2 × 2 RGB thumbnail, whose 12 bytes spell a mark.
    const thumbnail = Buffer.from('THUMBSECRET!')
    const body = Buffer.concat([Buffer.from('JFIF\0'), Buffer.from([1, 2, 0, 0, 1, 0, 1, 2, 2]), thumbnail])
    const app0 = Buffer.concat([Buffer.from([0xff, 0xe0, (body.length + 2) >> 8, (body.length + 2) & 0xff]), body])
    const withThumbnail = Buffer.concat([photo.subarray(0, 2), app0, photo.subarray(2)])
    const stripped = jpegWithoutMetadata(withThumbnail)
    assert.ok(stripped !== null)
    assert.ok(!stripped.includes('THUMBSECRET') && !stripped.includes('JFIF'))
    assert.ok((await pixelsOf(stripped)).equals(await pixelsOf(photo)))
  })

  it('leaves to encoding again what browsers may not show: lossless, arithmetic-coded and 12-bit frames', async () => {
    const photo = await uprightPhotoWithMetadata(320, 240)
    const frame = photo.indexOf(Buffer.from([0xff, 0xc0]))
    assert.ok(frame > 0 && jpegWithoutMetadata(photo) !== null)
    for (const marker of [0xc3, 0xc9, 0xca]) {
      const other = Buffer.from(photo)
      other[frame + 1] = marker
      assert.equal(jpegWithoutMetadata(other), null, `SOF ${marker.toString(16)}`)
    }
    const twelveBit = Buffer.from(photo)
    twelveBit[frame + 4] = 12
    assert.equal(jpegWithoutMetadata(twelveBit), null)
  })

  it('answers null, never throws, for bytes that break off or are spoiled anywhere', async () => {
    const photo = await uprightPhotoWithMetadata(320, 240)
    const whole = photo.subarray(0, photo.length - TRAILER_MARK.length)
    assert.ok(jpegWithoutMetadata(whole) !== null)
    assert.equal(jpegWithoutMetadata(whole.subarray(0, whole.length - 2)), null, 'no end marker')
    assert.equal(jpegWithoutMetadata(Buffer.from('GIF89a')), null)
    assert.equal(jpegWithoutMetadata(Buffer.alloc(0)), null)
    const random = seededRandom(18)
    for (let round = 0; round < 300; round++) {
      const spoiled = Buffer.from(whole.subarray(0, 2 + Math.floor(random() * (whole.length - 2))))
      for (let flips = 0; flips < 3; flips++) spoiled[Math.floor(random() * spoiled.length)] = Math.floor(random() * 256)
      const answer = jpegWithoutMetadata(spoiled)
      // What it answers is a whole JPEG from the spoiled one: start and end markers, nothing added.
      if (answer !== null) {
        assert.ok(answer.length <= spoiled.length, `round ${round}`)
        assert.deepEqual([answer[0], answer[1], answer.at(-2), answer.at(-1)], [0xff, 0xd8, 0xff, 0xd9], `round ${round}`)
      }
    }
  })
})
