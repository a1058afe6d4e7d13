import { existsSync } from 'node:fs'
import { mkdir, readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type Page } from 'playwright-core'
import { signInBrowser, startTestApp, type TestApp } from '../helpers.ts'

/** Debian's Chromium; npm cannot download browsers on these machines. */
export const CHROMIUM = '/usr/bin/chromium'
export const outputDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'test-output')
/** `false` when the browser is there, else the reason the browser tests are skipped. */
export const skip: false | string = existsSync(CHROMIUM) ? false : `no browser at ${CHROMIUM} (apt-get install chromium)`

export async function launchChromium (): Promise<Browser> {
  return await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking']
  })
}

/** A test app listening on loopback, and a Chromium page signed in as its admin. */
export interface BrowserSession {
  test: TestApp
  browser: Browser
  page: Page
  base: string
  close: () => Promise<void>
}

/**
 * Starts a test app on a loopback port and a Chromium page (German, 1100 × 900 unless told)
 * signed in as the app's admin; `javaScriptEnabled: false` tests what works without scripts.
 */
export async function startBrowserSession (options: { javaScriptEnabled?: boolean, viewport?: { width: number, height: number } } = {}): Promise<BrowserSession> {
  await mkdir(outputDir, { recursive: true })
  const test = await startTestApp()
  const base = await test.app.listen({ port: 0, host: '127.0.0.1' })
  const browser = await launchChromium()
  const page = await browser.newPage({ locale: 'de-DE', viewport: options.viewport ?? { width: 1100, height: 900 }, javaScriptEnabled: options.javaScriptEnabled ?? true })
  page.setDefaultTimeout(15_000)
  // Editing needs an account: the browser signs in as the test app's admin.
  if (test.admin !== null) await signInBrowser(page, base, test.admin)
  return {
    test,
    browser,
    page,
    base,
    close: async () => {
      await browser.close()
      await test.close()
    }
  }
}

/** WCAG 2.0, 2.1 and 2.2, levels A and AA: the rules every page must pass. */
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']

let axeSource: Promise<string> | null = null

/**
 * axe-core's WCAG A/AA violations on the page as it is now, one line each with the elements
 * concerned (empty when there are none). axe is put into the page by the test: a context
 * made with `bypassCSP: true` lets it in past the site's own policy.
 */
export async function axeViolations (page: Page): Promise<string[]> {
  axeSource ??= readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')
  const source = await axeSource
  if (await page.evaluate(() => (globalThis as { axe?: unknown }).axe === undefined)) await page.addScriptTag({ content: source })
  return await page.evaluate(async (tags) => {
    const { axe, document } = globalThis as unknown as { axe: { run: (context: unknown, options: unknown) => Promise<{ violations: Array<{ id: string, impact: string | null, help: string, nodes: Array<{ target: unknown }> }> }> }, document: unknown }
    const result = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] })
    return result.violations.map(violation => `${violation.id} (${violation.impact ?? '?'}): ${violation.help} ${JSON.stringify(violation.nodes.slice(0, 5).map(node => node.target))}`)
  }, WCAG_TAGS)
}
