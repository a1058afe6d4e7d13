import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { startTestApp, type TestApp } from '../helpers.ts'
import { multipart, pdf } from './fixtures.ts'

describe('malformed upload bodies', () => {
  let test: TestApp
  before(async () => { test = await startTestApp() })
  after(async () => { await test.close() })

  it('answers each with a 4xx and stores nothing', async () => {
    const whole = multipart({ alt: 'x' }, { fileName: 'a.pdf', type: 'application/pdf', bytes: pdf() })
    const boundary = /boundary=(.+)$/.exec(whole.headers['content-type']!)![1]!
    const bodies: Array<[string, string, Buffer]> = [
      ['no boundary', 'multipart/form-data', whole.payload],
      ['cut off', whole.headers['content-type']!, whole.payload.subarray(0, whole.payload.length - 30)],
      ['garbage', whole.headers['content-type']!, Buffer.from('this is not multipart at all')],
      ['two files', whole.headers['content-type']!, Buffer.concat([
        whole.payload.subarray(0, whole.payload.length - `--${boundary}--\r\n`.length),
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="b.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\r\n--${boundary}--\r\n`)
      ])],
      ['unknown field', whole.headers['content-type']!, Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="extra"\r\n\r\ny\r\n`), whole.payload])]
    ]
    for (const [what, type, payload] of bodies) {
      for (const url of ['/api/media', '/media/editor?for=/wiki']) {
        const response = await test.app.inject({ method: 'POST', url, payload, headers: { 'content-type': type } })
        assert.ok(response.statusCode >= 400 && response.statusCode < 500, `${what} to ${url}: ${response.statusCode} ${response.body.slice(0, 200)}`)
      }
    }
    assert.equal(await test.app.store.db.collection('media.files').countDocuments({}), 0)
  })
})
