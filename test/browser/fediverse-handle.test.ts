import assert from 'node:assert/strict'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import { TEST_PASSWORD } from '../helpers.ts'
import { eventually, startInstance, type Instance } from '../federation/instances.ts'
import { axeViolations, launchChromium, outputDir, skip } from './chromium.ts'

describe('the organisation\'s handle and the organisations it follows, in Chromium', { skip, timeout: 180_000 }, () => {
  let a: Instance
  let b: Instance
  let browser: Browser

  before(async () => {
    [a, b] = await Promise.all([startInstance('handle-a', { ORGANISATION_NAME: 'Stadtteilverein Nord' }), startInstance('handle-b', { ORGANISATION_NAME: 'Jugendhilfe Süd' })])
    await b.app.federation.follows.follow(`wiki@${a.host}`)
    await eventually(async () => (await b.app.federation.follows.listFollowing()).includes(`${a.url}/ap/u/wiki`), 15_000, 'B to follow A')
    await b.app.auth.accounts.create({ username: 'verwaltung', password: TEST_PASSWORD, role: 'admin' })
    await a.app.auth.accounts.create({ username: 'verwaltung', password: TEST_PASSWORD, role: 'admin' })
    browser = await launchChromium()
  })
  after(async () => {
    await browser?.close()
    await Promise.all([a, b].map(instance => instance?.close()))
  })

  /** Signs in as the instance's admin through the login form and opens the federation page. */
  const adminPage = async (page: Page, instance: Instance): Promise<void> => {
    await page.goto(`${instance.url}/login`)
    await page.fill('#username', 'verwaltung')
    await page.fill('#password', TEST_PASSWORD)
    await page.locator('main form button[type="submit"]').click()
    await page.waitForURL(url => url.pathname !== '/login')
    await page.goto(`${instance.url}/admin/federation`)
  }

  it('shows the handle on the home page and copies it with the button', async () => {
    const context = await browser.newContext({ locale: 'de-DE', bypassCSP: false })
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: a.url })
    const page = await context.newPage()
    const errors: string[] = []
    page.on('pageerror', error => errors.push(error.message))
    page.on('response', response => { if (response.status() >= 400 && !response.url().endsWith('/favicon.ico')) errors.push(`${response.status()} ${response.url()}`) })
    await page.goto(`${a.url}/`)
    const handle = `@wiki@${a.host}`
    assert.equal((await page.locator('footer .handle-text').textContent())?.trim(), handle)
    const button = page.locator('footer button.copy-handle')
    assert.ok(await button.isVisible(), 'the button appears where scripts run')
    await button.click()
    await eventually(async () => (await page.locator('footer .copy-status').textContent()) === 'Kopiert.', 5_000, 'the status to say it copied')
    assert.equal(await page.evaluate(async () => await (globalThis as unknown as { navigator: { clipboard: { readText: () => Promise<string> } } }).navigator.clipboard.readText()), handle)
    assert.deepEqual(errors, [], 'no script errors, and the CSP let the script run')
    await page.screenshot({ path: path.join(outputDir, 'fediverse-handle-home.png'), fullPage: true })
    const context2 = await browser.newContext({ locale: 'de-DE', bypassCSP: true })
    const checked = await context2.newPage()
    await checked.goto(`${a.url}/`)
    assert.deepEqual(await axeViolations(checked), [])
    await context2.close()
    await context.close()
  })

  it('leaves the handle as selectable text, without a dead button, where scripts do not run', async () => {
    const context = await browser.newContext({ locale: 'en-GB', javaScriptEnabled: false })
    const page = await context.newPage()
    await page.goto(`${a.url}/`)
    assert.equal((await page.locator('footer .handle-text').textContent())?.trim(), `@wiki@${a.host}`)
    assert.equal(await page.locator('footer button.copy-handle').isVisible(), false)
    // Selecting the text is the browser's own job; the handle must be text, not an image or an input.
    assert.equal(await page.locator('footer .handle-text').evaluate(element => element.tagName), 'CODE')
    await context.close()
  })

  it('lists followed and following organisations by name and handle on the admin page', async () => {
    const context = await browser.newContext({ locale: 'de-DE', bypassCSP: true })
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: b.url })
    const page = await context.newPage()
    await adminPage(page, b)
    const following = page.locator('section[aria-labelledby="following-heading"] li').first()
    assert.equal((await following.locator('.actor-name').textContent())?.trim(), 'Stadtteilverein Nord')
    assert.equal((await following.locator('.actor-handle').textContent())?.trim(), `@wiki@${a.host}`)
    assert.equal((await following.locator('.actor-initial').textContent())?.trim(), 'S')
    assert.doesNotMatch(await following.innerText(), /\/ap\/u\//, 'no actor URL shown')
    assert.equal((await page.locator('#admin-handle').textContent())?.trim(), `@wiki@${b.host}`)
    await page.locator('button.copy-handle').click()
    assert.equal(await page.evaluate(async () => await (globalThis as unknown as { navigator: { clipboard: { readText: () => Promise<string> } } }).navigator.clipboard.readText()), `@wiki@${b.host}`)
    await page.screenshot({ path: path.join(outputDir, 'fediverse-handle-admin.png'), fullPage: true })
    assert.deepEqual(await axeViolations(page), [])

    await adminPage(page, a)
    const follower = page.locator('section[aria-labelledby="followers-heading"] li').first()
    assert.equal((await follower.locator('.actor-name').textContent())?.trim(), 'Jugendhilfe Süd')
    assert.equal((await follower.locator('.actor-handle').textContent())?.trim(), `@wiki@${b.host}`)
    await context.close()
  })
})
