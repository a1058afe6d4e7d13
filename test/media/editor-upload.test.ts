import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { signInBrowser, startTestApp, type TestApp } from '../helpers.ts'
import { launchChromium, outputDir, skip } from '../browser/chromium.ts'
import { photo } from './fixtures.ts'

describe('uploading from the Markdown editor with JavaScript turned off', () => {
  let test: TestApp
  let browser: Browser
  let context: BrowserContext
  let page: Page
  let base: string

  before(async () => {
    if (skip !== false) return
    await mkdir(outputDir, { recursive: true })
    test = await startTestApp()
    base = await test.app.listen({ port: 0, host: '127.0.0.1' })
    browser = await launchChromium()
    context = await browser.newContext({ javaScriptEnabled: false, locale: 'de-DE', viewport: { width: 1000, height: 900 } })
    page = await context.newPage()
    page.setDefaultTimeout(15_000)
    await signInBrowser(page, base, test.admin!)
  })

  after(async () => {
    await browser?.close()
    await test?.close()
  })

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
})
