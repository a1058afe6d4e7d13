import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
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
