import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createPage, form, signIn, startTestApp, type Inject, type TestApp } from '../helpers.ts'

const json = { 'content-type': 'application/json', accept: 'application/json' }

interface SaveAnswer { revision: string, changed: boolean, merged: boolean, mergedWith?: { revision: string, number: number, author: string | null } }
interface ConflictAnswer {
  error: string
  currentRevision: string
  conflicts: Array<{ kind: 'text', bodyLine: number, base: string[], theirs: string[], yours: string[] } | { kind: 'field', field: string, base: unknown, theirs: unknown, yours: unknown }>
}

/** A page of sections, each with one line of its own, so edits of different sections do not touch. */
const sectioned = (title: string, lines: readonly string[], extra = '') =>
  `---\ntitle: ${title}\n${extra}---\n${lines.map((line, index) => `## Abschnitt ${index + 1}\n\n${line}\n`).join('\n')}`

describe('saving on an older revision merges three-way', () => {
  let test: TestApp
  let anna: Inject
  let ben: Inject
  before(async () => {
    test = await startTestApp()
    anna = (await signIn(test.app, test.anonymous, 'anna', 'editor')).inject
    ben = (await signIn(test.app, test.anonymous, 'ben', 'editor')).inject
  })
  after(async () => { await test.close() })

  const put = async (inject: Inject, slug: string, source: string, baseRevision: string, message = '') =>
    await inject({ method: 'PUT', url: `/api/pages/${slug}`, headers: json, payload: JSON.stringify({ source, baseRevision, message }) })

  it('merges two edits of different sections over the API: 200 with "merged": true, both changes kept, the message says so', async () => {
    const lines = ['Erster Abschnitt.', 'Zweiter Abschnitt.', 'Dritter Abschnitt.']
    const { slug, revision } = await createPage(test.app, 'Zusammen', 'x')
    const start = await put(anna, slug, sectioned('Zusammen', lines), revision)
    const base = start.json<SaveAnswer>().revision
    assert.equal((await put(anna, slug, sectioned('Zusammen', ['Von Anna.', lines[1] ?? '', lines[2] ?? '']), base)).statusCode, 200)
    const merged = await put(ben, slug, sectioned('Zusammen', [lines[0] ?? '', lines[1] ?? '', 'Von Ben.']), base, 'dritter Abschnitt')
    assert.equal(merged.statusCode, 200, merged.body)
    const answer = merged.json<SaveAnswer>()
    assert.equal(answer.merged, true)
    assert.equal(answer.changed, true)
    assert.equal(answer.mergedWith?.author, 'anna')
    assert.equal(answer.mergedWith?.number, 3)
    const page = await test.app.wiki.requirePage(slug)
    assert.equal(page.source, sectioned('Zusammen', ['Von Anna.', lines[1] ?? '', 'Von Ben.']))
    const revisions = (await test.app.inject({ url: `/api/pages/${slug}/revisions` })).json<{ revisions: Array<{ message: string, author: string }> }>().revisions
    assert.equal(revisions[0]?.author, 'ben')
    assert.equal(revisions[0]?.message, 'dritter Abschnitt (zusammengeführt mit Version 3 von anna)')
  })

  it('answers overlapping edits with 409 and the conflicting lines of base, theirs and yours, storing nothing', async () => {
    const { slug, revision } = await createPage(test.app, 'Überschneidung', 'Eins.\n\nZwei.\n\nDrei.')
    assert.equal((await put(anna, slug, '---\ntitle: Überschneidung\n---\nEins.\n\nZwei von Anna.\n\nDrei.\n', revision)).statusCode, 200)
    const current = (await test.app.wiki.requirePage(slug)).revisionId.toHexString()
    const refused = await put(ben, slug, '---\ntitle: Überschneidung\n---\nEins, von Ben.\n\nZwei von Ben.\n\nDrei.\n', revision)
    assert.equal(refused.statusCode, 409)
    const answer = refused.json<ConflictAnswer>()
    assert.equal(answer.error, 'edit-conflict')
    assert.equal(answer.currentRevision, current)
    // Ben's first line would merge; only the line both changed is a conflict.
    assert.deepEqual(answer.conflicts, [{ kind: 'text', bodyLine: 3, base: ['Zwei.'], theirs: ['Zwei von Anna.'], yours: ['Zwei von Ben.'] }])
    assert.equal((await test.app.wiki.requirePage(slug)).revisionId.toHexString(), current)
  })

  it('merges front matter field by field: one field each, tags added on both sides, nested place fields; the same field changed twice is a conflict', async () => {
    const front = 'outcome: works\nplace:\n  name: Leipzig\ntags: [jugend]\n'
    const { slug, revision } = await createPage(test.app, 'Felder', 'Text.', front)
    const theirs = '---\ntitle: Felder\noutcome: works\nplace:\n  name: Leipzig\n  lat: 51.34\ntags: [jugend, sport]\nsummary: Von Anna\n---\nText.\n'
    assert.equal((await put(anna, slug, theirs, revision)).statusCode, 200)
    const yours = '---\ntitle: Felder\noutcome: fails\nplace:\n  name: Leipzig-Grünau\ntags: [jugend, schule]\n---\nText.\n'
    const merged = await put(ben, slug, yours, revision)
    assert.equal(merged.statusCode, 200, merged.body)
    const page = await test.app.wiki.requirePage(slug)
    assert.deepEqual(page.frontMatter, { title: 'Felder', outcome: 'fails', place: { name: 'Leipzig-Grünau', lat: 51.34 }, tags: ['jugend', 'sport', 'schule'], summary: 'Von Anna' })

    const again = '---\ntitle: Felder\noutcome: mixed\nplace:\n  name: Leipzig\ntags: [jugend]\n---\nText.\n'
    const refused = await put(anna, slug, again, revision)
    assert.equal(refused.statusCode, 409)
    const fields = refused.json<ConflictAnswer>().conflicts
    assert.deepEqual(fields, [
      { kind: 'field', field: 'outcome', base: 'works', theirs: 'fails', yours: 'mixed' },
      { kind: 'field', field: 'place.name', base: 'Leipzig', theirs: 'Leipzig-Grünau', yours: 'Leipzig' }
    ].filter(conflict => conflict.yours !== conflict.base))
  })

  it('loses no revision and no change in 20 rounds of parallel saves to different sections', async () => {
    const writers = ['anna', 'ben', 'clara', 'dara']
    const injects = await Promise.all(writers.map(async name => (await signIn(test.app, test.anonymous, `race-${name}`, 'editor')).inject))
    let lines = writers.map(name => `Abschnitt von ${name}, Runde 0.`)
    const { slug, revision } = await createPage(test.app, 'Wettlauf in Runden', 'x')
    let base = (await put(injects[0] as Inject, slug, sectioned('Wettlauf in Runden', lines), revision)).json<SaveAnswer>().revision
    const before = (await test.app.inject({ url: `/api/pages/${slug}/revisions` })).json<{ revisions: unknown[] }>().revisions.length
    for (let round = 1; round <= 20; round++) {
      // Everyone starts from the same revision and changes their own section at once.
      const answers = await Promise.all(writers.map(async (name, index) => {
        const own = lines.map((line, section) => section === index ? `Abschnitt von ${name}, Runde ${round}.` : line)
        return await put(injects[index] as Inject, slug, sectioned('Wettlauf in Runden', own), base, `Runde ${round}`)
      }))
      assert.deepEqual(answers.map(answer => answer.statusCode), [200, 200, 200, 200], `round ${round}: ${answers.map(answer => answer.body).join('\n')}`)
      assert.equal(answers.filter(answer => answer.json<SaveAnswer>().merged).length, 3, `round ${round}: all but the first are merged`)
      lines = writers.map(name => `Abschnitt von ${name}, Runde ${round}.`)
      const page = await test.app.wiki.requirePage(slug)
      assert.equal(page.source, sectioned('Wettlauf in Runden', lines), `round ${round}: every section holds its writer's change`)
      base = page.revisionId.toHexString()
    }
    const history = (await test.app.inject({ url: `/api/pages/${slug}/revisions` })).json<{ revisions: Array<{ message: string }> }>().revisions
    assert.equal(history.length, before + 20 * writers.length, 'one revision per save, each in the history')
  })

  it('keeps a plain conflict for a create on a slug that exists (base null)', async () => {
    const { slug } = await createPage(test.app, 'Schon da', 'Original.')
    const refused = await anna({ method: 'PUT', url: `/api/pages/${slug}`, headers: json, payload: JSON.stringify({ source: '---\ntitle: Schon da\n---\nOriginal.\n\nMehr.\n', baseRevision: null }) })
    assert.equal(refused.statusCode, 409)
  })
})

describe('the conflict view without JavaScript', () => {
  let test: TestApp
  before(async () => { test = await startTestApp() })
  after(async () => { await test.close() })

  it('shows each conflicting part with both versions, keeps the change description, and saves the decisions on the current revision', async () => {
    const { slug, revision } = await createPage(test.app, 'Entscheiden', 'Eins.\n\nZwei.\n\nDrei.\n\nVier.', 'outcome: works\n')
    const theirs = '---\ntitle: Entscheiden\noutcome: fails\n---\nEins von Anna.\n\nZwei.\n\nDrei.\n\nVier von Anna.\n'
    assert.equal((await test.app.inject({ method: 'POST', url: `/wiki/${slug}`, ...form({ source: theirs, baseRevision: revision }) })).statusCode, 303)
    const yours = '---\ntitle: Entscheiden\noutcome: mixed\n---\nEins von Ben.\n\nZwei.\n\nDrei von Ben.\n\nVier von Ben.\n'
    const conflict = await test.app.inject({ method: 'POST', url: `/wiki/${slug}`, ...form({ source: yours, baseRevision: revision, message: 'meine Beschreibung' }) })
    assert.equal(conflict.statusCode, 409)
    const body = conflict.body
    assert.equal((body.match(/<fieldset class="conflict-part/g) ?? []).length, 3, 'outcome, first line, last line')
    assert.match(body, /<legend>Stelle 1 von 3: Feld „outcome“<\/legend>/)
    assert.match(body, /<pre class="conflict-text">Eins von Anna.<\/pre>/)
    assert.match(body, /<pre class="conflict-text">Eins von Ben.<\/pre>/)
    assert.match(body, /name="message" type="text" maxlength="500" value="meine Beschreibung"/)
    assert.doesNotMatch(body, /Meine Fassung als neue Version speichern/)
    const current = (await test.app.wiki.requirePage(slug)).revisionId.toHexString()
    assert.match(body, new RegExp(`name="baseRevision" value="${current}"`))

    const fields = {
      mergeBase: /name="mergeBase" value="([^"]*)"/.exec(body)?.[1] ?? '',
      baseRevision: current,
      yours,
      message: 'meine Beschreibung'
    }
    assert.equal(fields.mergeBase, revision)
    // Undecided parts are asked for again, with what was chosen kept.
    const undecided = await test.app.inject({ method: 'POST', url: `/wiki/${slug}/resolve`, ...form({ ...fields, 'choice-0': 'yours', 'text-0': 'mixed', 'text-1': 'Eins von Ben.', 'text-2': 'Vier von Ben.' }) })
    assert.equal(undecided.statusCode, 400)
    assert.match(undecided.body, /Bitte entscheiden Sie bei Stelle 2/)
    assert.match(undecided.body, /id="part-1-yours" name="choice-0" value="yours" checked/)
    assert.equal((await test.app.wiki.requirePage(slug)).revisionId.toHexString(), current)

    const resolved = await test.app.inject({ method: 'POST', url: `/wiki/${slug}/resolve`, ...form({ ...fields, 'choice-0': 'yours', 'text-0': 'mixed', 'choice-1': 'theirs', 'text-1': '', 'choice-2': 'edited', 'text-2': 'Vier von beiden.' }) })
    assert.equal(resolved.statusCode, 303, resolved.body.slice(0, 2000))
    const page = await test.app.wiki.requirePage(slug)
    assert.equal(page.source, '---\ntitle: Entscheiden\noutcome: mixed\n---\nEins von Anna.\n\nZwei.\n\nDrei von Ben.\n\nVier von beiden.\n')
    const revisions = (await test.app.inject({ url: `/api/pages/${slug}/revisions` })).json<{ revisions: Array<{ message: string }> }>().revisions
    assert.equal(revisions[0]?.message, 'meine Beschreibung')
    const shown = await test.app.inject({ url: `/wiki/${slug}` })
    assert.match(shown.body, /<p class="notice success" role="status">Ihre Änderung an „Entscheiden“ ist gespeichert.<\/p>/)
  })

  it('merges a decision made on a revision that changed again meanwhile, or asks again', async () => {
    const { slug, revision } = await createPage(test.app, 'Nochmal', 'Eins.\n\nZwei.\n\nDrei.')
    await test.app.inject({ method: 'POST', url: `/wiki/${slug}`, ...form({ source: '---\ntitle: Nochmal\n---\nEins A.\n\nZwei.\n\nDrei.\n', baseRevision: revision }) })
    const seen = (await test.app.wiki.requirePage(slug)).revisionId.toHexString()
    const yours = '---\ntitle: Nochmal\n---\nEins B.\n\nZwei.\n\nDrei.\n'
    // Someone changes the last line while the conflict view is open.
    await test.app.inject({ method: 'POST', url: `/wiki/${slug}`, ...form({ source: '---\ntitle: Nochmal\n---\nEins A.\n\nZwei.\n\nDrei C.\n', baseRevision: seen }) })
    const resolved = await test.app.inject({ method: 'POST', url: `/wiki/${slug}/resolve`, ...form({ mergeBase: revision, baseRevision: seen, yours, message: '', 'choice-0': 'yours', 'text-0': '' }) })
    assert.equal(resolved.statusCode, 303)
    assert.equal((await test.app.wiki.requirePage(slug)).source, '---\ntitle: Nochmal\n---\nEins B.\n\nZwei.\n\nDrei C.\n')
    const shown = await test.app.inject({ url: `/wiki/${slug}` })
    assert.match(shown.body, /role="status">Gespeichert\. admin hatte „Nochmal“ inzwischen geändert \(Version 3\)/)
  })
})
