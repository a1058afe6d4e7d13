import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import sharp from 'sharp'
import { absoluteLinks } from '../../src/federation/articles.ts'
import { createPage, currentRevision, form, pageSource, startTestApp, type TestApp } from '../helpers.ts'
import { multipart, photo } from './fixtures.ts'

describe('stored images are shown in their display sizes (srcset) with their width and height', () => {
  let test: TestApp
  /** The 2000 × 1000 photo's address without its extension: its display sizes add "-<width>". */
  let wide: string
  let small: string
  before(async () => {
    test = await startTestApp()
    const upload = async (width: number, height: number, alt: string) => {
      const response = await test.app.inject({ method: 'POST', url: '/api/media', ...multipart({ alt }, { fileName: 'foto.jpg', type: 'image/jpeg', bytes: await photo(width, height) }) })
      assert.equal(response.statusCode, 201, response.body)
      return response.json<{ path: string }>().path.replace(/\.jpg$/, '')
    }
    wide = await upload(2000, 1000, 'Der ganze Hof')
    small = await upload(300, 200, 'Kleines Plakat')
  })
  after(async () => { await test.close() })

  /** The `<img>` a page shows for this address, as written in the HTML. */
  const imageTag = (html: string, src: string): string => {
    const tag = new RegExp(`<img src="${src.replace(/[.?*+^$[\]\\(){}|-]/g, '\\$&')}"[^>]*>`).exec(html)?.[0]
    assert.ok(tag !== undefined, `no image ${src} in ${html.slice(0, 2000)}`)
    return tag
  }
  const wideTag = () => `<img src="${wide}.jpg" alt="Der ganze Hof" width="2000" height="1000" srcset="${wide}-480.jpg 480w, ${wide}-960.jpg 960w, ${wide}-1600.jpg 1600w, ${wide}.jpg 2000w" sizes="(max-width: 46rem) 100vw, 46rem">`

  it('gives a stored photo width, height and a srcset of its display sizes in the page view, and each size answers as the image it names', async () => {
    const { slug } = await createPage(test.app, 'Hof mit Foto', `Vorher.\n\n![Der ganze Hof](${wide}.jpg)\n\n![Kleines Plakat](${small}.jpg)\n`)
    const view = await test.app.inject({ url: `/wiki/${slug}` })
    assert.equal(view.statusCode, 200)
    assert.equal(imageTag(view.body, `${wide}.jpg`), wideTag())
    assert.equal(imageTag(view.body, `${small}.jpg`), `<img src="${small}.jpg" alt="Kleines Plakat" width="300" height="200">`, 'a photo too small for display sizes keeps its size only')
    assert.match(String(view.headers['content-security-policy']), /img-src 'self' data:;/)

    const srcset = /srcset="([^"]*)"/.exec(imageTag(view.body, `${wide}.jpg`))?.[1] ?? ''
    for (const entry of srcset.split(', ')) {
      const [url, width] = entry.split(' ') as [string, string]
      const served = await test.app.inject({ url })
      assert.equal(served.statusCode, 200, url)
      assert.equal(served.headers['content-type'], 'image/jpeg', url)
      const metadata = await sharp(served.rawPayload).metadata()
      assert.equal(`${metadata.width}w`, width, `${url} is as wide as its srcset entry says`)
      assert.equal(metadata.height, Math.round(metadata.width * 1000 / 2000), `${url} keeps the proportions`)
    }
  })

  it('shows the same in the editor preview and in an old revision', async () => {
    const { slug, revision } = await createPage(test.app, 'Hof im Verlauf', `![Der ganze Hof](${wide}.jpg)\n`)
    const edited = await test.app.inject({ method: 'POST', url: `/wiki/${slug}`, ...form({ source: pageSource('Hof im Verlauf', 'Ohne Foto.'), baseRevision: revision }) })
    assert.equal(edited.statusCode, 303)
    const old = await test.app.inject({ url: `/wiki/${slug}/revisions/${revision}` })
    assert.equal(old.statusCode, 200)
    assert.equal(imageTag(old.body, `${wide}.jpg`), wideTag())

    const preview = await test.app.inject({ method: 'POST', url: `/wiki/${slug}`, ...form({ source: pageSource('Hof im Verlauf', `Wieder mit Foto: ![Der ganze Hof](${wide}.jpg)`), baseRevision: await currentRevision(test.app, slug), action: 'preview' }) })
    assert.equal(preview.statusCode, 200)
    assert.match(preview.body, /id="preview-heading"/)
    assert.equal(imageTag(preview.body, `${wide}.jpg`), wideTag())
  })

  it('shows the same in the guided form\'s preview', async () => {
    const preview = await test.app.inject({ method: 'POST', url: '/lessons/new', ...form({ title: 'Hoffest', summary: 'Ein Fest im Hof.', programme: 'Hoffest', organisation: 'Nachbarschaftshaus', placeName: 'Magdeburg', field: 'Quartiersarbeit', periodFrom: '2024-06', outcome: 'works', 'section-happened': `Alle kamen.\n\n![Der ganze Hof](${wide}.jpg)`, action: 'preview' }) })
    assert.match(preview.body, /id="preview-heading"/, preview.body.slice(0, 500))
    assert.equal(imageTag(preview.body, `${wide}.jpg`), wideTag())
  })

  it('gives the sizes in a long page, which is rendered in the render thread', async () => {
    const long = `${'Ein langer Absatz über das Fest im Hof. '.repeat(1000)}\n\n![Der ganze Hof](${wide}.jpg)\n`
    assert.ok(long.length > 32_000)
    const { slug } = await createPage(test.app, 'Langer Bericht', long)
    assert.equal(imageTag((await test.app.inject({ url: `/wiki/${slug}` })).body, `${wide}.jpg`), wideTag())
  })

  it('renders images that are not stored here as before', async () => {
    const missing = `/media/${'0'.repeat(64)}.jpg`
    const { slug } = await createPage(test.app, 'Fremde Bilder', `![Nicht hier](${missing}) ![Anderswo](https://example.org/bild.jpg) ![Kein Bild](constructor) ![Anzeigegröße](${wide}-480.jpg)\n`)
    const view = await test.app.inject({ url: `/wiki/${slug}` })
    assert.equal(view.statusCode, 200)
    assert.equal(imageTag(view.body, missing), `<img src="${missing}" alt="Nicht hier">`)
    assert.equal(imageTag(view.body, 'https://example.org/bild.jpg'), '<img src="https://example.org/bild.jpg" alt="Anderswo">')
    assert.equal(imageTag(view.body, 'constructor'), '<img src="constructor" alt="Kein Bild">')
    assert.equal(imageTag(view.body, `${wide}-480.jpg`), `<img src="${wide}-480.jpg" alt="Anzeigegröße">`)
  })

  it('makes the display sizes absolute for other servers, as it does with src', () => {
    assert.equal(
      absoluteLinks('<img src="/media/a.jpg" alt="x" srcset="/media/a-480.jpg 480w, /media/a.jpg 900w" sizes="100vw"> <img src="//cdn.example/b.jpg" srcset="https://example.org/c.jpg 2x">', 'https://wiki.example'),
      '<img src="https://wiki.example/media/a.jpg" alt="x" srcset="https://wiki.example/media/a-480.jpg 480w, https://wiki.example/media/a.jpg 900w" sizes="100vw"> <img src="//cdn.example/b.jpg" srcset="https://example.org/c.jpg 2x">'
    )
  })
})
