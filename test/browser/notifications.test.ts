import assert from 'node:assert/strict'
import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import { eventually } from '../federation/instances.ts'
import { startTestApp, TEST_PASSWORD, type TestApp } from '../helpers.ts'
import { axeViolations, launchChromium, outputDir, skip } from './chromium.ts'

interface PageGlobals {
  document: unknown
  DOMParser: new () => { parseFromString: (text: string, type: string) => { documentElement: { localName: string, namespaceURI: string | null }, getElementsByTagName: (name: string) => ArrayLike<{ textContent: string | null }> } }
}

describe('the notifications pages in a real browser', { skip }, () => {
  let test: TestApp
  let browser: Browser
  let page: Page
  let base: string

  before(async () => {
    await mkdir(outputDir, { recursive: true })
    test = await startTestApp()
    await test.app.auth.accounts.create({ username: 'alice', password: TEST_PASSWORD, role: 'editor' })
    base = await test.app.listen({ port: 0, host: '127.0.0.1' })
    browser = await launchChromium()
    const context = await browser.newContext({ locale: 'de-DE', viewport: { width: 1100, height: 900 }, bypassCSP: true })
    page = await context.newPage()
    page.setDefaultTimeout(15_000)
    await page.goto(`${base}/login`)
    await page.fill('#username', 'alice')
    await page.fill('#password', TEST_PASSWORD)
    await page.locator('main form button[type="submit"]').click()
    await page.waitForURL(url => url.pathname !== '/login')
  })
  after(async () => {
    await browser?.close()
    await test?.close()
  })

  const axe = async (name: string): Promise<void> => {
    const violations = await axeViolations(page)
    await page.screenshot({ path: path.join(outputDir, `notifications-${name}.png`), fullPage: true })
    assert.deepEqual(violations, [], name)
  }

  it('watches a page with its button, shows the unread count in the link, and passes axe on the notifications pages', async () => {
    const created = await test.app.wiki.createPage({ source: '---\ntitle: Erzählcafé\n---\nEinmal im Monat.\n', author: 'admin' })
    await page.goto(`${base}/wiki/${created.slug}`)
    await page.getByRole('button', { name: 'Diese Seite beobachten' }).click()
    await page.waitForURL(`${base}/wiki/${created.slug}`)
    assert.equal(await page.getByRole('button', { name: 'Diese Seite nicht mehr beobachten' }).count(), 1)

    await test.app.wiki.savePage(created.slug, { source: '---\ntitle: Erzählcafé\n---\nJeden ersten Montag.\n', baseRevisionId: created.revisionId.toHexString(), author: 'admin' })
    await eventually(async () => await test.app.store.db.collection('notifications').countDocuments({ recipient: 'alice' }) === 1, 5000, 'alice told')
    await page.goto(`${base}/`)
    // Screen readers read the count as part of the link's name.
    assert.equal(await page.getByRole('link', { name: 'Benachrichtigungen (1 ungelesen)' }).count(), 1)
    await page.getByRole('link', { name: 'Benachrichtigungen (1 ungelesen)' }).click()
    await page.waitForURL(`${base}/notifications`)
    await axe('list')
    await page.getByRole('button', { name: /^Als gelesen markieren\s*: admin hat „Erzählcafé“ bearbeitet\.$/ }).click()
    await page.waitForURL(`${base}/notifications`)
    assert.equal(await page.getByRole('link', { name: 'Benachrichtigungen', exact: true }).count(), 1)
    await axe('read')

    await page.getByRole('link', { name: 'Was ich beobachte, E-Mail und Feed' }).click()
    await page.getByRole('button', { name: 'Feed-Adresse erstellen' }).click()
    await axe('watching')
    const feedUrl = (await page.locator('code.secret').textContent() ?? '').replace('http://wiki.test', base)
    const feed = await (await fetch(feedUrl)).text()
    // The browser's own XML parser reads the feed: a well-formed Atom document with the entry.
    const parsed = await page.evaluate((text) => {
      const { DOMParser } = globalThis as unknown as PageGlobals
      const document = new DOMParser().parseFromString(text, 'application/xml')
      return { root: document.documentElement.localName, namespace: document.documentElement.namespaceURI, errors: document.getElementsByTagName('parsererror').length, titles: Array.from(document.getElementsByTagName('title')).map(title => title.textContent) }
    }, feed)
    assert.deepEqual(parsed, { root: 'feed', namespace: 'http://www.w3.org/2005/Atom', errors: 0, titles: ['Benachrichtigungen für alice – Praxiswiki', 'admin hat „Erzählcafé“ bearbeitet.'] })
  })
})
