import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import path from 'node:path'
import type { Page } from 'playwright-core'
import { outputDir, skip, startBrowserSession, type BrowserSession } from '../browser/chromium.ts'

describe('the guided lesson form in a real browser', () => {
  let session: BrowserSession | undefined
  let page: Page
  let base: string

  before(async () => {
    if (skip !== false) return
    // No JavaScript: the form must work without it.
    session = await startBrowserSession({ javaScriptEnabled: false })
    ;({ page, base } = session)
  })

  after(async () => { await session?.close() })

  it('fills the form with a mistake, corrects it, previews, saves, and finds the lesson under its filters and on the map list', { skip }, async () => {
    await page.goto(`${base}/lessons/new`)
    await page.getByLabel('Titel *').fill('Spieletreff im Stadtteil')
    await page.getByLabel('Zusammenfassung *').fill('Ein offener Spieletreff brachte Generationen zusammen.')
    await page.getByLabel('Programm oder Projekt *').fill('Spieletreff')
    await page.getByLabel('Organisation *').fill('Stadtteilladen West')
    await page.getByLabel('Ort *').fill('Dessau')
    await page.getByLabel('Geografische Breite').fill('51.83')
    await page.getByLabel('Geografische Länge').fill('12.24')
    await page.getByLabel('Arbeitsfeld *').selectOption('Quartiersarbeit')
    await page.getByLabel('Beginn *').fill('2024-13')
    await page.getByLabel('Hat es gewirkt? *').selectOption('works')
    await page.getByLabel('Kontext').fill('Viele Ältere und viele Kinder, aber kein gemeinsamer Ort.')
    await page.getByRole('button', { name: 'Speichern' }).click()

    assert.match(await page.locator('#periodFrom-error').textContent() ?? '', /Jahr und Monat/)
    assert.equal(await page.getByLabel('Organisation *').inputValue(), 'Stadtteilladen West')
    await page.screenshot({ path: path.join(outputDir, 'lesson-1-mistake.png'), fullPage: true })

    await page.getByLabel('Beginn *').fill('2024-03')
    await page.getByRole('button', { name: 'Vorschau' }).click()
    assert.equal(await page.locator('#preview-heading').count(), 1)
    assert.match(await page.locator('.lesson-preview').textContent() ?? '', /Viele Ältere und viele Kinder/)
    await page.screenshot({ path: path.join(outputDir, 'lesson-2-preview.png'), fullPage: true })

    await page.getByRole('button', { name: 'Speichern' }).click()
    await page.waitForURL(`${base}/wiki/spieletreff-im-stadtteil`)
    assert.match(await page.locator('.outcome-badge').first().textContent() ?? '', /wirkt/)
    await page.screenshot({ path: path.join(outputDir, 'lesson-3-saved.png'), fullPage: true })

    await page.goto(`${base}/lessons`)
    await page.getByLabel('Arbeitsfeld').selectOption('Quartiersarbeit')
    await page.getByLabel('Ergebnis').selectOption('works')
    await page.getByRole('button', { name: 'Filter anwenden' }).click()
    assert.equal(await page.locator('.lesson-list a[href="/wiki/spieletreff-im-stadtteil"]').count(), 1)

    await page.goto(`${base}/lessons/map`)
    assert.equal(await page.locator('h3', { hasText: 'Dessau' }).count(), 1)
    assert.equal(await page.locator('.lessons-by-place a[href="/wiki/spieletreff-im-stadtteil"]').count(), 1)
  })
})
