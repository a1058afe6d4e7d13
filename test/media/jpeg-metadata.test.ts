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
      assert.ok(answer === null || answer.length <= spoiled.length, `round ${round}`)
    }
  })
})
