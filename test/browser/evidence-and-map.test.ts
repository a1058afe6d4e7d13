import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { after, before, describe, it } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import { startTestApp, type TestApp } from '../helpers.ts'
import { validLessonSource } from '../lessons/fixtures.ts'
import { launchChromium, skip } from './chromium.ts'

const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']
const EDITOR = { username: 'karte', password: 'eine-lange-passphrase-fuer-die-karte' }

/** The little of the page's globals these checks use; the tests compile without the DOM library. */
interface PageGlobals {
  axe: { run: (context: unknown, options: unknown) => Promise<{ violations: Array<{ id: string, help: string, nodes: Array<{ target: unknown }> }> }> }
  document: unknown
}

describe('the evidence view, the new lesson fields and the map in a real browser', () => {
  let test: TestApp
  let browser: Browser
  let base: string
  let axeSource: string

  before(async () => {
    if (skip !== false) return
    axeSource = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')
    test = await startTestApp()
    const places = [['Leipzig', '51.34', '12.37', 'works'], ['Cardiff', '51.48', '-3.18', 'fails'], ['Wien', '48.21', '16.37', 'mixed']]
    for (const [name, lat, lon, outcome] of places) {
      const source = validLessonSource({ title: `Lektion in ${name}`, place: `{ name: "${name}", lat: ${lat}, lon: ${lon} }`, outcome, visibility: 'public', evidenceDesign: 'before-after', participants: '60', costBand: '2' })
      assert.equal((await test.app.inject({ method: 'POST', url: '/api/pages', payload: { source } })).statusCode, 201)
    }
    await (test.app as unknown as { auth: { accounts: { create: (input: { username: string, password: string, role: 'editor' }) => Promise<unknown> } } }).auth.accounts.create({ ...EDITOR, role: 'editor' })
    base = await test.app.listen({ port: 0, host: '127.0.0.1' })
    browser = await launchChromium()
  })

  after(async () => {
    await browser?.close()
    await test?.close()
  })

  const violationsOf = async (page: Page): Promise<string[]> => {
    await page.addScriptTag({ content: axeSource })
    return await page.evaluate(async (tags) => {
      const { axe, document } = globalThis as unknown as PageGlobals
      const result = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] })
      return result.violations.map(violation => `${violation.id}: ${violation.help} ${JSON.stringify(violation.nodes.map(node => node.target))}`)
    }, WCAG_TAGS)
  }

  it('has no WCAG 2.2 A/AA violations on /evidence, its help page and a lesson with a rating, in German and English on a narrow screen', { skip }, async () => {
    for (const [locale, width] of [['de-DE', 1100], ['en-GB', 320]] as const) {
      const context = await browser.newContext({ locale, viewport: { width, height: 900 }, bypassCSP: true })
      const page = await context.newPage()
      for (const url of ['/evidence', '/evidence?field=Familienhilfe&tag=familie', '/help/evidence', '/wiki/lektion-in-leipzig']) {
        assert.equal((await page.goto(`${base}${url}`))?.status(), 200, url)
        assert.deepEqual(await violationsOf(page), [], `${url} (${locale})`)
        // WCAG 1.4.10: nothing scrolls sideways at 320px; wide tables scroll in their own region.
        if (width === 320) assert.ok(await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } }, innerWidth: number }).document.documentElement.scrollWidth <= (globalThis as unknown as { innerWidth: number }).innerWidth), url)
      }
      await context.close()
    }
  })

  it('saves how sure and at what cost through the guided form, and shows the rating on the page', { skip }, async () => {
    const context = await browser.newContext({ locale: 'de-DE' })
    const page = await context.newPage()
    page.setDefaultTimeout(15_000)
    await page.goto(`${base}/login`)
    await page.fill('#username', EDITOR.username)
    await page.fill('#password', EDITOR.password)
    await page.locator('main form button[type="submit"]').click()
    await page.waitForURL(url => url.pathname !== '/login')
    await page.goto(`${base}/lessons/new`)
    const fields: Record<string, string> = {
      '#title': 'Schuldnerberatung in der Kita',
      '#summary': 'Beratung dort, wo Eltern ohnehin sind.',
      '#programme': 'Beratung vor Ort',
      '#organisation': 'Caritas Süd',
      '#placeName': 'Augsburg',
      '#periodFrom': '2023-01',
      '#participants': '240',
      '#sites': '4',
      '#evidenceFigure-1': '31 % weniger Mahnverfahren',
      '#evidenceSource-1': 'Akten der Beratungsstelle'
    }
    for (const [selector, value] of Object.entries(fields)) await page.fill(selector, value)
    await page.selectOption('#field', 'Familienhilfe')
    await page.selectOption('#outcome', 'works')
    await page.selectOption('#evidenceDesign', 'comparison')
    await page.selectOption('#costBand', '3')
    await page.locator('button[name="action"][value="save"]').click()
    await page.waitForURL(url => url.pathname.startsWith('/wiki/schuldnerberatung'))
    const strength = await page.locator('.lesson-strength').innerText()
    assert.match(strength, /4 von 5/)
    assert.match(strength, /Vergleichsgruppe/)
    assert.match(strength, /Stufe 3: 500 € bis unter 2000 €/)
    await context.close()
  })

  it('draws country outlines and a marker per lesson without a tile server, and no request leaves loopback', { skip }, async () => {
    const context = await browser.newContext({ locale: 'de-DE', viewport: { width: 1100, height: 900 } })
    const page = await context.newPage()
    page.setDefaultTimeout(30_000)
    const requested: string[] = []
    page.on('request', request => { requested.push(request.url()) })
    assert.equal((await page.goto(`${base}/lessons/map`))?.status(), 200)
    await page.waitForFunction(() => (globalThis as unknown as { document: { querySelectorAll: (selector: string) => { length: number } } }).document.querySelectorAll('#lesson-map path.basemap-country').length > 100)
    await page.waitForFunction(() => (globalThis as unknown as { document: { querySelectorAll: (selector: string) => { length: number } } }).document.querySelectorAll('#lesson-map .map-marker').length >= 3)
    const markers = await page.locator('#lesson-map .map-marker').evaluateAll(elements => elements.map(element => `${(element as unknown as { className: string }).className}|${(element as unknown as { textContent: string }).textContent}`))
    assert.ok(markers.some(marker => /outcome-works/.test(marker) && /origin-local/.test(marker) && marker.endsWith('|✔')), markers.join(', '))
    assert.ok(markers.some(marker => /outcome-fails/.test(marker) && marker.endsWith('|✘')), markers.join(', '))
    assert.match(await page.locator('.map-legend').innerText(), /Quadrat: aus einer gefolgten Organisation/)
    await page.screenshot({ path: 'test-output/map-basemap.png' })
    const origin = new URL(base).origin
    assert.ok(requested.length > 3)
    assert.deepEqual(requested.filter(url => !url.startsWith(`${origin}/`)), [], 'every request goes to the wiki itself on loopback')
    await context.close()
  })

  it('keeps the list of lessons by place as the map without JavaScript', { skip }, async () => {
    const context = await browser.newContext({ locale: 'de-DE', javaScriptEnabled: false })
    const page = await context.newPage()
    await page.goto(`${base}/lessons/map`)
    assert.equal(await page.locator('#lesson-map .map-marker').count(), 0)
    const list = await page.locator('.lessons-by-place').innerText()
    for (const place of ['Leipzig', 'Cardiff', 'Wien']) assert.match(list, new RegExp(`Lektion in ${place}`))
    await context.close()
  })
})
