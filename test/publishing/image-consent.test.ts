import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { imagesShown } from '../../src/publishing/images-shown.ts'
import { form, startTestApp, type TestApp } from '../helpers.ts'

describe('the images a page shows', () => {
  it('finds Markdown images and img tags, not links', () => {
    const source = [
      'Ein [Link](/wiki/x) und ![Foto vom Fest](/media/abc.jpg "Titel") im Satz.',
      '![](<https://example.org/a b.png>) und [![verlinkt](/media/klein.png)](/media/gross.png)',
      '<img alt="x" src="/media/html.webp"> [nur Text] ](keine) ![offen',
      '![zwei',
      'Zeilen](/media/nicht.jpg)'
    ].join('\n')
    assert.deepEqual(imagesShown(source), ['/media/abc.jpg', 'https://example.org/a', '/media/klein.png', '/media/html.webp'])
  })
})

describe('publishing a page with images asks whether everyone shown agreed', () => {
  let test: TestApp
  before(async () => { test = await startTestApp() })
  after(async () => { await test.close() })

  const source = (visibility: string, body: string) => `---\ntitle: Fest ${visibility}\nvisibility: ${visibility}\n---\n${body}\n`
  const create = async (payload: Record<string, unknown>) => await test.app.inject({ method: 'POST', url: '/api/pages', payload })

  it('refuses a public page with an image through the API until confirmConsent is true', async () => {
    const refused = await create({ source: source('public', 'Alle zusammen: ![Gruppe](/media/gruppe.jpg)') })
    assert.equal(refused.statusCode, 422)
    assert.equal(refused.json<{ error: string }>().error, 'image-consent-required')
    assert.deepEqual(refused.json<{ details: string[] }>().details, ['/media/gruppe.jpg'])
    assert.equal((await test.app.inject({ url: '/api/pages/fest-public' })).statusCode, 404, 'nothing was stored')
    const accepted = await create({ source: source('public', 'Alle zusammen: ![Gruppe](/media/gruppe.jpg)'), confirmConsent: true })
    assert.equal(accepted.statusCode, 201, accepted.body)
  })

  it('does not ask for local pages, nor again for images already published, but for each new one', async () => {
    assert.equal((await create({ source: source('local', '![Gruppe](/media/gruppe.jpg)') })).statusCode, 201)
    const page = await test.app.inject({ url: '/api/pages/fest-public' })
    const revision = page.json<{ revision: string }>().revision
    const sameImage = await test.app.inject({ method: 'PUT', url: '/api/pages/fest-public', payload: { source: source('public', 'Alle zusammen, mit mehr Text: ![Gruppe](/media/gruppe.jpg)'), baseRevision: revision } })
    assert.equal(sameImage.statusCode, 200, sameImage.body)
    const newImage = await test.app.inject({ method: 'PUT', url: '/api/pages/fest-public', payload: { source: source('public', '![Gruppe](/media/gruppe.jpg) ![Tanz](/media/tanz.jpg)'), baseRevision: sameImage.json<{ revision: string }>().revision } })
    assert.equal(newImage.statusCode, 422)
    assert.deepEqual(newImage.json<{ details: string[] }>().details, ['/media/tanz.jpg'])
  })

  it('shows the question with a checkbox in the editor and saves once it is ticked', async () => {
    const fields = { title: 'Fest im Editor', source: source('unlisted', 'Wir: ![Gruppe im Hof](/media/hof.jpg)') }
    const post = async (sent: Record<string, string>) => {
      const { payload, headers } = form(sent)
      return await test.app.inject({ method: 'POST', url: '/wiki', payload, headers: { ...headers, accept: 'text/html' } })
    }
    const asked = await post(fields)
    assert.equal(asked.statusCode, 422)
    assert.match(asked.body, /id="consent-warning"/)
    assert.match(asked.body, /<code>\/media\/hof\.jpg<\/code>/)
    assert.match(asked.body, /<input id="confirmConsent" name="confirmConsent" type="checkbox" value="yes"/)
    const saved = await post({ ...fields, confirmConsent: 'yes' })
    assert.equal(saved.statusCode, 303, saved.body.slice(0, 500))
  })
})
