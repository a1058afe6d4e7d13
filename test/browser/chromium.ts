import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser } from 'playwright-core'

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
