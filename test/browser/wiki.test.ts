import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import path from 'node:path'
import type { Page } from 'playwright-core'
import { outputDir, skip, startBrowserSession, type BrowserSession } from './chromium.ts'

describe('the wiki in a real browser', () => {
  let session: BrowserSession | undefined
  let page: Page
  let base: string

  before(async () => {
    if (skip !== false) return
    session = await startBrowserSession()
    ;({ page, base } = session)
  })

  after(async () => { await session?.close() })

  const screenshot = async (name: string) => {
    await page.screenshot({ path: path.join(outputDir, `wiki-${name}.png`), fullPage: true })
  }

  const replaceBody = async (text: string) => {
    // Keep the front matter the editor offers and replace only the body after it.
    const source = await page.inputValue('#source')
    const frontMatter = /^---\n[\s\S]*?\n---\n/.exec(source)?.[0] ?? ''
    await page.fill('#source', `${frontMatter}${text}\n`)
  }

  it('creates a page, edits it twice, compares revisions and creates a missing linked page', { skip }, async () => {
    await page.goto(`${base}/wiki/new`)
    await page.getByLabel('Titel').fill('Besuchsdienst im Test')
    await replaceBody('Erste Fassung. Siehe [[Ehrenamt gewinnen]].')
    await page.getByRole('button', { name: 'Speichern' }).click()
    await page.waitForURL(`${base}/wiki/besuchsdienst-im-test`)
    assert.equal(await page.locator('h1').textContent(), 'Besuchsdienst im Test')
    await screenshot('1-created')

    await page.getByRole('link', { name: 'Bearbeiten' }).click()
    await replaceBody('Zweite Fassung. Siehe [[Ehrenamt gewinnen]].')
    await page.getByLabel('Kurze Beschreibung der Änderung (optional)').fill('zweite Fassung')
    await page.getByRole('button', { name: 'Speichern' }).click()
    await page.waitForURL(`${base}/wiki/besuchsdienst-im-test`)
    await screenshot('2-edited-once')

    await page.getByRole('link', { name: 'Bearbeiten' }).click()
    await replaceBody('Dritte Fassung mit mehr Text.\n\nSiehe [[Ehrenamt gewinnen]].')
    // A look before saving: the preview shows the page, and the editor keeps the text.
    await page.getByRole('button', { name: 'Vorschau' }).click()
    assert.match(await page.locator('#preview-heading + .notice + article .page-content').innerText(), /Dritte Fassung mit mehr Text/)
    assert.match(await page.inputValue('#source'), /Dritte Fassung mit mehr Text/)
    await screenshot('3a-preview')
    await page.getByRole('button', { name: 'Speichern' }).click()
    await page.waitForURL(`${base}/wiki/besuchsdienst-im-test`)
    assert.match(await page.locator('.page-content').innerText(), /Dritte Fassung/)
    await screenshot('3-edited-twice')

    await page.getByRole('link', { name: 'Versionen' }).click()
    assert.equal(await page.locator('table.history tbody tr').count(), 3)
    await screenshot('4-history')

    await page.getByRole('button', { name: 'Ausgewählte Versionen vergleichen' }).click()
    await page.waitForURL(/\/diff\?/)
    assert.match(await page.locator('tr.diff-removed').first().innerText(), /Zweite Fassung/)
    assert.match(await page.locator('tr.diff-added').first().innerText(), /Dritte Fassung/)
    await screenshot('5-diff')

    await page.goto(`${base}/wiki/besuchsdienst-im-test`)
    const missing = page.locator('a.wiki-link.new', { hasText: 'Ehrenamt gewinnen' })
    assert.equal(await missing.count(), 1)
    await missing.click()
    await page.waitForURL(/\/wiki\/ehrenamt-gewinnen\/edit/)
    assert.match(await page.inputValue('#source'), /title: Ehrenamt gewinnen/)
    await screenshot('6-create-missing')
    await replaceBody('Wie wir Ehrenamtliche gewinnen.')
    await page.getByRole('button', { name: 'Speichern' }).click()
    await page.waitForURL(`${base}/wiki/ehrenamt-gewinnen`)
    assert.equal(await page.locator('h1').textContent(), 'Ehrenamt gewinnen')
    await screenshot('7-created-missing')

    await page.goto(`${base}/wiki/besuchsdienst-im-test`)
    assert.equal(await page.locator('a.wiki-link.new').count(), 0)
    assert.equal(await page.locator('a.wiki-link[href="/wiki/ehrenamt-gewinnen"]').count(), 1)
  })
})
