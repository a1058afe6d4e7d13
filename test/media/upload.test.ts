import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import sharp from 'sharp'
import { startTestApp, type TestApp } from '../helpers.ts'
import { COMMENT_MARK, GPS_MARK, IPTC_MARK, multipart, pdf, photo, photoWithMetadata, pixelBomb, TRAILER_MARK, uprightPhotoWithMetadata, XMP_MARK } from './fixtures.ts'

interface Uploaded {
  url: string
  path: string
  type: string
  size: number
  width: number | null
  height: number | null
  alt: string
  markdown: string
  variants: Array<{ url: string, width: number, height: number, size: number }>
}

describe('uploading images and attachments (POST /api/media)', () => {
  let test: TestApp
  before(async () => { test = await startTestApp({ UPLOAD_LIMIT_MB: '2' }) })
  after(async () => { await test.close() })

  const upload = async (fields: Record<string, string>, file?: Parameters<typeof multipart>[1]) =>
    await test.app.inject({ method: 'POST', url: '/api/media', ...multipart(fields, file) })
  const storedCount = async () => await test.app.store.db.collection('media.files').countDocuments({})

  it('stores a photo without its EXIF, GPS, XMP and IPTC metadata, upright, with display sizes', async () => {
    const original = await photoWithMetadata()
    assert.ok(original.includes(GPS_MARK) && original.includes(XMP_MARK) && original.includes(IPTC_MARK), 'the fixture carries all three kinds')
    assert.equal((await sharp(original).metadata()).orientation, 6)
    const response = await upload({ alt: 'Gruppe im Garten' }, { fileName: 'garten.jpg', type: 'image/jpeg', bytes: original })
    assert.equal(response.statusCode, 201, response.body)
    const body = response.json<Uploaded>()
    assert.equal(body.type, 'image/jpeg')
    assert.match(body.url, /^http:\/\/wiki\.test\/media\/[0-9a-f]{64}\.jpg$/)
    // Orientation 6 turns the 1200 × 800 picture upright: 800 wide, 1200 high.
    assert.deepEqual([body.width, body.height], [800, 1200])
    assert.deepEqual(body.variants.map(variant => variant.width), [480])
    assert.equal(body.markdown, `![Gruppe im Garten](${body.path})`)

    for (const path of [body.path, ...body.variants.map(variant => new URL(variant.url).pathname)]) {
      const served = await test.anonymous({ url: path })
      assert.equal(served.statusCode, 200)
      const bytes = served.rawPayload
      for (const mark of [GPS_MARK, XMP_MARK, IPTC_MARK, 'Exif\0', 'http://ns.adobe.com/xap', 'Photoshop 3.0']) {
        assert.ok(!bytes.includes(mark), `${path} still holds ${JSON.stringify(mark)}`)
      }
      const metadata = await sharp(bytes).metadata()
      assert.equal(metadata.exif, undefined)
      assert.equal(metadata.xmp, undefined)
      assert.equal(metadata.iptc, undefined)
      assert.equal(metadata.orientation, undefined)
    }
  })

  it('keeps an upright JPEG\'s compressed pixels as they came and leaves out its metadata, comment and trailer', async () => {
    const original = await uprightPhotoWithMetadata(1200, 800)
    assert.equal((await sharp(original).metadata()).orientation ?? 1, 1)
    const response = await upload({ alt: 'Rauschen mit Kamera' }, { fileName: 'kamera.jpg', type: 'image/jpeg', bytes: original })
    assert.equal(response.statusCode, 201, response.body)
    const body = response.json<Uploaded>()
    assert.deepEqual([body.width, body.height], [1200, 800])
    assert.deepEqual(body.variants.map(variant => variant.width), [480, 960])
    const stored = (await test.anonymous({ url: body.path })).rawPayload
    for (const mark of [GPS_MARK, XMP_MARK, IPTC_MARK, COMMENT_MARK, TRAILER_MARK, 'Exif\0', 'http://ns.adobe.com/xap', 'Photoshop 3.0']) {
      assert.ok(!stored.includes(mark), `the stored original still holds ${JSON.stringify(mark)}`)
    }
    const metadata = await sharp(stored).metadata()
    assert.equal(metadata.exif, undefined)
    assert.equal(metadata.xmp, undefined)
    assert.equal(metadata.iptc, undefined)
    // Not encoded again: it decodes to exactly the pixels the upload did, and its scan is the same bytes.
    const pixels = async (bytes: Buffer) => await sharp(bytes).raw().toBuffer()
    assert.ok((await pixels(stored)).equals(await pixels(original)), 'the same pixels')
    const scanOf = (bytes: Buffer) => bytes.subarray(bytes.indexOf(Buffer.from([0xff, 0xda])), bytes.lastIndexOf(Buffer.from([0xff, 0xd9])))
    assert.ok(scanOf(stored).equals(scanOf(original.subarray(0, original.length - TRAILER_MARK.length))), 'the same compressed scan')
    for (const variant of body.variants) {
      const bytes = (await test.anonymous({ url: new URL(variant.url).pathname })).rawPayload
      assert.equal((await sharp(bytes).metadata()).width, variant.width)
      assert.ok(!bytes.includes(GPS_MARK) && !bytes.includes(TRAILER_MARK))
    }
  })

  it('refuses a JPEG whose compressed data breaks off, storing nothing', async () => {
    const whole = await uprightPhotoWithMetadata(600, 400)
    const before = await storedCount()
    const response = await upload({ alt: 'Abgebrochen' }, { fileName: 'kaputt.jpg', type: 'image/jpeg', bytes: whole.subarray(0, Math.floor(whole.length * 0.6)) })
    assert.ok(response.statusCode >= 400 && response.statusCode < 500, `${response.statusCode} ${response.body}`)
    assert.equal(await storedCount(), before)
  })

  it('serves images inline and other files as downloads, with their type, nosniff and long caching', async () => {
    const image = (await upload({ alt: 'Rauschen' }, { fileName: 'rauschen.jpg', type: 'image/jpeg', bytes: await photo(1000, 700) })).json<Uploaded>()
    const served = await test.anonymous({ url: image.path })
    assert.equal(served.headers['content-type'], 'image/jpeg')
    assert.equal(served.headers['x-content-type-options'], 'nosniff')
    assert.equal(served.headers['cache-control'], 'public, max-age=31536000, immutable')
    assert.match(String(served.headers['content-disposition']), /^inline;/)
    assert.match(String(served.headers['content-security-policy']), /img-src 'self' data:;/)
    const again = await test.anonymous({ url: image.path, headers: { 'if-none-match': String(served.headers.etag) } })
    assert.equal(again.statusCode, 304)

    const document = await upload({}, { fileName: 'Bericht 2024.pdf', type: 'application/pdf', bytes: pdf() })
    assert.equal(document.statusCode, 201, document.body)
    const body = document.json<Uploaded>()
    assert.equal(body.markdown, `[Bericht 2024.pdf](${body.path})`)
    const download = await test.anonymous({ url: body.path })
    assert.equal(download.headers['content-type'], 'application/pdf')
    assert.equal(download.headers['content-disposition'], 'attachment; filename="Bericht 2024.pdf"; filename*=UTF-8\'\'Bericht%202024.pdf')
    assert.deepEqual(download.rawPayload, pdf())

    const csv = await upload({}, { fileName: 'zahlen.csv', type: 'text/csv', bytes: Buffer.from('Jahr;Teilnehmende\n2023;41\n') })
    assert.equal(csv.statusCode, 201, csv.body)
    assert.equal((await test.anonymous({ url: csv.json<Uploaded>().path })).headers['content-type'], 'text/csv; charset=utf-8')
  })

  it('refuses a file over the upload limit with 413 and stores nothing', async () => {
    const before = await storedCount()
    const response = await upload({}, { fileName: 'gross.pdf', type: 'application/pdf', bytes: Buffer.concat([pdf(), Buffer.alloc(2 * 1024 * 1024)]) })
    assert.equal(response.statusCode, 413)
    assert.equal(response.json<{ error: string }>().error, 'file-too-large')
    assert.match(response.json<{ message: string }>().message, /2 MB/)
    assert.equal(await storedCount(), before)
  })

  it('follows the upload limit set in the browser without a restart', async () => {
    const bytes = Buffer.concat([pdf(), Buffer.alloc(1024 * 1024)])
    assert.equal((await test.app.inject({ method: 'PUT', url: '/api/settings', payload: { uploadLimitMb: 1 } })).statusCode, 200)
    assert.equal((await upload({}, { fileName: 'mittel.pdf', type: 'application/pdf', bytes })).statusCode, 413)
    assert.equal((await test.app.inject({ method: 'PUT', url: '/api/settings', payload: { uploadLimitMb: 2 } })).statusCode, 200)
    assert.equal((await upload({}, { fileName: 'mittel.pdf', type: 'application/pdf', bytes })).statusCode, 201)
  })

  it('refuses types outside the allow-list with 415 and disguised files with 422', async () => {
    const before = await storedCount()
    const cases: Array<[string, string, Buffer, number, string]> = [
      ['programm.exe', 'application/octet-stream', Buffer.concat([Buffer.from('MZ'), Buffer.alloc(300)]), 415, 'media-type-not-allowed'],
      ['bild.svg', 'image/svg+xml', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), 415, 'media-type-not-allowed'],
      ['seite.html', 'text/html', Buffer.from('<!doctype html><script>alert(1)</script>'), 415, 'media-type-not-allowed'],
      ['foto.jpg', 'image/jpeg', Buffer.from('<!doctype html><script>alert(1)</script>'), 422, 'media-type-mismatch'],
      ['bericht.pdf', 'application/pdf', Buffer.concat([Buffer.from('MZ'), Buffer.alloc(300)]), 422, 'media-type-mismatch'],
      ['foto.png', 'image/png', await photo(40, 40), 422, 'media-type-mismatch'],
      ['foto', 'application/pdf', await photo(40, 40), 422, 'media-type-mismatch'],
      ['notiz.txt', 'text/plain', Buffer.from([0x48, 0x00, 0x01, 0xff, 0xfe]), 422, 'media-type-mismatch']
    ]
    for (const [fileName, type, bytes, status, code] of cases) {
      const response = await upload({ alt: 'x' }, { fileName, type, bytes })
      assert.equal(response.statusCode, status, `${fileName}: ${response.body}`)
      assert.equal(response.json<{ error: string }>().error, code, fileName)
    }
    assert.equal(await storedCount(), before)
  })

  it('refuses an image without alt text', async () => {
    const before = await storedCount()
    for (const alt of [undefined, '   ']) {
      const response = await upload(alt === undefined ? {} : { alt }, { fileName: 'foto.jpg', type: 'image/jpeg', bytes: await photo(60, 40) })
      assert.equal(response.statusCode, 422)
      assert.equal(response.json<{ error: string }>().error, 'alt-text-required')
    }
    assert.equal(await storedCount(), before)
  })

  it('refuses a decompression bomb (an absurd pixel count) without decoding it', async () => {
    const before = await storedCount()
    const response = await upload({ alt: 'Bombe' }, { fileName: 'bombe.png', type: 'image/png', bytes: pixelBomb() })
    assert.equal(response.statusCode, 422, response.body)
    assert.equal(response.json<{ error: string }>().error, 'bad-image')
    assert.equal(await storedCount(), before)
  })

  it('refuses file names with path tricks or control characters', async () => {
    const before = await storedCount()
    for (const fileName of ['../../etc/passwd.pdf', '..\\\\boot.pdf', 'ordner/bericht.pdf', 'bericht\u202Efdp.exe', 'a\u0007b.pdf', '.htaccess']) {
      const response = await upload({}, { fileName, type: 'application/pdf', bytes: pdf() })
      assert.equal(response.statusCode, 422, `${JSON.stringify(fileName)}: ${response.body}`)
      assert.equal(response.json<{ error: string }>().error, 'bad-file-name')
    }
    assert.equal(await storedCount(), before)
  })

  it('answers 400 without a file and 415 for a body that is not multipart', async () => {
    const empty = await upload({ alt: 'nichts' })
    assert.equal(empty.statusCode, 400)
    assert.equal(empty.json<{ error: string }>().error, 'no-file')
    const json = await test.app.inject({ method: 'POST', url: '/api/media', payload: { alt: 'x' } })
    assert.equal(json.statusCode, 415)
  })

  it('takes API tokens, refuses anonymous uploads and browser posts without the form token', async () => {
    const file = { fileName: 'x.pdf', type: 'application/pdf', bytes: pdf() }
    const anonymous = await test.anonymous({ method: 'POST', url: '/api/media', ...multipart({}, file) })
    assert.equal(anonymous.statusCode, 401)
    const admin = test.admin!
    const body = multipart({}, file)
    const withoutToken = await test.anonymous({ method: 'POST', url: '/api/media', payload: body.payload, headers: { ...body.headers, cookie: admin.cookie } })
    assert.equal(withoutToken.statusCode, 403)
    const withFieldToken = multipart({ _csrf: admin.csrfToken }, file)
    const viaField = await test.anonymous({ method: 'POST', url: '/api/media', payload: withFieldToken.payload, headers: { ...withFieldToken.headers, cookie: admin.cookie } })
    assert.equal(viaField.statusCode, 201, viaField.body)
  })
})
