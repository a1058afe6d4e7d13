import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createPage, currentRevision, form, pageSource, startTestApp, type TestApp } from '../helpers.ts'

describe('pages over HTTP', () => {
  let test: TestApp
  before(async () => { test = await startTestApp() })
  after(async () => { await test.close() })

  it('creates a page from the new-page form and shows it under a slug made from its title', async () => {
    const response = await test.app.inject({ method: 'POST', url: '/wiki', ...form({ title: 'Übergänge gestalten', source: pageSource('Übergänge gestalten', 'Ein **wichtiger** Text.') }) })
    assert.equal(response.statusCode, 303)
    assert.equal(response.headers.location, '/wiki/uebergaenge-gestalten')
    const page = await test.app.inject({ method: 'GET', url: '/wiki/uebergaenge-gestalten' })
    assert.equal(page.statusCode, 200)
    assert.match(page.body, /<h1>Übergänge gestalten<\/h1>/)
    assert.match(page.body, /<strong>wichtiger<\/strong>/)
  })

  it('gives a second page with the same title a numbered slug', async () => {
    await createPage(test.app, 'Doppelt', 'eins')
    const second = await createPage(test.app, 'Doppelt', 'zwei')
    assert.equal(second.slug, 'doppelt-2')
  })

  it('takes the title from the form when the text has no front matter', async () => {
    const response = await test.app.inject({ method: 'POST', url: '/wiki', ...form({ title: 'Ohne Kopfdaten', source: 'Nur Text' }) })
    assert.equal(response.statusCode, 303)
    assert.equal(response.headers.location, '/wiki/ohne-kopfdaten')
  })

  it('refuses a new page without any title with 400 and keeps the text in the form', async () => {
    const response = await test.app.inject({ method: 'POST', url: '/wiki', ...form({ title: '', source: 'Text ohne Titel' }) })
    assert.equal(response.statusCode, 400)
    assert.match(response.body, /Text ohne Titel/)
  })

  it('links existing pages and offers to create missing ones', async () => {
    await createPage(test.app, 'Ziel', 'Ich bin da.')
    const { slug } = await createPage(test.app, 'Quelle', 'Siehe [[Ziel]] und [[Noch nicht da|fehlt]].')
    const page = await test.app.inject({ method: 'GET', url: `/wiki/${slug}` })
    assert.match(page.body, /<a class="wiki-link" href="\/wiki\/ziel">Ziel<\/a>/)
    assert.match(page.body, /<a class="wiki-link new" rel="nofollow" href="\/wiki\/noch-nicht-da\/edit\?title=Noch%20nicht%20da"[^>]*>fehlt<\/a>/)
  })

  it('turns a create link into a normal link once the target exists', async () => {
    const { slug } = await createPage(test.app, 'Vorher', '[[Später angelegt]]')
    assert.match((await test.app.inject({ url: `/wiki/${slug}` })).body, /wiki-link new/)
    const created = await test.app.inject({ method: 'POST', url: '/wiki/spaeter-angelegt', ...form({ source: 'Jetzt da', baseRevision: '' }) })
    assert.equal(created.statusCode, 303)
    assert.doesNotMatch((await test.app.inject({ url: `/wiki/${slug}` })).body, /wiki-link new/)
  })

  it('shows "page not found — create it" for a missing page', async () => {
    const response = await test.app.inject({ method: 'GET', url: '/wiki/gibt-es-nicht' })
    assert.equal(response.statusCode, 404)
    assert.match(response.body, /href="\/wiki\/gibt-es-nicht\/edit"/)
  })

  it('offers an editor prefilled with the title for a missing page', async () => {
    const response = await test.app.inject({ method: 'GET', url: '/wiki/neu-hier/edit?title=Neu%20hier' })
    assert.equal(response.statusCode, 200)
    assert.match(response.body, /title: Neu hier/)
    assert.match(response.body, /<label for="source">/)
  })

  it('edits a page on its current revision and records the revision in the history', async () => {
    const { slug, revision } = await createPage(test.app, 'Bearbeiten', 'Version eins')
    const saved = await test.app.inject({ method: 'POST', url: `/wiki/${slug}`, ...form({ source: pageSource('Bearbeiten', 'Version zwei'), baseRevision: revision, message: 'besser' }) })
    assert.equal(saved.statusCode, 303)
    const page = await test.app.inject({ url: `/wiki/${slug}` })
    assert.match(page.body, /Version zwei/)
    const history = await test.app.inject({ url: `/wiki/${slug}/history` })
    assert.equal(history.statusCode, 200)
    assert.equal((history.body.match(/name="to"/g) ?? []).length, 2)
    assert.match(history.body, /besser/)
  })

  it('writes no revision when the text did not change', async () => {
    const { slug, revision } = await createPage(test.app, 'Gleich', 'Text')
    await test.app.inject({ method: 'POST', url: `/wiki/${slug}`, ...form({ source: pageSource('Gleich', 'Text'), baseRevision: revision }) })
    const revisions = (await test.app.inject({ url: `/api/pages/${slug}/revisions` })).json<{ revisions: unknown[] }>().revisions
    assert.equal(revisions.length, 1)
  })

  it('answers a save on an outdated base with a conflict view and overwrites nothing', async () => {
    const { slug, revision } = await createPage(test.app, 'Konflikt', 'Anfang')
    const first = await test.app.inject({ method: 'POST', url: `/wiki/${slug}`, ...form({ source: pageSource('Konflikt', 'Fassung von Anna'), baseRevision: revision }) })
    assert.equal(first.statusCode, 303)
    const second = await test.app.inject({ method: 'POST', url: `/wiki/${slug}`, ...form({ source: pageSource('Konflikt', 'Fassung von Ben'), baseRevision: revision }) })
    assert.equal(second.statusCode, 409)
    assert.match(second.body, /Fassung von Anna/)
    assert.match(second.body, /Fassung von Ben/)
    assert.match(second.body, /class="diff-removed"/)
    assert.match(second.body, /class="diff-added"/)
    const page = await test.app.inject({ url: `/wiki/${slug}` })
    assert.match(page.body, /Fassung von Anna/)
    assert.doesNotMatch(page.body, /Fassung von Ben/)
    // The conflict form carries the new base, so saving from it succeeds.
    const newBase = /name="baseRevision" value="([0-9a-f]{24})"/.exec(second.body)?.[1]
    assert.equal(newBase, await currentRevision(test.app, slug))
  })

  it('previews a new page without storing it, and keeps what was typed', async () => {
    const source = pageSource('Vorschau einer neuen Seite', '## Ablauf\n\nSiehe [[Gibt es noch nicht]] und **das**.')
    const response = await test.app.inject({ method: 'POST', url: '/wiki', ...form({ title: 'Vorschau einer neuen Seite', source, message: 'erste Fassung', action: 'preview' }) })
    assert.equal(response.statusCode, 200)
    const preview = /<section class="lesson-preview"[\s\S]*?<\/section>/.exec(response.body)?.[0] ?? ''
    assert.match(preview, /<h1>Vorschau einer neuen Seite<\/h1>/)
    assert.match(preview, /<h2 id="ablauf"[^>]*>/)
    assert.match(preview, /<strong>das<\/strong>/)
    assert.match(preview, /class="wiki-link new"[^>]*>Gibt es noch nicht</)
    assert.match(response.body, /<textarea id="source"[^>]*>---/)
    assert.match(response.body, /name="message" type="text" maxlength="500" value="erste Fassung"/)
    assert.equal((await test.app.inject({ url: '/wiki/vorschau-einer-neuen-seite' })).statusCode, 404)
  })

  it('previews an edit without saving it; saving afterwards still meets a conflict', async () => {
    const { slug, revision } = await createPage(test.app, 'Vorschau beim Bearbeiten', 'Alte Fassung.')
    const edited = pageSource('Vorschau beim Bearbeiten', 'Neue Fassung mit E-Mail an anna.schmidt@example.org.', 'visibility: public\n')
    const preview = await test.app.inject({ method: 'POST', url: `/wiki/${slug}`, ...form({ source: edited, baseRevision: revision, action: 'preview' }) })
    assert.equal(preview.statusCode, 200, 'the publishing check waits for the save')
    assert.match(preview.body, /<p>Neue Fassung mit E-Mail/)
    assert.match(preview.body, new RegExp(`name="baseRevision" value="${revision}"`))
    assert.equal(await currentRevision(test.app, slug), revision)
    assert.match((await test.app.inject({ url: `/wiki/${slug}` })).body, /Alte Fassung/)

    await test.app.inject({ method: 'POST', url: `/wiki/${slug}`, ...form({ source: pageSource('Vorschau beim Bearbeiten', 'Jemand anderes.'), baseRevision: revision }) })
    const save = await test.app.inject({ method: 'POST', url: `/wiki/${slug}`, ...form({ source: edited, baseRevision: revision, action: 'save', confirmPublication: 'yes' }) })
    assert.equal(save.statusCode, 409)
  })

  it('shows front matter the save would refuse in the preview too, with 400', async () => {
    const response = await test.app.inject({ method: 'POST', url: '/wiki', ...form({ title: 'Kaputt', source: '---\ntitle: [\n---\nText\n', action: 'preview' }) })
    assert.equal(response.statusCode, 400)
    assert.match(response.body, /id="editor-error"/)
    assert.doesNotMatch(response.body, /class="lesson-preview"/)
    const unknownAction = await test.app.inject({ method: 'POST', url: '/wiki', ...form({ title: 'X', source: 'Text', action: 'publish' }) })
    assert.equal(unknownAction.statusCode, 400)
  })

  it('lets exactly one of two simultaneous saves on the same base win', async () => {
    const { slug, revision } = await createPage(test.app, 'Wettlauf', 'Start')
    const attempts = await Promise.all(['A', 'B', 'C'].map(async name =>
      await test.app.inject({ method: 'POST', url: `/wiki/${slug}`, ...form({ source: pageSource('Wettlauf', `von ${name}`), baseRevision: revision }) })))
    const statuses = attempts.map(response => response.statusCode).sort()
    assert.deepEqual(statuses, [303, 409, 409])
    const revisions = (await test.app.inject({ url: `/api/pages/${slug}/revisions` })).json<{ revisions: unknown[] }>().revisions
    assert.equal(revisions.length, 2)
  })

  it('refuses a save that claims a base on a page that was never created', async () => {
    const response = await test.app.inject({ method: 'POST', url: '/wiki/nie-angelegt', ...form({ source: 'x', baseRevision: '0123456789abcdef01234567' }) })
    assert.equal(response.statusCode, 404)
  })

  it('answers a create on a slug someone created meanwhile with a conflict', async () => {
    await createPage(test.app, 'Zuerst da', 'Original')
    const response = await test.app.inject({ method: 'POST', url: '/wiki/zuerst-da', ...form({ source: 'Meins', baseRevision: '' }) })
    assert.equal(response.statusCode, 409)
    assert.match(response.body, /Original/)
  })

  it('renames a page and redirects the old slug permanently', async () => {
    const { slug, revision } = await createPage(test.app, 'Alter Name', 'Inhalt bleibt', 'tags: [a]\n')
    const renamed = await test.app.inject({ method: 'POST', url: `/wiki/${slug}/rename`, ...form({ title: 'Neuer Name', baseRevision: revision }) })
    assert.equal(renamed.statusCode, 303)
    assert.equal(renamed.headers.location, '/wiki/neuer-name')
    const old = await test.app.inject({ url: '/wiki/alter-name' })
    assert.equal(old.statusCode, 301)
    assert.equal(old.headers.location, '/wiki/neuer-name')
    const page = await test.app.inject({ url: '/api/pages/neuer-name' })
    const json = page.json<{ title: string, tags: string[], markdown: string }>()
    assert.equal(json.title, 'Neuer Name')
    assert.deepEqual(json.tags, ['a'])
    assert.match(json.markdown, /Inhalt bleibt/)
    assert.equal((await test.app.inject({ url: '/wiki/alter-name/history' })).statusCode, 301)
  })

  it('keeps wiki links to the old name working after a rename', async () => {
    const { slug, revision } = await createPage(test.app, 'Umzug', 'x')
    const { slug: linking } = await createPage(test.app, 'Verweist', '[[Umzug]]')
    await test.app.inject({ method: 'POST', url: `/wiki/${slug}/rename`, ...form({ title: 'Umgezogen', baseRevision: revision }) })
    const page = await test.app.inject({ url: `/wiki/${linking}` })
    assert.match(page.body, /<a class="wiki-link" href="\/wiki\/umzug">/)
  })

  it('gives the old slug to a new page that is created under it', async () => {
    const { slug, revision } = await createPage(test.app, 'Frei werden', 'x')
    await test.app.inject({ method: 'POST', url: `/wiki/${slug}/rename`, ...form({ title: 'Anders', baseRevision: revision }) })
    const created = await test.app.inject({ method: 'POST', url: '/wiki/frei-werden', ...form({ source: pageSource('Frei werden', 'neu'), baseRevision: '' }) })
    assert.equal(created.statusCode, 303)
    assert.equal((await test.app.inject({ url: '/wiki/frei-werden' })).statusCode, 200)
  })

  it('turns a save on a renamed page into a conflict instead of a new page', async () => {
    const { slug, revision } = await createPage(test.app, 'Vor Umbenennung', 'x')
    const renamed = await test.app.inject({ method: 'POST', url: `/wiki/${slug}/rename`, ...form({ title: 'Nach Umbenennung', baseRevision: revision }) })
    assert.equal(renamed.statusCode, 303)
    const stale = await test.app.inject({ method: 'POST', url: `/wiki/${slug}`, ...form({ source: 'alt', baseRevision: revision }) })
    assert.equal(stale.statusCode, 409)
    assert.equal((await test.app.inject({ url: `/wiki/${slug}` })).statusCode, 301)
  })

  it('reverts to an earlier revision by writing a new one', async () => {
    const { slug, revision: first } = await createPage(test.app, 'Zurück', 'gut')
    await test.app.inject({ method: 'POST', url: `/wiki/${slug}`, ...form({ source: pageSource('Zurück', 'kaputt'), baseRevision: first }) })
    const current = await currentRevision(test.app, slug)
    const reverted = await test.app.inject({ method: 'POST', url: `/wiki/${slug}/revert`, ...form({ revision: first, baseRevision: current }) })
    assert.equal(reverted.statusCode, 303)
    assert.match((await test.app.inject({ url: `/wiki/${slug}` })).body, /gut/)
    const revisions = (await test.app.inject({ url: `/api/pages/${slug}/revisions` })).json<{ revisions: Array<{ kind: string }> }>().revisions
    assert.deepEqual(revisions.map(revision => revision.kind), ['revert', 'edit', 'create'])
  })

  it('shows any revision and marks whether it is the current one', async () => {
    const { slug, revision: first } = await createPage(test.app, 'Versionen', 'alt')
    await test.app.inject({ method: 'POST', url: `/wiki/${slug}`, ...form({ source: pageSource('Versionen', 'neu'), baseRevision: first }) })
    const old = await test.app.inject({ url: `/wiki/${slug}/revisions/${first}` })
    assert.equal(old.statusCode, 200)
    assert.match(old.body, /<p>alt<\/p>/)
    assert.match(old.body, /action="\/wiki\/versionen\/revert"/)
  })

  it('shows the diff between any two revisions', async () => {
    const { slug, revision: first } = await createPage(test.app, 'Vergleich', 'Zeile A\nZeile B')
    await test.app.inject({ method: 'POST', url: `/wiki/${slug}`, ...form({ source: pageSource('Vergleich', 'Zeile A\nZeile C'), baseRevision: first }) })
    const second = await currentRevision(test.app, slug)
    const diff = await test.app.inject({ url: `/wiki/${slug}/diff?from=${first}&to=${second}` })
    assert.equal(diff.statusCode, 200)
    // The changed word is marked within its line.
    assert.match(diff.body, /<tr class="diff-removed">[\s\S]*?Zeile <del>B<\/del>/)
    assert.match(diff.body, /<tr class="diff-added">[\s\S]*?Zeile <ins>C<\/ins>/)
    const latest = await test.app.inject({ url: `/wiki/${slug}/diff` })
    assert.equal(latest.statusCode, 200)
    assert.match(latest.body, /Zeile <ins>C<\/ins>/)
  })

  it('answers unknown and malformed revision ids with 404', async () => {
    const { slug } = await createPage(test.app, 'Ohne diese Version', 'x')
    for (const id of ['0123456789abcdef01234567', 'nope', '%00', '../../etc']) {
      const response = await test.app.inject({ url: `/wiki/${slug}/revisions/${encodeURIComponent(id)}` })
      assert.equal(response.statusCode, 404, id)
      const diff = await test.app.inject({ url: `/wiki/${slug}/diff?from=${encodeURIComponent(id)}` })
      assert.equal(diff.statusCode, 404, id)
    }
  })

  it('does not show a revision of one page under another page', async () => {
    const { revision } = await createPage(test.app, 'Erste Seite', 'x')
    const { slug } = await createPage(test.app, 'Zweite Seite', 'y')
    assert.equal((await test.app.inject({ url: `/wiki/${slug}/revisions/${revision}` })).statusCode, 404)
  })

  it('deletes softly, keeps the history, and restores', async () => {
    const { slug } = await createPage(test.app, 'Vergänglich', 'bleibt in der Geschichte')
    const confirm = await test.app.inject({ url: `/wiki/${slug}/delete` })
    assert.equal(confirm.statusCode, 200)
    const deleted = await test.app.inject({ method: 'POST', url: `/wiki/${slug}/delete`, ...form({ message: 'veraltet' }) })
    assert.equal(deleted.statusCode, 303)
    const gone = await test.app.inject({ url: `/wiki/${slug}` })
    assert.equal(gone.statusCode, 410)
    assert.match(gone.body, /action="\/wiki\/vergaenglich\/restore"/)
    assert.equal((await test.app.inject({ url: `/wiki/${slug}/history` })).statusCode, 200)
    assert.equal((await test.app.inject({ url: `/api/pages/${slug}` })).statusCode, 410)
    const listed = (await test.app.inject({ url: '/api/pages' })).json<{ pages: Array<{ slug: string }> }>().pages
    assert.ok(!listed.some(page => page.slug === slug))
    const editing = await test.app.inject({ method: 'POST', url: `/wiki/${slug}`, ...form({ source: 'x', baseRevision: '' }) })
    assert.equal(editing.statusCode, 410)
    const restored = await test.app.inject({ method: 'POST', url: `/wiki/${slug}/restore` })
    assert.equal(restored.statusCode, 303)
    const page = await test.app.inject({ url: `/wiki/${slug}` })
    assert.equal(page.statusCode, 200)
    assert.match(page.body, /bleibt in der Geschichte/)
  })

  it('answers 404 for rename, delete and revert of missing pages', async () => {
    assert.equal((await test.app.inject({ url: '/wiki/fehlt/rename' })).statusCode, 404)
    assert.equal((await test.app.inject({ url: '/wiki/fehlt/delete' })).statusCode, 404)
    assert.equal((await test.app.inject({ method: 'POST', url: '/wiki/fehlt/delete', ...form({}) })).statusCode, 404)
    assert.equal((await test.app.inject({ method: 'POST', url: '/wiki/fehlt/revert', ...form({ revision: 'x', baseRevision: 'y' }) })).statusCode, 404)
    assert.equal((await test.app.inject({ url: '/wiki/fehlt/history' })).statusCode, 404)
  })

  it('looks up the first 500 distinct link targets of a page, in slug order, and shows the rest as links to create', async () => {
    await createPage(test.app, 'AA Ziel', 'Text.')
    await createPage(test.app, 'ZZ Ziel', 'Text.')
    const filler = Array.from({ length: 500 }, (_, index) => `[[Fehlt ${String(index).padStart(3, '0')}]]`).join('\n')
    const { slug } = await createPage(test.app, 'Viele Verweise', `[[ZZ Ziel]]\n[[AA Ziel]]\n${filler}`)
    const html = (await test.app.inject({ url: `/wiki/${slug}` })).body
    assert.match(html, /<a class="wiki-link" href="\/wiki\/aa-ziel">AA Ziel<\/a>/)
    assert.match(html, /<a class="wiki-link new" rel="nofollow" href="\/wiki\/zz-ziel\/edit\?title=ZZ%20Ziel"[^>]*>ZZ Ziel<\/a>/)
  })
})
