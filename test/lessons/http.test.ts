import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { importContent } from '../../src/wiki/content.ts'
import { createPage, currentRevision, form, startTestApp, type TestApp } from '../helpers.ts'
import { contentDir, validLessonSource } from './fixtures.ts'

/** What the guided form posts for a complete, valid lesson. */
function lessonForm (overrides: Record<string, string> = {}): Record<string, string> {
  return {
    title: 'Sprechstunde im Waschsalon',
    summary: 'Beratung dort, wo Menschen warten.',
    programme: 'Beratung vor Ort',
    organisation: 'Quartiersbüro Süd',
    placeName: 'Halle (Saale)',
    lat: '51.48',
    lon: '11.97',
    field: 'Quartiersarbeit',
    periodFrom: '2023-02',
    periodTo: '2023-11',
    outcome: 'mixed',
    impactStep: '3',
    coProduction: 'co-designed',
    evidenceFigure: '140 Gespräche',
    evidenceSource: 'Strichliste',
    evidenceCaveat: 'Zählt Gespräche, nicht Menschen.',
    tags: 'beratung, quartier',
    licence: 'CC-BY-SA-4.0',
    visibility: 'local',
    language: 'de',
    'section-context': 'Der Waschsalon ist der einzige Treffpunkt.',
    'section-learned': 'Ort allein reicht nicht.',
    action: 'save',
    ...overrides
  }
}

describe('lessons over HTTP', () => {
  let test: TestApp
  before(async () => {
    test = await startTestApp()
    const result = await importContent(test.app.wiki, contentDir)
    assert.deepEqual(result.problems, [])
  })
  after(async () => { await test.close() })

  describe('browsing and exports', () => {
    it('lists lessons with facet counts and filters them', async () => {
      const all = await test.app.inject({ url: '/lessons' })
      assert.equal(all.statusCode, 200)
      assert.match(all.body, /12 Lektionen gefunden/)
      assert.doesNotMatch(all.body, /href="\/wiki\/willkommen"/)
      assert.match(all.body, /<option value="fails">gescheitert \(\d+\)<\/option>/)
      const failing = await test.app.inject({ url: '/lessons?outcome=fails&sort=updated' })
      assert.equal(failing.statusCode, 200)
      assert.match(failing.body, /<option value="fails" selected>gescheitert/)
      assert.match(failing.body, /href="\/wiki\/besuchsdienst-in-gruenau-warum-die-ehrenamtlichen-gingen"/)
      assert.doesNotMatch(failing.body, /href="\/wiki\/housing-first-in-cardiff/)
    })

    it('answers the same selection as JSON with facets', async () => {
      const response = await test.app.inject({ url: '/api/lessons?field=Wohnungslosenhilfe&perPage=1' })
      assert.equal(response.statusCode, 200)
      const body = response.json<{ total: number, pageCount: number, lessons: Array<{ field: string, licence: string }>, facets: { field: Array<{ value: string, count: number }> } }>()
      assert.ok(body.total >= 1)
      assert.equal(body.lessons.length, 1)
      assert.equal(body.lessons[0]?.field, 'Wohnungslosenhilfe')
      assert.equal(body.lessons[0]?.licence, 'CC-BY-SA-4.0')
      const altenhilfe = body.facets.field.find(item => item.value === 'Altenhilfe')
      assert.ok(altenhilfe !== undefined && altenhilfe.count >= 1)
    })

    it('answers bad query parameters with 400, never 500', async () => {
      for (const url of ['/lessons?outcome=great', '/lessons?year=20x4', '/lessons?impactStep=9', '/lessons?page=0', '/lessons?perPage=1000', '/lessons?sort=random',
        '/api/lessons?coProduction=always', '/lessons.csv?year=abc', '/lessons.jsonld?outcome=1', '/api/lessons.geojson?impactStep=x', `/lessons?tag=${'x'.repeat(100)}`]) {
        const response = await test.app.inject({ url })
        assert.equal(response.statusCode, 400, url)
      }
      assert.equal((await test.app.inject({ url: '/api/lessons?outcome=great' })).json<{ error: string }>().error, 'invalid-request')
    })

    it('exports the filtered public lessons as CSV', async () => {
      const response = await test.app.inject({ url: '/lessons.csv?outcome=works' })
      assert.equal(response.statusCode, 200)
      assert.match(String(response.headers['content-type']), /^text\/csv; charset=utf-8/)
      assert.ok(response.body.startsWith('\uFEFFurl,title,'))
      const lines = response.body.split('\r\n').filter(line => line.startsWith('http://wiki.test/wiki/'))
      assert.ok(lines.length >= 1)
      assert.ok(lines.every(line => line.includes(',works,')))
    })

    it('exports JSON-LD at /lessons.jsonld and for Accept: application/ld+json', async () => {
      const file = await test.app.inject({ url: '/lessons.jsonld' })
      assert.equal(file.statusCode, 200)
      assert.match(String(file.headers['content-type']), /application\/ld\+json/)
      const body = file.json<{ '@context': string, itemListElement: Array<{ item: { license: string } }> }>()
      assert.equal(body['@context'], 'https://schema.org')
      assert.ok(body.itemListElement.length >= 12)
      assert.ok(body.itemListElement.every(entry => entry.item.license === 'https://creativecommons.org/licenses/by-sa/4.0/'))
      const negotiated = await test.app.inject({ url: '/lessons', headers: { accept: 'application/ld+json' } })
      assert.equal(negotiated.statusCode, 200)
      assert.match(String(negotiated.headers['content-type']), /application\/ld\+json/)
    })

    it('serves GeoJSON of lessons with coordinates', async () => {
      const response = await test.app.inject({ url: '/api/lessons.geojson' })
      assert.equal(response.statusCode, 200)
      assert.match(String(response.headers['content-type']), /application\/geo\+json/)
      const body = response.json<{ type: string, features: Array<{ geometry: { coordinates: [number, number] }, properties: { place: string } }> }>()
      assert.equal(body.type, 'FeatureCollection')
      const cardiff = body.features.find(feature => feature.properties.place === 'Cardiff')
      assert.deepEqual(cardiff?.geometry.coordinates, [-3.179, 51.481])
      for (const feature of body.features) {
        const [lon, lat] = feature.geometry.coordinates
        assert.ok(Math.abs(lon) <= 180 && Math.abs(lat) <= 90)
      }
    })

    it('draws the overview as accessible SVG charts with the numbers in a table', async () => {
      const response = await test.app.inject({ url: '/lessons/overview' })
      assert.equal(response.statusCode, 200)
      assert.equal((response.body.match(/<svg class="outcome-chart" role="img"/g) ?? []).length, 2)
      assert.match(response.body, /<title id="by-field-title">/)
      assert.match(response.body, /<desc id="by-field-desc">/)
      assert.match(response.body, /<th scope="row">Altenhilfe<\/th><td>0<\/td><td>1<\/td><td>0<\/td><td>0<\/td><td>1<\/td>/)
      assert.match(response.body, /fill="url\(#by-field-fails\)"/)
    })

    it('lists lessons by place on the map page and, without a tile URL, draws over the outlines the app serves', async () => {
      const response = await test.app.inject({ url: '/lessons/map' })
      assert.equal(response.statusCode, 200)
      assert.match(response.body, /<h3>Cardiff<\/h3>/)
      assert.match(response.body, /<h3>Leipzig-Grünau<\/h3>/)
      assert.match(response.body, /data-basemap="\/lessons\/map\/basemap.geojson"/)
      assert.doesNotMatch(response.body, /data-tile-url/)
      const basemap = await test.anonymous({ url: '/lessons/map/basemap.geojson' })
      assert.equal(basemap.statusCode, 200)
      const outlines = basemap.json<{ type: string, features: Array<{ geometry: { type: string } }> }>()
      assert.equal(outlines.type, 'FeatureCollection')
      assert.ok(outlines.features.length > 200 && outlines.features.every(feature => /Polygon$/.test(feature.geometry.type)))
    })
  })

  describe('the map with tiles', () => {
    let tiled: TestApp
    before(async () => { tiled = await startTestApp({ MAP_TILE_URL: 'https://tiles.test/{z}/{x}/{y}.png', MAP_TILE_ATTRIBUTION: '© Test' }) })
    after(async () => { await tiled.close() })

    it('loads Leaflet and the map script from the app itself, with no inline script', async () => {
      const response = await tiled.app.inject({ url: '/lessons/map' })
      assert.match(response.body, /data-tile-url="https:\/\/tiles.test\/\{z\}\/\{x\}\/\{y\}.png"/)
      assert.match(response.body, /<script src="\/static\/leaflet\/leaflet.js" defer><\/script>/)
      assert.match(response.body, /<script src="\/static\/lessons-map.js" defer><\/script>/)
      assert.doesNotMatch(response.body, /<script>/)
      for (const url of ['/static/leaflet/leaflet.js', '/static/leaflet/leaflet.css', '/static/lessons-map.js']) {
        assert.equal((await tiled.app.inject({ url })).statusCode, 200, url)
      }
    })
  })

  describe('a lesson written to attack spreadsheets', () => {
    let attacked: TestApp
    before(async () => { attacked = await startTestApp() })
    after(async () => { await attacked.close() })

    it('exports cells that start a formula with a leading quote in CSV, and exactly in JSON', async () => {
      const source = validLessonSource({
        title: '"=cmd|\' /C calc\'!A0"',
        summary: '"+SUM(1+1)"',
        programme: '"-2+3"',
        organisation: '"@HYPERLINK(\'http://evil.test\')"',
        place: '{ name: "=1+1", lat: 51.48, lon: -3.18 }',
        tags: '["+tag"]',
        visibility: 'public'
      })
      const created = await attacked.app.inject({ method: 'POST', url: '/wiki', ...form({ title: 'x', source }) })
      assert.equal(created.statusCode, 303, created.body)
      const csv = await attacked.anonymous({ url: '/lessons.csv' })
      assert.equal(csv.statusCode, 200)
      const row = csv.body.split('\r\n').find(line => line.startsWith('http://wiki.test/wiki/'))
      assert.ok(row !== undefined, csv.body)
      // Coordinates are numbers and stay so, negative or not.
      for (const cell of [",'=cmd|' /C calc'!A0,", ",'+SUM(1+1),", ",'-2+3,", ",'@HYPERLINK('http://evil.test'),", ",'=1+1,51.48,-3.18,", ",'+tag,"]) assert.ok(row.includes(cell), `${cell} in ${row}`)
      const json = await attacked.anonymous({ url: '/api/lessons' })
      const [lesson] = json.json<{ lessons: Array<{ title: string, summary: string, programme: string, organisation: string, place: { name: string, lon: number }, tags: string[] }> }>().lessons
      assert.equal(lesson?.title, "=cmd|' /C calc'!A0")
      assert.equal(lesson?.summary, '+SUM(1+1)')
      assert.equal(lesson?.programme, '-2+3')
      assert.equal(lesson?.organisation, "@HYPERLINK('http://evil.test')")
      assert.deepEqual([lesson?.place.name, lesson?.place.lon, lesson?.tags], ['=1+1', -3.18, ['+tag']])
    })
  })

  describe('the page view', () => {
    it('shows the outcome badge in words and a symbol, the fact box, the evidence table and related lessons', async () => {
      const response = await test.app.inject({ url: '/wiki/besuchsdienst-in-gruenau-warum-die-ehrenamtlichen-gingen' })
      assert.equal(response.statusCode, 200)
      assert.match(response.body, /<span class="outcome-badge outcome-fails"><span class="visually-hidden">Ergebnis: <\/span><span class="outcome-icon" aria-hidden="true">✘<\/span> gescheitert<\/span>/)
      assert.match(response.body, /<dt>Programm<\/dt><dd>Besuchsdienst „Zeit für dich“<\/dd>/)
      assert.match(response.body, /<dt>Zeitraum<\/dt><dd>2023-03 bis 2024-08<\/dd>/)
      assert.match(response.body, /<dt>Erreichte Wirkungsstufe<\/dt><dd>Stufe 3 von 7 \(Output\): Zielgruppen akzeptieren die Angebote<\/dd>/)
      assert.match(response.body, /<dt>Beteiligung der Nutzerinnen und Nutzer<\/dt><dd>befragt<\/dd>/)
      assert.match(response.body, /<td>Einsatzdokumentation der Koordination<\/td>/)
      assert.match(response.body, /id="lesson-related-heading"/)
      assert.match(response.body, /href="\/lessons\/besuchsdienst-in-gruenau-warum-die-ehrenamtlichen-gingen\/edit"/)
      // The body's own "Belege" section and the table of figures must not read as the same part twice.
      const headings = [...response.body.matchAll(/<h2[^>]*>([^<]*)</g)].map(match => match[1]?.trim())
      assert.deepEqual(headings.filter((heading, index) => headings.indexOf(heading) !== index), [])
    })

    it('shows no lesson parts on ordinary pages', async () => {
      const response = await test.app.inject({ url: '/wiki/willkommen' })
      assert.doesNotMatch(response.body, /lesson-facts/)
    })
  })

  describe('the guided form', () => {
    it('offers an empty form with help for each field', async () => {
      const response = await test.app.inject({ url: '/lessons/new' })
      assert.equal(response.statusCode, 200)
      assert.match(response.body, /<form class="lesson-form" method="post" action="\/lessons\/new"/)
      assert.match(response.body, /id="summary-help"/)
      assert.match(response.body, /<option value="Altenhilfe">Altenhilfe<\/option>/)
      assert.match(response.body, /name="section-context"/)
    })

    it('refuses a mistake with a message at the field and keeps everything typed', async () => {
      const response = await test.app.inject({ method: 'POST', url: '/lessons/new', ...form(lessonForm({ periodFrom: '2023-13', periodTo: '2022-01', lat: '99', summary: 'Ä'.repeat(600) })) })
      assert.equal(response.statusCode, 400)
      assert.match(response.body, /id="periodFrom-error"/)
      assert.match(response.body, /id="lat-error"/)
      assert.match(response.body, /id="summary-error">[^<]*500 Zeichen \(jetzt: 600\)/)
      assert.match(response.body, /aria-invalid="true"/)
      assert.match(response.body, /value="2023-13"/)
      assert.match(response.body, /value="Quartiersbüro Süd"/)
      assert.match(response.body, /Der Waschsalon ist der einzige Treffpunkt\./)
      assert.match(response.body, /value="140 Gespräche"/)
      assert.equal((await test.app.inject({ url: '/wiki/sprechstunde-im-waschsalon' })).statusCode, 404)
    })

    it('previews without saving, then saves, and the lesson shows up under its filters and on the map list', async () => {
      const preview = await test.app.inject({ method: 'POST', url: '/lessons/new', ...form(lessonForm({ action: 'preview' })) })
      assert.equal(preview.statusCode, 200)
      assert.match(preview.body, /id="preview-heading"/)
      assert.match(preview.body, /<h2[^>]*>Kontext<\/h2>/)
      assert.equal((await test.app.inject({ url: '/wiki/sprechstunde-im-waschsalon' })).statusCode, 404)

      const saved = await test.app.inject({ method: 'POST', url: '/lessons/new', ...form(lessonForm()) })
      assert.equal(saved.statusCode, 303)
      assert.equal(saved.headers.location, '/wiki/sprechstunde-im-waschsalon')
      const source = (await test.app.inject({ url: '/api/pages/sprechstunde-im-waschsalon' })).json<{ source: string }>().source
      assert.match(source, /^---\ntitle: Sprechstunde im Waschsalon\n/)
      assert.match(source, /\n## Kontext\n\nDer Waschsalon ist der einzige Treffpunkt\.\n/)

      const filtered = await test.app.inject({ url: '/lessons?field=Quartiersarbeit&outcome=mixed&year=2023&impactStep=3&coProduction=co-designed&tag=beratung&place=Halle%20(Saale)' })
      assert.match(filtered.body, /1 Lektion gefunden/)
      assert.match(filtered.body, /href="\/wiki\/sprechstunde-im-waschsalon"/)
      const map = await test.app.inject({ url: '/lessons/map' })
      assert.match(map.body, /<h3>Halle \(Saale\)<\/h3>\s*<ul class="lesson-list">\s*<li lang="de"><a href="\/wiki\/sprechstunde-im-waschsalon">/)
    })

    it('opens an existing lesson with its values and saves changes without losing hand-written parts', async () => {
      const source = validLessonSource({ title: 'Handarbeit', funding: 'Stiftung' }, 'Vorwort.\n\n## Kontext\n\nAlt.\n\n## Eigenes\n\nBleibt.\n')
      const created = await test.app.inject({ method: 'POST', url: '/wiki', ...form({ title: 'Handarbeit', source }) })
      assert.equal(created.statusCode, 303)
      const edit = await test.app.inject({ url: '/lessons/handarbeit/edit' })
      assert.equal(edit.statusCode, 200)
      assert.match(edit.body, /value="Familienzentrum Nord e. V."/)
      assert.match(edit.body, /## Eigenes/)
      const revision = await currentRevision(test.app, 'handarbeit')
      const values = lessonForm({ title: 'Handarbeit', 'section-context': 'Neu.', lead: 'Vorwort.', extra: '## Eigenes\n\nBleibt.', baseRevision: revision, baseSource: source })
      const saved = await test.app.inject({ method: 'POST', url: '/lessons/handarbeit/edit', ...form(values) })
      assert.equal(saved.statusCode, 303)
      const after = (await test.app.inject({ url: '/api/pages/handarbeit' })).json<{ source: string, frontMatter: Record<string, unknown> }>()
      assert.equal(after.frontMatter.funding, 'Stiftung')
      assert.match(after.source, /Vorwort\.\n\n## Kontext\n\nNeu\.\n/)
      assert.match(after.source, /## Eigenes\n\nBleibt\./)
    })

    it('answers a bad form body with 400', async () => {
      const response = await test.app.inject({ method: 'POST', url: '/lessons/new', ...form(lessonForm({ visibility: 'everyone' })) })
      assert.equal(response.statusCode, 400)
    })
  })

  describe('saving through the plain editor', () => {
    it('refuses invalid lesson fields with 400 and a message per field, storing nothing', async () => {
      const source = validLessonSource({ title: 'Kaputt', outcome: 'great', period: '{ from: "2024-05", to: "2023-01" }', place: '{ name: X, lat: 100, lon: 0 }', summary: 'y'.repeat(600) })
      const response = await test.app.inject({ method: 'POST', url: '/wiki', ...form({ title: 'Kaputt', source }) })
      assert.equal(response.statusCode, 400)
      assert.match(response.body, /place\.lat: /)
      assert.match(response.body, /period\.to: Das Ende \(2023-01\) liegt vor dem Beginn \(2024-05\)\./)
      assert.match(response.body, /outcome: /)
      assert.match(response.body, /summary: [^<]*jetzt: 600/)
      assert.equal((await test.app.inject({ url: '/wiki/kaputt' })).statusCode, 404)
    })

    it('refuses a 10 kB summary with 400 naming the summary', async () => {
      const source = validLessonSource({ title: 'Zu lang', summary: 'y'.repeat(10_000) })
      const response = await test.app.inject({ method: 'POST', url: '/wiki', ...form({ title: 'Zu lang', source }) })
      assert.equal(response.statusCode, 400)
      // In the error notice, not merely in the source shown again below it.
      assert.match(response.body, /id="editor-error">\s*<h2>[^<]*<\/h2>\s*<p>[^<]*summary[^<]*<\/p>/)
      assert.equal((await test.app.inject({ url: '/wiki/zu-lang' })).statusCode, 404)
    })

    it('never checks a local draft for personal data', async () => {
      const source = validLessonSource({ title: 'Entwurf mit Namen' }, '## Kontext\n\nKlientin Sabine Meier, Tel. 030 1234567.\n')
      const response = await test.app.inject({ method: 'POST', url: '/wiki', ...form({ title: 'Entwurf mit Namen', source }) })
      assert.equal(response.statusCode, 303)
    })

    it('shows what it found before a page becomes public, and publishes once the author confirms', async () => {
      const slug = 'entwurf-mit-namen'
      const revision = await currentRevision(test.app, slug)
      const source = validLessonSource({ title: 'Entwurf mit Namen', visibility: 'public' }, '## Kontext\n\nKlientin Sabine Meier, Tel. 030 1234567.\n')
      const warned = await test.app.inject({ method: 'POST', url: `/wiki/${slug}`, ...form({ source, baseRevision: revision }) })
      assert.equal(warned.statusCode, 422)
      assert.match(warned.body, /Name einer Person in Zeile \d+: „Klientin Sabine Meier“/)
      assert.match(warned.body, /Telefonnummer in Zeile \d+: „030 1234567“/)
      assert.match(warned.body, /name="confirmPublication" type="checkbox"/)
      assert.match(warned.body, /Klientin Sabine Meier, Tel\. 030 1234567\./)
      assert.equal(await currentRevision(test.app, slug), revision)

      const confirmed = await test.app.inject({ method: 'POST', url: `/wiki/${slug}`, ...form({ source, baseRevision: revision, confirmPublication: 'yes' }) })
      assert.equal(confirmed.statusCode, 303)
    })

    it('checks pages that are not lessons too, and lets the author remove what was found', async () => {
      const risky = '---\ntitle: Notiz\nvisibility: unlisted\n---\nMail an anna.schmidt@example.org\n'
      const warned = await test.app.inject({ method: 'POST', url: '/wiki', ...form({ title: 'Notiz', source: risky }) })
      assert.equal(warned.statusCode, 422)
      assert.match(warned.body, /E-Mail-Adresse in Zeile 5/)
      const cleaned = await test.app.inject({ method: 'POST', url: '/wiki', ...form({ title: 'Notiz', source: risky.replace('anna.schmidt@example.org', 'das Team') }) })
      assert.equal(cleaned.statusCode, 303)
    })

    it('asks again when a revert would publish what a later edit took out', async () => {
      const risky = '---\ntitle: Sprechstunde\nvisibility: public\n---\nFragen an anna.schmidt@example.org\n'
      const created = await test.app.inject({ method: 'POST', url: '/wiki', ...form({ title: 'Sprechstunde', source: risky, confirmPublication: 'yes' }) })
      assert.equal(created.statusCode, 303)
      const withAddress = await currentRevision(test.app, 'sprechstunde')
      const cleaned = await test.app.inject({ method: 'POST', url: '/wiki/sprechstunde', ...form({ source: risky.replace('anna.schmidt@example.org', 'das Team'), baseRevision: withAddress }) })
      assert.equal(cleaned.statusCode, 303)
      const current = await currentRevision(test.app, 'sprechstunde')

      const warned = await test.app.inject({ method: 'POST', url: '/wiki/sprechstunde/revert', ...form({ revision: withAddress, baseRevision: current }) })
      assert.equal(warned.statusCode, 422)
      assert.match(warned.body, /E-Mail-Adresse in Zeile 5: „anna\.schmidt@example\.org“/)
      assert.match(warned.body, /<form method="post" action="\/wiki\/sprechstunde\/revert">[\s\S]*name="confirmPublication" type="checkbox"/)
      assert.equal(await currentRevision(test.app, 'sprechstunde'), current, 'nothing is stored before the author confirms')

      const confirmed = await test.app.inject({ method: 'POST', url: '/wiki/sprechstunde/revert', ...form({ revision: withAddress, baseRevision: current, confirmPublication: 'yes' }) })
      assert.equal(confirmed.statusCode, 303)
      assert.match((await test.app.inject({ url: '/api/pages/sprechstunde' })).json<{ source: string }>().source, /anna\.schmidt@example\.org/)
    })

    it('reverts a local page without asking', async () => {
      const draft = '---\ntitle: Interne Liste\n---\nRückruf an 030 7654321\n'
      assert.equal((await test.app.inject({ method: 'POST', url: '/wiki', ...form({ title: 'Interne Liste', source: draft }) })).statusCode, 303)
      const first = await currentRevision(test.app, 'interne-liste')
      assert.equal((await test.app.inject({ method: 'POST', url: '/wiki/interne-liste', ...form({ source: draft.replace('030 7654321', 'Frau B.'), baseRevision: first }) })).statusCode, 303)
      const reverted = await test.app.inject({ method: 'POST', url: '/wiki/interne-liste/revert', ...form({ revision: first, baseRevision: await currentRevision(test.app, 'interne-liste') }) })
      assert.equal(reverted.statusCode, 303)
    })

    it('asks the guided form for confirmation too', async () => {
      const values = lessonForm({ title: 'Öffentlich mit Adresse', visibility: 'public', 'section-context': 'Treffpunkt Lindenstraße 12.' })
      const warned = await test.app.inject({ method: 'POST', url: '/lessons/new', ...form(values) })
      assert.equal(warned.statusCode, 422)
      assert.match(warned.body, /Anschrift im Feld „Kontext“: „Lindenstraße 12“/)
      assert.match(warned.body, /Treffpunkt Lindenstraße 12\./)
      const confirmed = await test.app.inject({ method: 'POST', url: '/lessons/new', ...form({ ...values, confirmPublication: 'yes' }) })
      assert.equal(confirmed.statusCode, 303)
    })

    it('does not block imports, which are trusted', async () => {
      const { mkdtemp, mkdir, writeFile, rm } = await import('node:fs/promises')
      const os = await import('node:os')
      const path = await import('node:path')
      const dir = await mkdtemp(path.join(os.tmpdir(), 'praxiswiki-import-'))
      await mkdir(path.join(dir, 'de'))
      await writeFile(path.join(dir, 'de', 'importiert.md'), '---\ntitle: Importiert\nvisibility: public\n---\nHerr Schulze, Tel. 0341 1234567\n')
      const result = await importContent(test.app.wiki, dir)
      await rm(dir, { recursive: true, force: true })
      assert.deepEqual(result.problems, [])
      assert.equal(result.created, 1)
    })

    it('answers the JSON error with the findings for API clients, and for programs posting the editor form', async () => {
      const asProgram = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }
      const response = await test.app.inject({ method: 'POST', url: '/wiki', headers: asProgram, payload: new URLSearchParams({ title: 'X', source: validLessonSource({ title: 'X', outcome: 'nope' }) }).toString() })
      assert.equal(response.statusCode, 400)
      assert.equal(response.json<{ error: string }>().error, 'invalid-lesson')
      const badYaml = await test.app.inject({ method: 'POST', url: '/wiki', headers: asProgram, payload: new URLSearchParams({ title: 'X', source: '---\ntitle: [\n---\nText\n' }).toString() })
      assert.equal(badYaml.statusCode, 400)
      assert.equal(badYaml.json<{ error: string }>().error, 'invalid-front-matter')
      const page = await createPage(test.app, 'Formular für Programme', 'Text.')
      const saved = await test.app.inject({ method: 'POST', url: `/wiki/${page.slug}`, headers: asProgram, payload: new URLSearchParams({ source: '---\ntitle: Formular für Programme\nvisibility: public\n---\nMail an anna.schmidt@example.org\n', baseRevision: page.revision }).toString() })
      assert.equal(saved.statusCode, 422)
      assert.equal(saved.json<{ error: string }>().error, 'personal-data-found')
      const api = await test.app.inject({ method: 'POST', url: '/api/pages', payload: { source: validLessonSource({ title: 'X', outcome: 'nope' }) } })
      assert.equal(api.statusCode, 400)
      const refused = api.json<{ error: string, details: string[] }>()
      assert.equal(refused.error, 'invalid-lesson')
      assert.deepEqual(refused.details.map(detail => detail.split(':')[0]), ['outcome'])
      const risky = validLessonSource({ title: 'Y', visibility: 'public' }, '## Kontext\n\nMail an anna.schmidt@example.org\n')
      const found = await test.app.inject({ method: 'POST', url: '/api/pages', payload: { source: risky } })
      assert.equal(found.statusCode, 422)
      assert.equal(found.json<{ error: string }>().error, 'personal-data-found')
      assert.match(found.json<{ details: string[] }>().details.join('\n'), /anna\.schmidt@example\.org/)
      assert.equal((await test.app.inject({ url: '/api/pages/y' })).statusCode, 404)
    })
  })
})
