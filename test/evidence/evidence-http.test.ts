import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import { startTestApp, type TestApp } from '../helpers.ts'
import { csvRecords } from '../lessons/csv-reader.ts'
import { validLessonSource } from '../lessons/fixtures.ts'

interface EvidenceJson {
  groups: Array<{
    field: string
    counts: Record<'works' | 'fails' | 'mixed' | 'open', number>
    lessons: Array<{ url: string, title: string, origin: string, outcome: string, impactStep: number | null, evidenceRating: number | null, costBand: number | null }>
  }>
}

/** Lessons with known fields: [title, field, outcome, impact step, visibility, tags, extra front matter]. */
const FIXTURE: Array<[string, string, string, string, string, string, Record<string, string>]> = [
  ['Mittagstisch', 'Altenhilfe', 'works', '2', 'public', '[essen]', { evidenceDesign: 'monitoring', participants: '90', costBand: '1', evidence: '[{ figure: "40 Gäste", source: "Liste" }]' }],
  ['Besuchsdienst', 'Altenhilfe', 'fails', '5', 'public', '[ehrenamt]', {}],
  ['Telefonkette', 'Altenhilfe', 'mixed', '', 'public', '[ehrenamt]', {}],
  ['Lernpaten', 'Jugendhilfe', 'works', '4', 'public', '[ehrenamt, schule]', { evidenceDesign: 'randomised', participants: '400', sites: '5', costBand: '3', evidence: '[{ figure: "0,4 Noten", source: "Zeugnisse" }]' }],
  ['Jugendcafé', 'Jugendhilfe', 'open', '1', 'public', '[treff]', {}],
  ['Nur intern', 'Jugendhilfe', 'fails', '3', 'local', '[ehrenamt]', {}],
  ['Nicht gelistet', 'Suchthilfe', 'works', '6', 'unlisted', '[]', {}]
]

/** Counts per field as a researcher would make them from the CSV export. */
function countsFromCsv (csv: string): Record<string, Record<string, number>> {
  const counts: Record<string, Record<string, number>> = {}
  for (const row of csvRecords(csv)) {
    const field = row.field ?? ''
    counts[field] ??= { works: 0, fails: 0, mixed: 0, open: 0 }
    counts[field][row.outcome ?? ''] = (counts[field][row.outcome ?? ''] ?? 0) + 1
  }
  return counts
}

const countsOf = (body: EvidenceJson): Record<string, Record<string, number>> => Object.fromEntries(body.groups.map(group => [group.field, group.counts]))

describe('the evidence view over HTTP', () => {
  let test: TestApp
  before(async () => {
    test = await startTestApp()
    for (const [title, field, outcome, impactStep, visibility, tags, extra] of FIXTURE) {
      const source = validLessonSource({ title, field, outcome, impactStep, visibility, tags, ...extra })
      const created = await test.app.inject({ method: 'POST', url: '/api/pages', payload: { source } })
      assert.equal(created.statusCode, 201, created.body)
    }
  })
  after(async () => { await test.close() })

  it('answers exactly the documented JSON shape, each lesson with its origin, rating and cost band', async () => {
    const response = await test.anonymous({ url: '/api/evidence' })
    assert.equal(response.statusCode, 200)
    const body = response.json<EvidenceJson>()
    assert.deepEqual(Object.keys(body), ['groups'])
    for (const group of body.groups) {
      assert.deepEqual(Object.keys(group), ['field', 'counts', 'lessons'])
      assert.deepEqual(Object.keys(group.counts), ['works', 'fails', 'mixed', 'open'])
      for (const lesson of group.lessons) assert.deepEqual(Object.keys(lesson), ['url', 'title', 'origin', 'outcome', 'impactStep', 'evidenceRating', 'costBand'])
    }
    const lernpaten = body.groups.find(group => group.field === 'Jugendhilfe')?.lessons.find(lesson => lesson.title === 'Lernpaten')
    assert.deepEqual(lernpaten, { url: 'http://wiki.test/wiki/lernpaten', title: 'Lernpaten', origin: 'local', outcome: 'works', impactStep: 4, evidenceRating: 5, costBand: 3 })
    const telefonkette = body.groups.find(group => group.field === 'Altenhilfe')?.lessons.find(lesson => lesson.title === 'Telefonkette')
    assert.deepEqual([telefonkette?.impactStep, telefonkette?.evidenceRating, telefonkette?.costBand], [null, null, null])
  })

  it('counts by outcome what the fixture holds, and what a researcher counts in /lessons.csv', async () => {
    const body = (await test.anonymous({ url: '/api/evidence' })).json<EvidenceJson>()
    assert.deepEqual(countsOf(body), {
      Altenhilfe: { works: 1, fails: 1, mixed: 1, open: 0 },
      Jugendhilfe: { works: 1, fails: 0, mixed: 0, open: 1 }
    })
    assert.deepEqual(countsOf(body), countsFromCsv((await test.anonymous({ url: '/lessons.csv' })).body))
    for (const query of ['tag=ehrenamt', 'field=Altenhilfe', 'field=Jugendhilfe&tag=EHRENAMT', 'tag=nichts']) {
      const filtered = (await test.anonymous({ url: `/api/evidence?${query}` })).json<EvidenceJson>()
      assert.deepEqual(countsOf(filtered), countsFromCsv((await test.anonymous({ url: `/lessons.csv?${query}` })).body), query)
    }
  })

  it('shows signed-in people their own local lessons too', async () => {
    const body = (await test.app.inject({ url: '/api/evidence?field=Jugendhilfe' })).json<EvidenceJson>()
    assert.deepEqual(countsOf(body), { Jugendhilfe: { works: 1, fails: 1, mixed: 0, open: 1 } })
  })

  it('follows a changed outcome and a deleted lesson', async () => {
    const page = (await test.app.inject({ url: '/api/pages/jugendcafe' })).json<{ source: string, revision: string }>()
    const saved = await test.app.inject({ method: 'PUT', url: '/api/pages/jugendcafe', payload: { source: page.source.replace('outcome: open', 'outcome: fails'), baseRevision: page.revision } })
    assert.equal(saved.statusCode, 200, saved.body)
    let body = (await test.anonymous({ url: '/api/evidence?field=Jugendhilfe' })).json<EvidenceJson>()
    assert.deepEqual(countsOf(body), { Jugendhilfe: { works: 1, fails: 1, mixed: 0, open: 0 } })
    assert.equal((await test.app.inject({ method: 'DELETE', url: '/api/pages/jugendcafe' })).statusCode, 200)
    body = (await test.anonymous({ url: '/api/evidence?field=Jugendhilfe' })).json<EvidenceJson>()
    assert.deepEqual(countsOf(body), { Jugendhilfe: { works: 1, fails: 0, mixed: 0, open: 0 } })
  })

  it('answers br and gzip readers with the same JSON, and never with a compressed form from before a change', async () => {
    const read = async (encoding: 'br' | 'gzip' | 'identity'): Promise<EvidenceJson> => {
      const response = await test.anonymous({ url: '/api/evidence?field=Altenhilfe', headers: { 'accept-encoding': encoding } })
      assert.equal(response.statusCode, 200)
      assert.match(String(response.headers.vary), /accept-encoding/i)
      if (encoding === 'identity') return response.json<EvidenceJson>()
      assert.equal(response.headers['content-encoding'], encoding)
      return JSON.parse((encoding === 'br' ? brotliDecompressSync : gunzipSync)(response.rawPayload).toString('utf8')) as EvidenceJson
    }
    const plain = await read('identity')
    assert.deepEqual(await read('br'), plain)
    assert.deepEqual(await read('gzip'), plain)
    assert.deepEqual(await read('br'), plain)
    const page = (await test.app.inject({ url: '/api/pages/telefonkette' })).json<{ source: string, revision: string }>()
    const saved = await test.app.inject({ method: 'PUT', url: '/api/pages/telefonkette', payload: { source: page.source.replace('outcome: mixed', 'outcome: works'), baseRevision: page.revision } })
    assert.equal(saved.statusCode, 200, saved.body)
    for (const encoding of ['br', 'gzip', 'identity'] as const) {
      assert.deepEqual(countsOf(await read(encoding)), { Altenhilfe: { works: 2, fails: 1, mixed: 0, open: 0 } }, encoding)
    }
    const back = await test.app.inject({ method: 'PUT', url: '/api/pages/telefonkette', payload: { source: page.source, baseRevision: saved.json<{ revision: string }>().revision } })
    assert.equal(back.statusCode, 200, back.body)
    assert.deepEqual(await read('br'), plain)
  })

  it('draws the gap map: every field × impact step, gaps named as such', async () => {
    const page = (await test.anonymous({ url: '/evidence' })).body
    const html = page.slice(page.indexOf('<caption id="gap-caption">'))
    const row = (field: string): string => html.match(new RegExp(`<tr><th scope="row">${field}</th>(.*?)</tr>`))?.[1] ?? ''
    const cells = (field: string): string[] => [...row(field).matchAll(/<td[^>]*>(.*?)<\/td>/g)].map(match => match[1] ?? '')
    // Altenhilfe: Mittagstisch at step 2, Besuchsdienst at 5, Telefonkette without a step.
    assert.deepEqual(cells('Altenhilfe'), ['Lücke', '1', 'Lücke', 'Lücke', '1', 'Lücke', 'Lücke', '1'])
    assert.deepEqual(cells('Jugendhilfe'), ['Lücke', 'Lücke', 'Lücke', '1', 'Lücke', 'Lücke', 'Lücke', '0'])
    // A field no public lesson names is one gap from end to end.
    assert.deepEqual(cells('Suchthilfe'), ['Lücke', 'Lücke', 'Lücke', 'Lücke', 'Lücke', 'Lücke', 'Lücke', '0'])
  })

  it('lists each lesson linked, with outcome, step, rating and cost side by side, and a chart with its table', async () => {
    const html = (await test.anonymous({ url: '/evidence?field=Jugendhilfe' })).body
    assert.match(html, /<tr><th scope="row"><a href="http:\/\/wiki.test\/wiki\/lernpaten">Lernpaten<\/a><\/th><td>diese Organisation<\/td><td>wirkt<\/td><td>4<\/td><td><span aria-hidden="true">●●●●●<\/span> 5 von 5<\/td><td>3<\/td><\/tr>/)
    assert.match(html, /<svg class="outcome-chart" role="img"/)
    assert.match(html, /<caption id="evidence-by-field-caption">/)
    assert.match(html, /höchste erreichte Wirkungsstufe: Stufe 4 von 7/)
    assert.doesNotMatch(html, /Nur intern/)
    const english = (await test.anonymous({ url: '/evidence', headers: { 'accept-language': 'en' } })).body
    assert.match(english, /<h1>What works – across all organisations<\/h1>/)
    assert.match(english, />gap</)
  })

  it('answers bad query strings with 400, never 500', async () => {
    for (const url of [`/api/evidence?field=${'x'.repeat(101)}`, `/evidence?tag=${'x'.repeat(61)}`, '/api/evidence?outcome=works', '/evidence?field=a&field=b']) {
      const response = await test.anonymous({ url })
      assert.equal(response.statusCode, 400, url)
    }
  })
})
