import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { imagesShown } from '../../src/publishing/images-shown.ts'
import { currentRevision, form, startTestApp, type TestApp } from '../helpers.ts'

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

  it('asks beside the revert button when an old revision brings an image back to an outward page, and reverts once it is confirmed', async () => {
    const withPhoto = await create({ source: source('public', 'Alle: ![Gruppe am Tor](/media/tor.jpg)'), confirmConsent: true })
    assert.equal(withPhoto.statusCode, 201, withPhoto.body)
    const slug = withPhoto.json<{ slug: string }>().slug
    const photoRevision = withPhoto.json<{ revision: string }>().revision
    const removed = await test.app.inject({ method: 'PUT', url: `/api/pages/${slug}`, payload: { source: source('public', 'Alle, ohne Foto.'), baseRevision: photoRevision } })
    assert.equal(removed.statusCode, 200, removed.body)
    const current = await currentRevision(test.app, slug)

    const view = await test.app.inject({ url: `/wiki/${slug}/revisions/${photoRevision}` })
    assert.equal(view.statusCode, 200)
    assert.match(view.body, /id="consent-warning"[\s\S]*<code>\/media\/tor\.jpg<\/code>/)
    assert.match(view.body, /<form method="post" action="\/wiki\/[^"]+\/revert">[\s\S]*<input id="confirmConsent" name="confirmConsent" type="checkbox" value="yes"[\s\S]*<\/form>/)
    const currentView = await test.app.inject({ url: `/wiki/${slug}/revisions/${removed.json<{ revision: string }>().revision}` })
    assert.doesNotMatch(currentView.body, /confirmConsent/, 'the current revision has nothing to revert')

    const revert = async (fields: Record<string, string>) => {
      const { payload, headers } = form({ revision: photoRevision, baseRevision: current, ...fields })
      return await test.app.inject({ method: 'POST', url: `/wiki/${slug}/revert`, payload, headers: { ...headers, accept: 'text/html' } })
    }
    const refused = await revert({})
    assert.equal(refused.statusCode, 422)
    assert.match(refused.body, /id="revert-error"[\s\S]*bestätigen Sie, dass alle Abgebildeten/)
    assert.match(refused.body, /<input id="confirmConsent" name="confirmConsent" type="checkbox" value="yes"/)
    assert.equal(await currentRevision(test.app, slug), current, 'nothing changed')

    const reverted = await revert({ confirmConsent: 'yes' })
    assert.equal(reverted.statusCode, 303, reverted.body.slice(0, 500))
    const page = await test.app.inject({ url: `/api/pages/${slug}` })
    assert.match(page.json<{ source: string }>().source, /!\[Gruppe am Tor\]\(\/media\/tor\.jpg\)/)
  })
})
