import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import path from 'node:path'
import type { Page } from 'playwright-core'
import { type TestApp } from '../helpers.ts'
import { validLessonSource } from '../lessons/fixtures.ts'
import { outputDir, skip, startBrowserSession, type BrowserSession } from './chromium.ts'

describe('deciding an edit conflict in a real browser without JavaScript', () => {
  let session: BrowserSession | undefined
  let test: TestApp
  let page: Page
  let base: string

  before(async () => {
    if (skip !== false) return
    session = await startBrowserSession({ javaScriptEnabled: false })
    ;({ test, page, base } = session)
  })

  after(async () => { await session?.close() })

  /** Someone else saves the page while the browser's editor is open. */
  const meanwhile = async (slug: string, change: (source: string) => string) => {
    const current = await test.app.wiki.requirePage(slug)
    await test.app.wiki.savePage(slug, { source: change(current.source), baseRevisionId: current.revisionId.toHexString(), author: 'anna' })
  }

  it('merges a change that does not overlap, and asks part by part where both changed, in the Markdown editor', { skip }, async () => {
    const created = await test.app.wiki.createPage({ source: '---\ntitle: Treffpunkt\n---\nEins.\n\nZwei.\n\nDrei.\n' })
    await page.goto(`${base}/wiki/${created.slug}/edit`)
    await meanwhile(created.slug, source => source.replace('Eins.', 'Eins von Anna.'))
    await page.locator('#source').fill('---\ntitle: Treffpunkt\n---\nEins.\n\nZwei.\n\nDrei von mir.\n')
    await page.getByRole('button', { name: 'Speichern' }).click()
    await page.waitForURL(`${base}/wiki/${created.slug}`)
    assert.match(await page.getByRole('status').textContent() ?? '', /anna hatte „Treffpunkt“ inzwischen geändert/)
    assert.match(await page.locator('.page-content').textContent() ?? '', /Eins von Anna\.[\s\S]*Drei von mir\./)

    await page.goto(`${base}/wiki/${created.slug}/edit`)
    await meanwhile(created.slug, source => source.replace('Zwei.', 'Zwei von Anna.'))
    await page.locator('#source').fill((await page.locator('#source').inputValue()).replace('Zwei.', 'Zwei von mir.'))
    await page.getByLabel('Kurze Beschreibung der Änderung (optional)').fill('Absatz zwei')
    await page.getByRole('button', { name: 'Speichern' }).click()
    const part = page.getByRole('group', { name: 'Stelle 1 von 1: Text ab Zeile 3' })
    assert.equal(await part.locator('pre').first().textContent(), 'Zwei von Anna.')
    assert.equal(await part.locator('pre').last().textContent(), 'Zwei von mir.')
    assert.equal(await page.getByLabel('Kurze Beschreibung der Änderung (optional)').inputValue(), 'Absatz zwei')
    await page.screenshot({ path: path.join(outputDir, 'merge-editor-conflict.png'), fullPage: true })

    // Deciding nothing saves nothing: the browser asks for a choice before sending.
    await page.getByRole('button', { name: 'Mit diesen Entscheidungen speichern' }).click()
    assert.equal(await page.locator('#conflict-parts').count(), 1)
    await part.getByLabel('Den Text im Feld darunter nehmen').check()
    await part.getByLabel('Eigener Text für diese Stelle (anfangs Ihre Fassung)').fill('Zwei von Anna und mir.')
    await page.getByRole('button', { name: 'Mit diesen Entscheidungen speichern' }).click()
    await page.waitForURL(`${base}/wiki/${created.slug}`)
    assert.match(await page.getByRole('status').textContent() ?? '', /ist gespeichert/)
    const saved = await test.app.wiki.requirePage(created.slug)
    assert.equal(saved.source, '---\ntitle: Treffpunkt\n---\nEins von Anna.\n\nZwei von Anna und mir.\n\nDrei von mir.\n')
    const { revisions } = await test.app.wiki.history(created.slug)
    assert.equal(revisions[0]?.message, 'Absatz zwei')
  })

  it('shows a lesson\'s conflicting fields as form fields and saves the choice', { skip }, async () => {
    const created = await test.app.wiki.createPage({ source: validLessonSource({ title: 'Abendkurs im Stadtteil' }, '\n## Kontext\n\nAlter Kontext.\n') })
    await page.goto(`${base}/lessons/${created.slug}/edit`)
    await meanwhile(created.slug, source => source.replace('outcome: fails', 'outcome: mixed').replace('programme: Elternkurs', 'programme: Elternkurs am Abend'))
    await page.getByLabel('Hat es gewirkt? *').selectOption('works')
    await page.getByLabel('Kontext').fill('Neuer Kontext von mir.')
    await page.getByLabel('Kurze Beschreibung der Änderung (freiwillig)').fill('Ergebnis korrigiert')
    await page.getByRole('button', { name: 'Speichern' }).click()

    const part = page.getByRole('group', { name: 'Hat es gewirkt?' })
    assert.equal(await part.locator('.conflict-value').textContent(), 'gemischt')
    assert.equal(await page.locator('.conflict-part').count(), 1, 'only the field both changed')
    assert.equal(await page.getByLabel('Kurze Beschreibung der Änderung (freiwillig)').inputValue(), 'Ergebnis korrigiert')
    assert.doesNotMatch(await page.locator('main').innerText(), /outcome:|programme:/, 'no YAML for someone who used the form')
    await page.screenshot({ path: path.join(outputDir, 'merge-lesson-conflict.png'), fullPage: true })

    await part.getByLabel(/Ihren Wert nehmen/).check()
    await part.getByLabel('Ihr Wert: Hat es gewirkt?').selectOption('mixed')
    await page.getByRole('button', { name: 'Mit diesen Entscheidungen speichern' }).click()
    await page.waitForURL(`${base}/wiki/${created.slug}`)
    const saved = await test.app.wiki.requirePage(created.slug)
    assert.equal(saved.frontMatter.outcome, 'mixed')
    assert.equal(saved.frontMatter.programme, 'Elternkurs am Abend', 'the other person\'s change stays')
    assert.match(saved.source, /## Kontext\n\nNeuer Kontext von mir\./)
  })
})
