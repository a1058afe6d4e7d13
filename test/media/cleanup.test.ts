import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { currentRevision, signIn, startTestApp, type TestApp } from '../helpers.ts'
import { multipart, photo } from './fixtures.ts'

interface Uploaded { path: string, markdown: string, variants: Array<{ url: string }> }

describe('cleaning up files no revision refers to', () => {
  let test: TestApp
  before(async () => { test = await startTestApp() })
  after(async () => { await test.close() })

  const upload = async (alt: string): Promise<Uploaded> => {
    const response = await test.app.inject({ method: 'POST', url: '/api/media', ...multipart({ alt }, { fileName: `${alt}.jpg`, type: 'image/jpeg', bytes: await photo(700, 500) }) })
    assert.equal(response.statusCode, 201, response.body)
    return response.json<Uploaded>()
  }
  const status = async (path: string) => (await test.anonymous({ url: path })).statusCode
  const sizesOf = (file: Uploaded) => [file.path, ...file.variants.map(variant => new URL(variant.url).pathname)]

  it('keeps files any revision refers to, the removed ones of older revisions too, and removes the rest', async () => {
    const kept = await upload('alt')
    const unused = await upload('ungenutzt')
    const create = await test.app.inject({ method: 'POST', url: '/api/pages', payload: { source: `---\ntitle: Mit Bild\n---\n${kept.markdown}\n` } })
    assert.equal(create.statusCode, 201, create.body)
    // The current text no longer shows the image; the first revision still does.
    const edit = await test.app.inject({ method: 'PUT', url: '/api/pages/mit-bild', payload: { source: '---\ntitle: Mit Bild\n---\nOhne Bild.\n', baseRevision: await currentRevision(test.app, 'mit-bild') } })
    assert.equal(edit.statusCode, 200, edit.body)

    // Just uploaded: kept for a day, in case it waits in an editor.
    assert.deepEqual((await test.app.inject({ method: 'POST', url: '/api/media/clean', payload: {} })).json(), { removed: [] })

    const listed = await test.app.inject({ url: '/admin/media', headers: { 'accept-language': 'en' } })
    assert.equal(listed.statusCode, 200)
    assert.match(listed.body, /There are no files without a reference/)
    const cleanedByForm = await test.app.inject({ method: 'POST', url: '/admin/media/clean', headers: { 'accept-language': 'en' } })
    assert.equal(cleanedByForm.statusCode, 200)
    assert.match(cleanedByForm.body, /role="status">Files removed: 0\.</)

    const cleaned = await test.app.inject({ method: 'POST', url: '/api/media/clean', payload: { minAgeHours: 0 } })
    assert.deepEqual(cleaned.json(), { removed: [unused.path] })
    for (const path of sizesOf(kept)) assert.equal(await status(path), 200, `${path} is kept`)
    for (const path of sizesOf(unused)) assert.equal(await status(path), 404, `${path} is gone`)
  })

  it('is for admins only', async () => {
    const editor = await signIn(test.app, test.anonymous, 'erika', 'editor')
    assert.equal((await editor.inject({ method: 'POST', url: '/api/media/clean', payload: { minAgeHours: 0 } })).statusCode, 403)
    assert.equal((await editor.inject({ url: '/admin/media' })).statusCode, 403)
  })
})
