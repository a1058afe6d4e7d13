import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { signInBrowser, type TestApp } from '../helpers.ts'
import { outputDir, skip, startBrowserSession, type BrowserSession } from '../browser/chromium.ts'
import { photo } from './fixtures.ts'

/** The little of the page's DOM the drop test uses (this project's TypeScript has no DOM library). */
interface DropGlobals {
  document: { getElementById: (id: string) => { dispatchEvent: (event: unknown) => boolean } }
  DataTransfer: new () => { items: { add: (file: unknown) => void } }
  File: new (parts: unknown[], name: string, options: { type: string }) => unknown
  DragEvent: new (type: string, init: Record<string, unknown>) => unknown
}

describe('uploading from the Markdown editor: without JavaScript, and by drag and drop with it', () => {
  let session: BrowserSession | undefined
  let test: TestApp
  let browser: Browser
  let page: Page
  let base: string

  before(async () => {
    if (skip !== false) return
    session = await startBrowserSession({ javaScriptEnabled: false, viewport: { width: 1000, height: 900 } })
    ;({ test, browser, page, base } = session)
  })

  after(async () => { await session?.close() })

  it('inserts the uploaded photo into the text, keeps what was typed, and saves the page with it', { skip }, async () => {
    await page.goto(`${base}/wiki/new`)
    await page.getByLabel('Titel').fill('Sommerfest im Quartier')
    const source = await page.inputValue('#source')
    const typed = `${source.replace(/\s*$/, '')}\n\nWir haben gemeinsam gekocht.\n`
    await page.fill('#source', typed)
    await page.getByLabel('Kurze Beschreibung der Änderung (optional)').fill('mit Foto')

    // Without alt text the photo is refused at the field, and nothing typed is lost.
    await page.setInputFiles('#media-file', { name: 'fest.jpg', mimeType: 'image/jpeg', buffer: await photo(900, 600) })
    await page.getByRole('button', { name: 'Hochladen und einfügen' }).click()
    await page.waitForSelector('#media-error')
    assert.match(await page.locator('#media-error').textContent() ?? '', /Bildbeschreibung/)
    assert.equal(await page.getAttribute('#media-file', 'aria-invalid'), 'true')
    assert.equal(await page.inputValue('#source'), typed)
    assert.equal(await page.inputValue('#title'), 'Sommerfest im Quartier')

    await page.setInputFiles('#media-file', { name: 'fest.jpg', mimeType: 'image/jpeg', buffer: await photo(900, 600) })
    await page.getByLabel(/^Bildbeschreibung/).fill('Lange Tafel mit Nachbarinnen und Nachbarn')
    await page.getByRole('button', { name: 'Hochladen und einfügen' }).click()
    await page.waitForSelector('#media-notice')
    await page.screenshot({ path: path.join(outputDir, 'media-editor-upload.png'), fullPage: true })
    const withImage = await page.inputValue('#source')
    assert.ok(withImage.startsWith(typed.trimEnd()), 'the typed text is kept')
    const inserted = /!\[Lange Tafel mit Nachbarinnen und Nachbarn\]\((\/media\/[0-9a-f]{64}\.jpg)\)\n$/.exec(withImage)
    assert.ok(inserted, withImage)
    assert.equal(await page.inputValue('#title'), 'Sommerfest im Quartier')
    assert.equal(await page.inputValue('#message'), 'mit Foto')

    await page.getByRole('button', { name: 'Speichern' }).click()
    await page.waitForURL(`${base}/wiki/sommerfest-im-quartier`)
    const image = page.locator('.page-content img')
    assert.equal(await image.getAttribute('src'), inserted[1])
    assert.equal(await image.getAttribute('alt'), 'Lange Tafel mit Nachbarinnen und Nachbarn')
    const served = await page.request.get(`${base}${inserted[1]}`)
    assert.equal(served.status(), 200)
    assert.equal(served.headers()['content-type'], 'image/jpeg')
  })

  it('uploads a file dropped on the text with JavaScript on, and puts its Markdown at the cursor', { skip }, async () => {
    const scripted = await browser.newContext({ locale: 'de-DE', viewport: { width: 1000, height: 900 } })
    const page = await scripted.newPage()
    page.setDefaultTimeout(15_000)
    const violations: string[] = []
    page.on('console', message => { if (/Content Security Policy/i.test(message.text())) violations.push(message.text()) })
    await signInBrowser(page, base, test.admin!)
    await page.goto(`${base}/wiki/new`)
    await page.fill('#source', 'Erste Zeile.\nZweite Zeile.')
    // Run in the page: its own DOM, described here only as far as used.
    await page.evaluate(() => {
      const text = (globalThis as unknown as DropGlobals).document.getElementById('source') as unknown as { selectionStart: number, selectionEnd: number }
      text.selectionStart = text.selectionEnd = 'Erste Zeile.'.length
    })
    await page.getByLabel(/^Bildbeschreibung/).fill('Plakat zum Fest')
    const bytes = [...await photo(300, 200)]
    await page.evaluate(async (content) => {
      const page = globalThis as unknown as DropGlobals
      const transfer = new page.DataTransfer()
      transfer.items.add(new page.File([new Uint8Array(content)], 'plakat.jpg', { type: 'image/jpeg' }))
      page.document.getElementById('source').dispatchEvent(new page.DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }))
    }, bytes)
    await page.waitForFunction(() => /!\[Plakat zum Fest\]\(\/media\/[0-9a-f]{64}\.jpg\)/.test(((globalThis as unknown as DropGlobals).document.getElementById('source') as unknown as { value: string }).value))
    assert.match(await page.inputValue('#source'), /^Erste Zeile\.\n\n!\[Plakat zum Fest\]\(\/media\/[0-9a-f]{64}\.jpg\)\n\nZweite Zeile\.$/)
    assert.match(await page.locator('[data-media-upload] [role="status"]').first().textContent() ?? '', /eingefügt/)
    assert.deepEqual(violations, [])
    await scripted.close()
  })
})
