import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { validLessonSource } from '../lessons/fixtures.ts'
import { currentRevision, form, startTestApp, type TestApp } from '../helpers.ts'

const EVIDENCE = 'evidence: [{ figure: "3 von 40 Familien kamen", source: "Anwesenheitslisten", caveat: "nur die ersten Abende" }]'

function lessonWith (extra: Record<string, string>): string {
  return validLessonSource(extra).replace('\n---\n', `\n${EVIDENCE}\n---\n`)
}

/** The text of one element with the given class, tags dropped, spaces collapsed. */
function sectionText (html: string, className: string): string {
  const start = html.indexOf(`class="${className}"`)
  if (start === -1) return ''
  // The section may hold sections of its own (the evidence strength): find its own end.
  const tags = /<section\b|<\/section>/g
  tags.lastIndex = start
  let depth = 1
  let end = html.length
  for (let match = tags.exec(html); match !== null; match = tags.exec(html)) {
    depth += match[0] === '</section>' ? -1 : 1
    if (depth === 0) {
      end = match.index
      break
    }
  }
  return html.slice(start, end).replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ')
}

describe('the editor preview, old revisions and the diff header', () => {
  let test: TestApp
  let slug: string
  let firstRevision: string

  before(async () => {
    test = await startTestApp()
    const created = await test.app.inject({ method: 'POST', url: '/wiki', ...form({ title: 'Elternkurs am Abend', source: lessonWith({ programme: 'Elternkurs Alt' }) }) })
    assert.equal(created.statusCode, 303, created.body.slice(0, 400))
    slug = String(created.headers.location).replace('/wiki/', '')
    firstRevision = await currentRevision(test.app, slug)
    const saved = await test.app.inject({ method: 'POST', url: `/wiki/${slug}`, ...form({ source: lessonWith({ programme: 'Elternkurs Neu', outcome: 'works' }), baseRevision: firstRevision, message: 'Neues Programm' }) })
    assert.equal(saved.statusCode, 303, saved.body.slice(0, 400))
  })

  after(async () => { await test.close() })

  it('shows the lesson fact box and evidence table of the text being edited in the preview', async () => {
    const response = await test.app.inject({
      method: 'POST',
      url: `/wiki/${slug}`,
      ...form({ source: lessonWith({ programme: 'Elternkurs Vorschau', outcome: 'mixed' }), baseRevision: await currentRevision(test.app, slug), action: 'preview' })
    })
    assert.equal(response.statusCode, 200)
    const preview = response.body.slice(response.body.indexOf('id="preview-heading"'), response.body.indexOf('<form class="editor"'))
    const facts = sectionText(preview, 'lesson-facts')
    assert.match(facts, /Elternkurs Vorschau/)
    assert.match(facts, /◑/, 'the outcome typed in the preview')
    assert.doesNotMatch(facts, /Elternkurs Neu/, 'the preview shows the text typed, not the stored page')
    assert.match(sectionText(preview, 'lesson-evidence'), /3 von 40 Familien kamen Anwesenheitslisten nur die ersten Abende/)
    assert.doesNotMatch(preview, /\/lessons\/[^"]+\/edit/, 'no link to edit the stored lesson from a preview')
  })

  it('shows the fact box in the preview of a new lesson too', async () => {
    const response = await test.app.inject({ method: 'POST', url: '/wiki', ...form({ title: 'Noch eine Lektion', source: lessonWith({ title: 'Noch eine Lektion', programme: 'Ganz neu' }), action: 'preview' }) })
    assert.equal(response.statusCode, 200)
    assert.match(sectionText(response.body, 'lesson-facts'), /Ganz neu/)
  })

  it('shows the fact box of an old revision as it was then', async () => {
    const response = await test.app.inject({ url: `/wiki/${slug}/revisions/${firstRevision}` })
    assert.equal(response.statusCode, 200)
    const facts = sectionText(response.body, 'lesson-facts')
    assert.match(facts, /Elternkurs Alt/)
    assert.doesNotMatch(facts, /Elternkurs Neu/)
    assert.match(sectionText(response.body, 'lesson-evidence'), /Anwesenheitslisten/)
  })

  it('shows no fact box for a page that is no lesson', async () => {
    const created = await test.app.inject({ method: 'POST', url: '/wiki', ...form({ title: 'Nur Text', source: '---\ntitle: Nur Text\n---\nHallo\n' }) })
    const plain = String(created.headers.location)
    const revision = await currentRevision(test.app, plain.replace('/wiki/', ''))
    const response = await test.app.inject({ url: `${plain}/revisions/${revision}` })
    assert.equal(response.statusCode, 200)
    assert.doesNotMatch(response.body, /lesson-facts/)
  })

  it('gives the times of both revisions in the diff header to the second', async () => {
    const response = await test.app.inject({ url: `/wiki/${slug}/diff`, headers: { 'accept-language': 'en' } })
    assert.equal(response.statusCode, 200)
    const header = /<p class="diff-between">([\s\S]*?)<\/p>/.exec(response.body)?.[1] ?? ''
    const times = [...header.matchAll(/<time datetime="([^"]+)">([^<]+)<\/time>/g)]
    assert.equal(times.length, 2, header)
    for (const [, iso = '', shown = ''] of times) {
      const seconds = String(new Date(iso).getSeconds()).padStart(2, '0')
      assert.match(shown, new RegExp(`\\d{2}:\\d{2}:${seconds}$`), `${shown} names the second of ${iso}`)
    }
  })
})
