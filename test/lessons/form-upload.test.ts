import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { startTestApp, type TestApp } from '../helpers.ts'
import { multipart, pdf, photo, type FilePart } from '../media/fixtures.ts'

/** Everything a person typed into the guided form, with two evidence rows (fields sent twice). */
const typed = {
  title: 'Fotos vom Nachbarschaftsfest',
  summary: 'Ein Fest im Hof brachte Nachbarinnen zusammen, die sich vorher nicht kannten.',
  programme: 'Hoffest',
  organisation: 'Nachbarschaftshaus Ost',
  placeName: 'Magdeburg',
  lat: '52.13',
  lon: '11.62',
  field: 'Quartiersarbeit',
  periodFrom: '2024-06',
  periodTo: '2024-07',
  outcome: 'works',
  impactStep: '',
  coProduction: '',
  evidenceFigure: ['80 Gäste', '12 neue Kontakte'],
  evidenceSource: ['Zählung am Eingang', 'Nachfrage nach vier Wochen'],
  evidenceCaveat: ['Schätzung <ungefähr> & gerundet', ''],
  evidenceDesign: '',
  participants: '',
  sites: '',
  costBand: '',
  tags: 'fest, hof',
  licence: 'CC-BY-SA-4.0',
  visibility: 'local',
  language: 'de',
  lead: '',
  'section-context': 'Im Hof grüßte man sich kaum.',
  'section-approach': '',
  'section-happened': 'Alle brachten etwas zu essen mit.',
  'section-learned': 'Essen verbindet.',
  'section-soWhat': '',
  'section-evidence': '',
  extra: '',
  message: 'Foto vom Fest ergänzt',
  baseRevision: '',
  baseSource: ''
}

const entities: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" }
const unescape = (text: string): string => text.replace(/&(?:amp|lt|gt|quot|#39);/g, entity => entities[entity] ?? entity)
/** The value a text box, text field or choice list shows in the form as the server sent it. */
function shown (html: string, name: string): string {
  const area = new RegExp(`<textarea id="${name}"[^>]*>([\\s\\S]*?)</textarea>`).exec(html)
  if (area !== null) return unescape(area[1] ?? '')
  const select = new RegExp(`<select id="${name}"[^>]*>([\\s\\S]*?)</select>`).exec(html)
  if (select !== null) return unescape(/<option value="([^"]*)" selected>/.exec(select[1] ?? '')?.[1] ?? '')
  const input = new RegExp(`<input id="${name}"[^>]*? value="([^"]*)"`).exec(html)
  if (input !== null) return unescape(input[1] ?? '')
  const hidden = new RegExp(`<input type="hidden" name="${name}" value="([^"]*)"`).exec(html)
  assert.ok(hidden !== null, `no field ${name} in the form`)
  return unescape(hidden[1] ?? '')
}
/** Each evidence row's figure, source and caveat as the form shows them. */
function evidenceShown (html: string): string[][] {
  const rows: string[][] = []
  for (let row = 1; new RegExp(`id="evidenceFigure-${row}"`).test(html); row++) rows.push(['evidenceFigure', 'evidenceSource', 'evidenceCaveat'].map(name => shown(html, `${name}-${row}`)))
  return rows
}

describe('uploading an image or file from the guided lesson form (no JavaScript needed)', () => {
  let test: TestApp
  before(async () => { test = await startTestApp({ UPLOAD_LIMIT_MB: '1' }) })
  after(async () => { await test.close() })

  const storedCount = async () => await test.app.store.db.collection('media.files').countDocuments({})
  const send = async (url: string, fields: Record<string, string | string[]>, file?: FilePart) => {
    const body = multipart(fields, file)
    return await test.app.inject({ method: 'POST', url, payload: body.payload, headers: { ...body.headers, accept: 'text/html' } })
  }

  /** Every field typed above is shown again as it was, but for the box the file went into. */
  const assertKept = (html: string, fields: Record<string, string | string[]>, except: string | null = null) => {
    for (const [name, value] of Object.entries(fields)) {
      if (name.startsWith('media')) continue
      if (name === except || (name.startsWith('evidence') && Array.isArray(value))) continue
      assert.equal(shown(html, name), value, name)
    }
    assert.deepEqual(evidenceShown(html).slice(0, 2), [['80 Gäste', 'Zählung am Eingang', 'Schätzung <ungefähr> & gerundet'], ['12 neue Kontakte', 'Nachfrage nach vier Wochen', '']])
  }

  it('offers a file field, a description and the boxes to insert into, posting the whole form as multipart', async () => {
    const form = await test.app.inject({ url: '/lessons/new', headers: { accept: 'text/html' } })
    assert.equal(form.statusCode, 200)
    assert.match(form.body, /<input id="media-file" name="mediaFile" type="file"/)
    assert.match(form.body, /<input id="media-alt" name="mediaAlt"/)
    assert.match(form.body, /<select id="media-section" name="mediaSection"[^>]*>\s*<option value="" selected>Ende des Berichts<\/option><option value="lead">[^<]+<\/option><option value="section-context">Kontext<\/option>/)
    assert.match(form.body, /<button type="submit" formaction="\/lessons\/new\/upload" formenctype="multipart\/form-data" formnovalidate>Hochladen und einfügen<\/button>/)
  })

  it('stores the photo, puts it at the end of the chosen section and shows every typed field again', async () => {
    const before = await storedCount()
    const response = await send('/lessons/new/upload', { ...typed, mediaAlt: 'Lange Tafel im Hof', mediaSection: 'section-happened' }, { name: 'mediaFile', fileName: 'tafel.jpg', type: 'image/jpeg', bytes: await photo(900, 600) })
    assert.equal(response.statusCode, 200, response.body.slice(0, 500))
    assert.match(response.body, /<p class="notice" role="status" id="media-notice">„tafel\.jpg“ wurde hochgeladen\. Das Bild steht jetzt am Ende von „Was passiert ist und warum“\./)
    assert.match(shown(response.body, 'section-happened'), /^Alle brachten etwas zu essen mit\.\n\n!\[Lange Tafel im Hof\]\(\/media\/[0-9a-f]{64}\.jpg\)$/)
    assertKept(response.body, typed, 'section-happened')
    assert.equal(shown(response.body, 'media-alt'), '', 'the description went with the file')
    assert.equal(shown(response.body, 'media-section'), 'section-happened')
    assert.ok(await storedCount() > before, 'the photo is stored')

    // Saved with the form's own button, the browser sends the file field's name and the box's other fields as text.
    const saved = await test.app.inject({ method: 'POST', url: '/lessons/new', ...formBody({ ...typed, 'section-happened': shown(response.body, 'section-happened'), mediaFile: 'tafel.jpg', mediaAlt: '', mediaSection: 'section-happened', action: 'save' }) })
    assert.equal(saved.statusCode, 303, saved.body.slice(0, 500))
    assert.match((await test.app.inject({ url: String(saved.headers.location) })).body, /<img src="\/media\/[0-9a-f]{64}\.jpg" alt="Lange Tafel im Hof"/)
  })

  it('puts a file at the end of the report when no section is chosen, keeping the revision the form was opened on', async () => {
    const created = await test.app.inject({ method: 'POST', url: '/lessons/new', ...formBody({ ...typed, title: 'Das Fest im Hof', action: 'save' }) })
    assert.equal(created.statusCode, 303, created.body.slice(0, 500))
    const slug = String(created.headers.location).replace('/wiki/', '')
    const page = (await test.app.inject({ url: `/api/pages/${slug}` })).json<{ revision: string, source: string }>()
    const fields = { ...typed, baseRevision: page.revision, baseSource: page.source, mediaAlt: '', mediaSection: '' }
    const response = await send(`/lessons/${slug}/upload`, fields, { name: 'mediaFile', fileName: 'einladung.pdf', type: 'application/pdf', bytes: pdf() })
    assert.equal(response.statusCode, 200, response.body.slice(0, 500))
    assert.match(response.body, /Ein Link darauf steht jetzt am Ende von „Was wir gelernt haben“/)
    assert.match(shown(response.body, 'section-learned'), /^Essen verbindet\.\n\n\[einladung\.pdf\]\(\/media\/[0-9a-f]{64}\.pdf\)$/)
    assert.match(response.body, new RegExp(`formaction="/lessons/${slug}/upload"`))
    assertKept(response.body, fields, 'section-learned')
    assert.ok(page.revision !== '' && page.source.includes('Essen verbindet.'))
  })

  it('refuses a form whose text fields together are larger than any form of the wiki sends, storing nothing', async () => {
    const before = await storedCount()
    const response = await send('/lessons/new/upload', { ...typed, lead: 'a'.repeat(2_000_000), extra: 'b'.repeat(2_000_000), summary: 'c'.repeat(300_000), mediaAlt: 'Tafel' }, { name: 'mediaFile', fileName: 'tafel.jpg', type: 'image/jpeg', bytes: await photo(300, 200) })
    assert.equal(response.statusCode, 413)
    assert.match(response.body, /Das Formular ist zu lang, um es mit einer Datei zu senden/)
    assert.equal(await storedCount(), before, 'nothing stored')
  })

  const refusals: Array<{ name: string, fields: Record<string, string>, file: () => Promise<FilePart> | FilePart, status: number, message: RegExp }> = [
    { name: 'an image without a description', fields: { mediaAlt: '  ' }, file: async () => ({ name: 'mediaFile', fileName: 'fest.jpg', type: 'image/jpeg', bytes: await photo(300, 200) }), status: 422, message: /Bitte beschreiben Sie das Bild/ },
    { name: 'a file of a type the wiki does not take', fields: { mediaAlt: 'Programm' }, file: () => ({ name: 'mediaFile', fileName: 'setup.exe', type: 'application/octet-stream', bytes: Buffer.concat([Buffer.from('MZ'), Buffer.alloc(400, 1)]) }), status: 415, message: /Dieser Dateityp kann nicht hochgeladen werden/ },
    { name: 'a file larger than the upload limit', fields: { mediaAlt: '' }, file: () => ({ name: 'mediaFile', fileName: 'gross.pdf', type: 'application/pdf', bytes: Buffer.concat([pdf(), Buffer.alloc(1024 * 1024 + 10, 32)]) }), status: 413, message: /Die Datei ist zu groß\. Erlaubt sind höchstens 1 MB\./ }
  ]
  for (const refusal of refusals) {
    it(`refuses ${refusal.name} at the file field, stores nothing and keeps every typed field`, async () => {
      const before = await storedCount()
      const response = await send('/lessons/new/upload', { ...typed, mediaSection: 'section-context', ...refusal.fields }, await refusal.file())
      assert.equal(response.statusCode, refusal.status, response.body.slice(0, 500))
      assert.match(response.body, /<p class="notice error" role="alert" id="media-error">/)
      assert.match(/id="media-error">([^<]*)</.exec(response.body)?.[1] ?? '', refusal.message)
      assert.match(response.body, /<input id="media-file"[^>]*aria-describedby="media-help media-error" aria-invalid="true">/)
      assertKept(response.body, typed)
      assert.equal(shown(response.body, 'media-alt'), refusal.fields.mediaAlt)
      assert.equal(shown(response.body, 'media-section'), 'section-context')
      assert.equal(await storedCount(), before, 'nothing stored')
    })
  }
})

function formBody (fields: Record<string, string | string[]>): { payload: string, headers: Record<string, string> } {
  const body = new URLSearchParams()
  for (const [name, values] of Object.entries(fields)) for (const value of Array.isArray(values) ? values : [values]) body.append(name, value)
  return { payload: body.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } }
}
