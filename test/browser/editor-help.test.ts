import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdir, readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import path from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { signInBrowser, startTestApp, type TestApp } from '../helpers.ts'
import { launchChromium, outputDir, skip } from './chromium.ts'

const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']

interface AxeViolation { id: string, help: string, nodes: Array<{ target: unknown[] }> }
interface AxeGlobals { axe: { run: (context: unknown, options: unknown) => Promise<{ violations: AxeViolation[] }> }, document: unknown }

describe('editing help in a real browser: toolbar and wiki link completion', () => {
  let test: TestApp
  let browser: Browser
  let page: Page
  let base: string
  let axeSource: string
  const errors: string[] = []

  before(async () => {
    if (skip !== false) return
    await mkdir(outputDir, { recursive: true })
    axeSource = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')
    test = await startTestApp()
    await test.app.wiki.createPage({ source: '---\ntitle: Ehrenamt gewinnen\nvisibility: public\n---\nText.\n' })
    await test.app.wiki.createPage({ source: '---\ntitle: Besuchsdienst durch Ehrenamtliche\nvisibility: public\n---\nText.\n' })
    await test.app.wiki.createPage({ source: '---\ntitle: Ehrensache intern\n---\nNur für Angemeldete.\n' })
    base = await test.app.listen({ port: 0, host: '127.0.0.1' })
    browser = await launchChromium()
    // The site's own CSP stays on: the editing help must run as a file, without inline scripts.
    page = await browser.newPage({ locale: 'de-DE', viewport: { width: 1100, height: 900 } })
    page.setDefaultTimeout(15_000)
    // Script errors and CSP refusals; the browser's own favicon request may fail without harm.
    page.on('console', message => { if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) errors.push(message.text()) })
    page.on('response', response => { if (response.status() >= 400 && !response.url().endsWith('/favicon.ico')) errors.push(`${response.status()} ${response.url()}`) })
    page.on('pageerror', error => { errors.push(error.message) })
    if (test.admin !== null) await signInBrowser(page, base, test.admin)
  })

  after(async () => {
    await browser?.close()
    await test?.close()
  })

  const screenshot = async (name: string) => {
    await page.screenshot({ path: path.join(outputDir, `editor-help-${name}.png`), fullPage: true })
  }

  /** Empties the text area and types into it as a person would. */
  const typeInto = async (text: string) => {
    await page.fill('#source', '')
    await page.locator('#source').pressSequentially(text)
  }

  it('shows a toolbar that formats the selection and is used with the keyboard', { skip }, async () => {
    await page.goto(`${base}/wiki/new`)
    const toolbar = page.getByRole('toolbar', { name: 'Formatieren' })
    await toolbar.waitFor({ state: 'visible' })
    await page.fill('#source', 'wichtig')
    await page.locator('#source').selectText()
    await toolbar.getByRole('button', { name: 'Fett' }).click()
    assert.equal(await page.inputValue('#source'), '**wichtig**')

    await page.fill('#source', 'Erste Zeile\nZweite Zeile')
    await page.locator('#source').evaluate((element: { setSelectionRange: (from: number, to: number) => void }) => { element.setSelectionRange(0, 24) })
    await toolbar.getByRole('button', { name: 'Liste' }).click()
    assert.equal(await page.inputValue('#source'), '- Erste Zeile\n- Zweite Zeile')

    await page.fill('#source', 'Kontext')
    await toolbar.getByRole('button', { name: 'Überschrift' }).click()
    assert.equal(await page.inputValue('#source'), '## Kontext')

    await page.fill('#source', '')
    await toolbar.getByRole('button', { name: 'Tabelle' }).click()
    assert.equal(await page.inputValue('#source'), '| Spalte 1 | Spalte 2 |\n| --- | --- |\n|  |  |\n')

    // One tab stop for the whole toolbar; arrow keys, Home and End move within it.
    await page.getByLabel('Titel').focus()
    await page.keyboard.press('Tab')
    const focused = async () => await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { textContent: string } | null } }).document.activeElement?.textContent?.trim())
    const focusedId = async () => await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } | null } }).document.activeElement?.id)
    assert.equal(await focused(), 'Fett')
    await page.keyboard.press('Tab')
    assert.equal(await focusedId(), 'source', 'the toolbar is one tab stop')
    await page.keyboard.press('Shift+Tab')
    assert.equal(await focused(), 'Fett')
    await page.keyboard.press('ArrowRight')
    assert.equal(await focused(), 'Kursiv')
    await page.keyboard.press('End')
    assert.equal(await focused(), 'Tabelle')
    await page.keyboard.press('ArrowRight')
    assert.equal(await focused(), 'Fett', 'the arrow wraps around')
    await page.keyboard.press('ArrowRight')
    await page.keyboard.press('Tab')
    assert.equal(await focusedId(), 'source', 'Tab leaves the toolbar for the text area')
    await page.keyboard.press('Shift+Tab')
    assert.equal(await focused(), 'Kursiv', 'coming back lands on the button last used')
    await page.fill('#source', 'Text')
    await page.locator('#source').selectText()
    await page.keyboard.press('Control+I')
    assert.equal(await page.inputValue('#source'), '_Text_')
    assert.deepEqual(errors, [])
    await screenshot('toolbar')
  })

  it('completes a [[wiki link]] from the page titles, after the combobox pattern', { skip }, async () => {
    await page.goto(`${base}/wiki/new`)
    await typeInto('Siehe [[Ehren')
    const list = page.getByRole('listbox', { name: 'Seiten für den Wiki-Link' })
    await list.waitFor({ state: 'visible' })
    const options = list.getByRole('option')
    await page.waitForFunction(() => (globalThis as unknown as { document: { querySelectorAll: (selector: string) => ArrayLike<unknown> } }).document.querySelectorAll('#wiki-link-suggestions [role="option"]').length === 3)
    // Titles starting with what was typed come first; the signed-in editor sees the local page too.
    assert.deepEqual(await options.allTextContents(), ['Ehrenamt gewinnen', 'Ehrensache intern', 'Besuchsdienst durch Ehrenamtliche'])
    assert.match(await page.locator('#wiki-link-status').textContent() ?? '', /Gefundene Seiten: 3/)
    assert.equal(await page.getAttribute('#source', 'aria-controls'), 'wiki-link-suggestions')
    assert.equal(await page.getAttribute('#source', 'aria-autocomplete'), 'list')
    await page.keyboard.press('ArrowDown')
    assert.equal(await page.getAttribute('#source', 'aria-activedescendant'), 'wiki-link-suggestion-0')
    assert.equal(await options.nth(0).getAttribute('aria-selected'), 'true')
    await page.keyboard.press('ArrowDown')
    await page.keyboard.press('ArrowUp')
    await screenshot('completion')
    await page.keyboard.press('Enter')
    assert.equal(await page.inputValue('#source'), 'Siehe [[Ehrenamt gewinnen]]')
    assert.equal(await list.isVisible(), false)
    assert.equal(await page.getAttribute('#source', 'aria-activedescendant'), null)

    // Escape closes the list and leaves the text as typed.
    await typeInto('[[Besuch')
    await list.waitFor({ state: 'visible' })
    await page.keyboard.press('Escape')
    assert.equal(await list.isVisible(), false)
    assert.equal(await page.inputValue('#source'), '[[Besuch')

    // A click takes a suggestion too.
    await typeInto('[[Besuch')
    await list.getByRole('option', { name: 'Besuchsdienst durch Ehrenamtliche' }).click()
    assert.equal(await page.inputValue('#source'), '[[Besuchsdienst durch Ehrenamtliche]]')
    assert.deepEqual(errors, [])
  })

  it('has no accessibility violations on the editor with the toolbar and an open suggestion list', { skip }, async () => {
    await page.goto(`${base}/wiki/new`)
    await typeInto('[[Ehren')
    await page.getByRole('option').first().waitFor({ state: 'visible' })
    await page.keyboard.press('ArrowDown')
    // Evaluated through the browser's debugging protocol, which the page's CSP does not govern.
    await page.evaluate(axeSource)
    const violations = await page.evaluate(async (tags) => {
      const { axe, document } = globalThis as unknown as AxeGlobals
      const result = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] })
      return result.violations.map(violation => ({ id: violation.id, help: violation.help, nodes: violation.nodes.map(node => ({ target: node.target })) }))
    }, WCAG_TAGS)
    assert.deepEqual(violations, [])
  })

  it('keeps the editor working without JavaScript: no toolbar, and a page with a wiki link saves', { skip }, async () => {
    const context = await browser.newContext({ locale: 'de-DE', javaScriptEnabled: false })
    try {
      const plain = await context.newPage()
      if (test.admin !== null) await signInBrowser(plain, base, test.admin)
      await plain.goto(`${base}/wiki/new`)
      assert.equal(await plain.getByRole('toolbar').count(), 0, 'the hidden toolbar is not offered')
      assert.equal(await plain.locator('#wiki-link-suggestions').isVisible(), false)
      await plain.getByLabel('Titel').fill('Ohne Skript')
      const source = await plain.inputValue('#source')
      await plain.fill('#source', `${source}Siehe [[Ehrenamt gewinnen]].\n`)
      await plain.getByRole('button', { name: 'Speichern' }).click()
      await plain.waitForURL(`${base}/wiki/ohne-skript`)
      assert.equal(await plain.getByRole('link', { name: 'Ehrenamt gewinnen' }).getAttribute('href'), '/wiki/ehrenamt-gewinnen')
    } finally {
      await context.close()
    }
  })
})
