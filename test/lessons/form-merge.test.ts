import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { valuesFromSource, type LessonFormValues } from '../../src/lessons/form-values.ts'
import { signIn, startTestApp, type Inject, type TestApp } from '../helpers.ts'
import { validLessonSource } from './fixtures.ts'

/** What a browser posts for these values: the guided form's fields, evidence rows repeated. */
function formOf (values: LessonFormValues, extra: Record<string, string> = {}): { payload: string, headers: Record<string, string> } {
  const fields = new URLSearchParams()
  const scalar = ['title', 'summary', 'programme', 'organisation', 'placeName', 'lat', 'lon', 'field', 'periodFrom', 'periodTo', 'outcome', 'impactStep', 'coProduction', 'tags', 'licence', 'visibility', 'language', 'lead', 'extra'] as const
  for (const name of scalar) fields.append(name, values[name])
  for (const [id, text] of Object.entries(values.sections)) fields.append(`section-${id}`, text)
  for (const row of values.evidence) {
    fields.append('evidenceFigure', row.figure)
    fields.append('evidenceSource', row.source)
    fields.append('evidenceCaveat', row.caveat)
  }
  for (const [name, value] of Object.entries(extra)) fields.append(name, value)
  return { payload: fields.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } }
}

const body = '\n## Kontext\n\nAlter Kontext.\n\n## Was wir gelernt haben\n\nAlte Lehre.\n'

describe('the guided form when two people edit one lesson', () => {
  let test: TestApp
  let anna: Inject
  let ben: Inject
  before(async () => {
    test = await startTestApp()
    anna = (await signIn(test.app, test.anonymous, 'anna', 'editor')).inject
    ben = (await signIn(test.app, test.anonymous, 'ben', 'editor')).inject
  })
  after(async () => { await test.close() })

  const start = async (title: string) => {
    const page = await test.app.wiki.createPage({ source: validLessonSource({ title, tags: '[familie]', evidence: '[{ figure: "12 Familien", source: "Liste" }]' }, body) })
    return { slug: page.slug, revision: page.revisionId.toHexString(), source: page.source, values: valuesFromSource(page.source, 'de') }
  }

  it('merges two saves of different fields and sections, front matter field by field, and says so on the page', async () => {
    const lesson = await start('Zwei Hände')
    const annaValues = { ...lesson.values, outcome: 'mixed', tags: 'familie, abend', sections: { ...lesson.values.sections, context: 'Kontext von Anna.' } }
    const first = await anna({ method: 'POST', url: `/lessons/${lesson.slug}/edit`, ...formOf(annaValues, { baseRevision: lesson.revision, baseSource: lesson.source, action: 'save' }) })
    assert.equal(first.statusCode, 303)
    const benValues = { ...lesson.values, summary: 'Zusammenfassung von Ben.', tags: 'familie, winter', evidence: [...lesson.values.evidence, { figure: '3 Abende', source: 'Protokoll', caveat: '' }], sections: { ...lesson.values.sections, learned: 'Lehre von Ben.' } }
    const second = await ben({ method: 'POST', url: `/lessons/${lesson.slug}/edit`, ...formOf(benValues, { baseRevision: lesson.revision, baseSource: lesson.source, action: 'save', message: 'Bens Teil' }) })
    assert.equal(second.statusCode, 303, second.body.slice(0, 1500))
    const page = await test.app.wiki.requirePage(lesson.slug)
    const merged = valuesFromSource(page.source, 'de')
    assert.equal(merged.outcome, 'mixed')
    assert.equal(merged.summary, 'Zusammenfassung von Ben.')
    assert.equal(merged.tags, 'familie, abend, winter')
    assert.deepEqual(merged.evidence, [{ figure: '12 Familien', source: 'Liste', caveat: '' }, { figure: '3 Abende', source: 'Protokoll', caveat: '' }])
    assert.equal(merged.sections.context, 'Kontext von Anna.')
    assert.equal(merged.sections.learned, 'Lehre von Ben.')
    const shown = await ben({ url: `/wiki/${lesson.slug}` })
    assert.match(shown.body, /<p class="notice success" role="status">Gespeichert\. anna hatte „Zwei Hände“ inzwischen geändert \(Version 2\)/)
    const again = await ben({ url: `/wiki/${lesson.slug}` })
    assert.doesNotMatch(again.body, /role="status">Gespeichert/, 'a notice shows once')
  })

  it('shows fields both changed as labelled form fields, never YAML, keeps the change description, and saves the choice', async () => {
    const lesson = await start('Streit ums Ergebnis')
    const annaValues = { ...lesson.values, outcome: 'works', sections: { ...lesson.values.sections, context: 'Kontext von Anna.' } }
    assert.equal((await anna({ method: 'POST', url: `/lessons/${lesson.slug}/edit`, ...formOf(annaValues, { baseRevision: lesson.revision, baseSource: lesson.source, action: 'save' }) })).statusCode, 303)
    const benValues = { ...lesson.values, outcome: 'mixed', programme: 'Elternkurs am Abend', sections: { ...lesson.values.sections, context: 'Kontext von Ben.' } }
    const conflict = await ben({ method: 'POST', url: `/lessons/${lesson.slug}/edit`, ...formOf(benValues, { baseRevision: lesson.revision, baseSource: lesson.source, action: 'save', message: 'Bens Sicht' }) })
    assert.equal(conflict.statusCode, 409)
    const html = conflict.body
    const visible = html.replace(/<input type="hidden"[^>]*>/g, '')
    assert.doesNotMatch(visible, /outcome:|---\n/, 'no YAML outside hidden fields')
    assert.deepEqual([...html.matchAll(/<fieldset class="conflict-part" id="part-([\w-]+)">/g)].map(match => match[1]), ['outcome', 'section-context'])
    assert.match(html, /<legend>Hat es gewirkt\?<\/legend>/)
    assert.match(html, /<div class="conflict-value"[^>]*>wirkt<\/div>/)
    assert.match(html, /<select id="outcome" name="outcome"[\s\S]*?<option value="mixed" selected>/)
    assert.match(html, /<textarea id="section-context" name="section-context"[^>]*>Kontext von Ben.<\/textarea>/)
    assert.match(html, /<input type="hidden" name="programme" value="Elternkurs am Abend">/, 'the change only Ben made goes along')
    assert.match(html, /name="message" type="text" maxlength="500" value="Bens Sicht"/)
    const current = (await test.app.wiki.requirePage(lesson.slug)).revisionId.toHexString()
    assert.match(html, new RegExp(`name="baseRevision" value="${current}"`))

    const decided = { ...benValues, outcome: 'mixed', sections: { ...benValues.sections, context: 'Kontext von Ben, mit Annas Punkt.' } }
    const undecided = await ben({ method: 'POST', url: `/lessons/${lesson.slug}/resolve`, ...formOf(decided, { baseRevision: current, baseSource: '', conflictFields: 'outcome,section-context', 'choice-outcome': 'theirs', action: 'save', message: 'Bens Sicht' }) })
    assert.equal(undecided.statusCode, 400)
    assert.match(undecided.body, /id="choice-outcome-theirs" name="choice-outcome" value="theirs" required checked/)
    assert.equal((await test.app.wiki.requirePage(lesson.slug)).revisionId.toHexString(), current)

    const resolved = await ben({ method: 'POST', url: `/lessons/${lesson.slug}/resolve`, ...formOf(decided, { baseRevision: current, baseSource: '', conflictFields: 'outcome,section-context', 'choice-outcome': 'theirs', 'choice-section-context': 'yours', action: 'save', message: 'Bens Sicht' }) })
    assert.equal(resolved.statusCode, 303, resolved.body.slice(0, 1500))
    const page = await test.app.wiki.requirePage(lesson.slug)
    const saved = valuesFromSource(page.source, 'de')
    assert.equal(saved.outcome, 'works', 'Anna\'s value, as chosen')
    assert.equal(saved.programme, 'Elternkurs am Abend')
    assert.equal(saved.sections.context, 'Kontext von Ben, mit Annas Punkt.')
    const revisions = (await ben({ url: `/api/pages/${lesson.slug}/revisions` })).json<{ revisions: Array<{ message: string, author: string }> }>().revisions
    assert.deepEqual(revisions[0], { ...revisions[0], message: 'Bens Sicht', author: 'ben' })
  })
})
