import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdir, readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { remotePagesCollection } from '../../src/federation/remote-pages.ts'
import { importContent } from '../../src/wiki/content.ts'
import { remotePageFixture } from '../federation/fixtures.ts'
import { startTestApp, type TestApp } from '../helpers.ts'
import { launchChromium, outputDir, skip } from './chromium.ts'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']
const LESSON = 'elternkurs-am-abend-die-familien-kamen-nicht'
const PAGE = 'warum-wir-teilen-was-scheitert'
const EDITOR = { username: 'redaktion', password: 'eine-lange-passphrase-nur-fuer-tests' }

/** Accounts (sessions, roles) when the app has them; reading the decorator loosely keeps this test independent of their types. */
interface AccountsDecorator { accounts: { create: (input: { username: string, password: string, role: 'admin' }) => Promise<unknown> } }

/** The little of the page's globals these checks use; the tests compile without the DOM library. */
interface PageElement { id: string, tagName: string, textContent: string | null, value?: string }
interface PageGlobals {
  document: { activeElement: PageElement | null, body: PageElement, querySelector: (selector: string) => { insertAdjacentHTML: (where: string, html: string) => void } | null }
  getComputedStyle: (element: PageElement) => { outlineStyle: string, outlineWidth: string, boxShadow: string }
  axe?: { run: (context: unknown, options: unknown) => Promise<{ violations: AxeViolation[] }> }
}

/** What the chart check reads of the overview page. */
interface ChartText { textContent: string | null, getBBox: () => { x: number, width: number } }
interface ChartGlobals {
  innerWidth: number
  document: {
    documentElement: { scrollWidth: number }
    querySelectorAll: (selector: string) => ArrayLike<{ viewBox: { baseVal: { width: number } }, getBoundingClientRect: () => { width: number }, querySelectorAll: (selector: string) => ArrayLike<ChartText> }>
  }
}

interface AxeViolation { id: string, impact: string | null, help: string, nodes: Array<{ target: unknown[], failureSummary?: string }> }

/** One line per violation, with the elements it concerns, so a failure says what to fix. */
function describeViolations (violations: AxeViolation[]): string {
  return violations.map(violation => `${violation.id} (${violation.impact ?? '?'}): ${violation.help}\n` +
    violation.nodes.slice(0, 5).map(node => `    ${JSON.stringify(node.target)} ${node.failureSummary?.split('\n').join(' ') ?? ''}`).join('\n')).join('\n')
}

describe('accessibility and languages in a real browser', () => {
  let test: TestApp
  let browser: Browser
  let context: BrowserContext
  let page: Page
  let base: string
  let axeSource: string
  let remoteId: string
  let historySlug: string
  let withAccounts = false

  before(async () => {
    if (skip !== false) return
    await mkdir(outputDir, { recursive: true })
    axeSource = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')
    test = await startTestApp()
    const { app } = test
    const imported = await importContent(app.wiki, path.join(root, 'content'))
    assert.deepEqual(imported.problems, [])
    // A page with three revisions, for history and diff.
    const created = await app.wiki.createPage({ source: '---\ntitle: Sprechstunde im Quartier\n---\nErste Fassung.\n' })
    historySlug = created.slug
    const second = await app.wiki.savePage(historySlug, { source: '---\ntitle: Sprechstunde im Quartier\n---\nZweite Fassung mit mehr Text.\n', baseRevisionId: created.revisionId.toHexString(), message: 'ergänzt' })
    await app.wiki.savePage(historySlug, { source: '---\ntitle: Sprechstunde im Quartier\n---\nDritte Fassung.\n\nNeuer Absatz.\n', baseRevisionId: second.page.revisionId.toHexString(), message: 'neuer Absatz' })
    const remote = await remotePagesCollection(app.store.db).insertOne(remotePageFixture({
      summary: 'Eine Tauschbörse, die nach einem Jahr einschlief.',
      html: '<h2>Kontext</h2><p>Wir haben eine Tauschbörse eröffnet. <a href="https://other.example/mehr">Mehr dazu</a>.</p>',
      tags: ['nachbarschaft']
    }))
    remoteId = remote.insertedId.toHexString()
    const auth = (app as unknown as { auth?: AccountsDecorator }).auth
    if (auth !== undefined) {
      await auth.accounts.create({ ...EDITOR, role: 'admin' })
      withAccounts = true
    }
    await app.searchIndex.ready
    await app.searchIndex.settled()
    base = await app.listen({ port: 0, host: '127.0.0.1' })
    browser = await launchChromium()
    // axe is put into the page by the test; the site's own CSP must not stop it.
    context = await browser.newContext({ locale: 'de-DE', viewport: { width: 1100, height: 900 }, bypassCSP: true })
    page = await context.newPage()
    page.setDefaultTimeout(15_000)
    if (withAccounts) await signIn(page)
  })

  const signIn = async (target: Page) => {
    await target.goto(`${base}/login`)
    await target.fill('#username', EDITOR.username)
    await target.fill('#password', EDITOR.password)
    await target.locator('main form button[type="submit"]').click()
    await target.waitForURL(url => url.pathname !== '/login')
  }

  after(async () => {
    await browser?.close()
    await test?.close()
  })

  const screenshot = async (target: Page, name: string) => {
    await target.screenshot({ path: path.join(outputDir, `a11y-${name}.png`), fullPage: true })
  }

  /** axe-core's WCAG 2.0/2.1/2.2 A and AA rules on the page as it is now. */
  const axe = async (target: Page): Promise<AxeViolation[]> => {
    if (await target.evaluate(() => (globalThis as unknown as PageGlobals).axe === undefined)) await target.addScriptTag({ content: axeSource })
    return await target.evaluate(async (tags) => {
      const { axe, document } = globalThis as unknown as Required<PageGlobals>
      const result = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] })
      return result.violations.map(violation => ({ id: violation.id, impact: violation.impact, help: violation.help, nodes: violation.nodes.map(node => ({ target: node.target, failureSummary: node.failureSummary })) }))
    }, WCAG_TAGS)
  }

  const checkPage = async (name: string, target: Page = page) => {
    const violations = await axe(target)
    await screenshot(target, name)
    assert.equal(violations.length, 0, `${name} (${target.url()}):\n${describeViolations(violations)}`)
  }

  const visit = async (url: string, status: number, name: string) => {
    const response = await page.goto(`${base}${url}`)
    assert.equal(response?.status(), status, `${url} answered ${response?.status()}`)
    await checkPage(name)
  }

  it('has no WCAG 2.2 A/AA violations on reading pages: home, page, lesson, history, diff, revision, lists, help, remote, errors', { skip }, async () => {
    // The check itself must be able to fail: a field without a label is found.
    await page.goto(`${base}/`)
    await page.evaluate(() => { (globalThis as unknown as PageGlobals).document.querySelector('main')?.insertAdjacentHTML('beforeend', '<input type="text" id="planted">') })
    assert.ok((await axe(page)).some(violation => violation.id === 'label'), 'axe reports a planted unlabelled field')
    await visit('/', 200, 'home')
    await visit(`/wiki/${PAGE}`, 200, 'page')
    await visit(`/wiki/${LESSON}`, 200, 'lesson')
    await visit(`/wiki/${historySlug}/history`, 200, 'history')
    await page.getByRole('button', { name: 'Ausgewählte Versionen vergleichen' }).click()
    await page.waitForURL(/\/diff\?/)
    await checkPage('diff')
    await page.goto(`${base}/wiki/${historySlug}/history`)
    await page.locator('table.history tbody tr').last().getByRole('link').click()
    await page.waitForURL(/\/revisions\//)
    await checkPage('revision')
    await visit('/recent-changes', 200, 'recent-changes')
    await visit('/wiki', 200, 'all-pages')
    await visit('/lessons', 200, 'lessons')
    await visit('/lessons?field=Familienhilfe&outcome=fails', 200, 'lessons-filtered')
    await visit('/lessons/overview', 200, 'lessons-overview')
    await visit('/lessons/map', 200, 'lessons-map')
    await visit('/help/lessons', 200, 'help')
    await visit('/ns/lesson', 200, 'lesson-vocabulary')
    await visit(`/remote/${remoteId}`, 200, 'remote-page')
    await visit('/remote', 200, 'remote-pages')
    await visit('/gibt-es-nicht', 404, 'not-found')
    await visit('/wiki/gibt-es-noch-nicht', 404, 'missing-page')
  })

  it('has no violations on search with results, facets and active filters', { skip }, async () => {
    await visit('/search?q=familien', 200, 'search')
    assert.ok(await page.locator('.search-results li').count() > 0, 'the search finds starter lessons')
    await page.locator('.facets a').first().click()
    await page.waitForURL(/\/search\?/)
    await checkPage('search-filtered')
    await visit('/search?q=zzzxqvv', 200, 'search-none')
  })

  it('has no violations on editing pages: editor, its preview, editor error, conflict, rename, delete, lesson form with errors and preview', { skip }, async () => {
    await visit('/wiki/new', 200, 'editor-new')
    await visit(`/wiki/${PAGE}/edit`, 200, 'editor')
    await page.getByRole('button', { name: 'Vorschau' }).click()
    await page.waitForSelector('#preview-heading')
    await checkPage('editor-preview')
    await page.fill('#source', '---\ntitle: [kaputt\n---\nText\n')
    await page.getByRole('button', { name: 'Speichern' }).click()
    assert.equal(await page.locator('#source').getAttribute('aria-invalid'), 'true')
    assert.match(await page.locator('#source').inputValue(), /kaputt/, 'the editor keeps the input')
    await checkPage('editor-error')

    // Someone else saves while this editor is open: the save is a conflict, not an overwrite.
    await page.goto(`${base}/wiki/${historySlug}/edit`)
    const current = await test.app.wiki.resolve(historySlug)
    assert.equal(current.kind, 'page')
    const source = current.kind === 'page' ? current.page.source : ''
    await test.app.wiki.savePage(historySlug, { source: `${source}\nVon jemand anderem.\n`, baseRevisionId: current.kind === 'page' ? current.page.revisionId.toHexString() : null, message: 'gleichzeitig' })
    await page.fill('#source', `${source}\nMeine Ergänzung.\n`)
    const answer = page.waitForResponse(response => response.request().method() === 'POST')
    await page.getByRole('button', { name: 'Speichern' }).click()
    assert.equal((await answer).status(), 409)
    await page.waitForSelector('.conflict-texts')
    await checkPage('conflict')

    await visit(`/wiki/${PAGE}/rename`, 200, 'rename')
    await visit(`/wiki/${PAGE}/delete`, 200, 'delete')
    await visit('/lessons/new', 200, 'lesson-form')
    await page.getByRole('button', { name: 'Speichern' }).click()
    await page.waitForSelector('#form-errors')
    assert.equal(await page.locator('#title').getAttribute('aria-invalid'), 'true')
    assert.match(await page.locator('#title').getAttribute('aria-describedby') ?? '', /title-error/)
    await checkPage('lesson-form-errors')
    await visit(`/lessons/${LESSON}/edit`, 200, 'lesson-form-edit')
    await page.getByRole('button', { name: 'Vorschau' }).click()
    await page.waitForSelector('#preview-heading')
    await checkPage('lesson-form-preview')

    // The guided form's conflict view: the field both changed, as a form field.
    await page.goto(`${base}/lessons/${LESSON}/edit`)
    const lesson = await test.app.wiki.requirePage(LESSON)
    await test.app.wiki.savePage(LESSON, { source: lesson.source.replace(/^outcome: \w+$/m, 'outcome: open'), baseRevisionId: lesson.revisionId.toHexString(), message: 'gleichzeitig' })
    await page.getByLabel('Hat es gewirkt? *').selectOption('mixed')
    await page.getByRole('button', { name: 'Speichern' }).click()
    await page.waitForSelector('.conflict-part')
    await checkPage('lesson-conflict')
  })

  it('has no violations on the login, account and admin pages where they exist', { skip }, async () => {
    const visitor = await browser.newContext({ locale: 'de-DE', viewport: { width: 1100, height: 900 }, bypassCSP: true })
    try {
      const guest = await visitor.newPage()
      if ((await guest.goto(`${base}/login`))?.status() === 200) await checkPage('login', guest)
    } finally {
      await visitor.close()
    }
    for (const url of ['/account', '/admin', '/admin/accounts', '/admin/audit', '/admin/federation', '/admin/media', '/review']) {
      const response = await page.goto(`${base}${url}`)
      if (response?.status() !== 200) continue
      await checkPage(url.slice(1).replace(/\//g, '-'))
    }
  })

  it('has no violations in English, on a narrow screen', { skip }, async () => {
    const english = await browser.newContext({ locale: 'en-GB', viewport: { width: 360, height: 740 }, bypassCSP: true })
    try {
      const narrow = await english.newPage()
      const pages: Array<[string, string]> = [['/', 'en-home'], [`/wiki/${LESSON}`, 'en-lesson'], ['/lessons/new', 'en-lesson-form'], ['/search?q=lesson', 'en-search']]
      for (const [url, name] of pages) {
        await narrow.goto(`${base}${url}`)
        assert.equal(await narrow.locator('html').getAttribute('lang'), 'en')
        await checkPage(name, narrow)
      }
    } finally {
      await english.close()
    }
  })

  it('fits a 320px wide screen without scrolling sideways, signed in, on reading, editing and admin pages (WCAG 1.4.10)', { skip }, async () => {
    const small = await browser.newContext({ locale: 'de-DE', viewport: { width: 320, height: 740 } })
    try {
      const narrow = await small.newPage()
      if (withAccounts) await signIn(narrow)
      const urls = ['/', '/recent-changes', '/wiki', `/wiki/${PAGE}`, `/wiki/${LESSON}`, `/wiki/${historySlug}/history`, `/wiki/${PAGE}/edit`, '/lessons', '/lessons/new', '/lessons/overview', '/search?q=familien', '/help/lessons']
      if (withAccounts) urls.push('/account', '/admin/accounts', '/admin/federation', '/admin/audit', '/admin/media')
      const wide: string[] = []
      for (const url of urls) {
        await narrow.goto(`${base}${url}`)
        const width = await narrow.evaluate(() => (globalThis as unknown as ChartGlobals).document.documentElement.scrollWidth)
        if (width > 320) wide.push(`${url} is ${width}px wide`)
      }
      assert.deepEqual(wide, [])
      // Fitting must not come from squeezing: the lesson's facts keep a readable width.
      await narrow.goto(`${base}/wiki/${LESSON}`)
      const factWidths = await narrow.locator('.lesson-facts dd').evaluateAll(elements => elements.map(element => (element as unknown as { getBoundingClientRect: () => { width: number } }).getBoundingClientRect().width))
      assert.ok(factWidths.length > 0 && factWidths.every(width => width >= 200), `fact values are ${factWidths.map(Math.round).join(', ')}px wide`)
    } finally {
      await small.close()
    }
  })

  it('draws the overview charts at their own size with every word inside, and scrolls them, not the page, on a narrow screen', { skip }, async () => {
    const measure = async (target: Page) => await target.evaluate(() => {
      const { document, innerWidth } = globalThis as unknown as ChartGlobals
      return {
        pageWidth: document.documentElement.scrollWidth,
        viewport: innerWidth,
        charts: Array.from(document.querySelectorAll('svg.outcome-chart'), chart => {
          const width = chart.viewBox.baseVal.width
          const cut = Array.from(chart.querySelectorAll('text')).filter(text => { const box = text.getBBox(); return box.x < 0 || box.x + box.width > width })
          return { scale: chart.getBoundingClientRect().width / width, cut: cut.map(text => text.textContent) }
        })
      }
    })
    await page.goto(`${base}/lessons/overview`)
    const wide = await measure(page)
    assert.equal(wide.charts.length, 2)
    for (const chart of wide.charts) {
      assert.deepEqual(chart.cut, [], 'no label, number or legend entry runs past the chart')
      assert.ok(Math.abs(chart.scale - 1) < 0.01, `drawn at ${chart.scale} of its size`)
    }
    const small = await browser.newContext({ locale: 'de-DE', viewport: { width: 360, height: 740 }, bypassCSP: true })
    try {
      const narrow = await small.newPage()
      await narrow.goto(`${base}/lessons/overview`)
      const measured = await measure(narrow)
      assert.ok(measured.pageWidth <= measured.viewport, `the page is ${measured.pageWidth}px wide on a ${measured.viewport}px screen`)
      for (const chart of measured.charts) assert.ok(Math.abs(chart.scale - 1) < 0.01, 'the words keep their size on a narrow screen')
      await checkPage('lessons-overview-narrow', narrow)
    } finally {
      await small.close()
    }
  })

  it('creates a lesson with the keyboard alone: skip link, Tab and Shift+Tab, Space and Enter, focus always visible', { skip }, async () => {
    const keyboard = page.keyboard
    await page.goto(`${base}/lessons`)
    const focused = async () => await page.evaluate(() => {
      const { document, getComputedStyle } = globalThis as unknown as PageGlobals
      const element = document.activeElement
      if (element === null || element === document.body) return { id: '', tag: 'BODY', text: '', value: '', visible: false }
      const style = getComputedStyle(element)
      const visible = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2) || style.boxShadow !== 'none'
      return { id: element.id, tag: element.tagName, text: (element.textContent ?? '').trim(), value: element.value ?? '', visible }
    })

    await keyboard.press('Tab')
    assert.equal((await focused()).text, 'Zum Inhalt springen', 'the skip link comes first')
    assert.ok(await page.locator('.skip-link').isVisible())
    await keyboard.press('Enter')
    assert.equal((await focused()).id, 'main')

    /** Tabs forward until `match` holds; every stop on the way must show where the focus is. */
    const tabTo = async (match: (state: Awaited<ReturnType<typeof focused>>) => boolean, what: string, limit = 120) => {
      for (let step = 0; step < limit; step++) {
        await keyboard.press('Tab')
        const state = await focused()
        assert.ok(state.visible, `focus on ${state.tag}#${state.id} "${state.text.slice(0, 40)}" is not visible`)
        if (match(state)) return state
      }
      assert.fail(`${what} not reached with Tab`)
    }

    await tabTo(state => state.text === 'Neue Lektion schreiben', 'the new-lesson link')
    await keyboard.press('Enter')
    await page.waitForURL(`${base}/lessons/new`)

    const texts: Record<string, string> = {
      title: 'Frühstück für Alleinerziehende',
      summary: 'Ein Frühstück am Samstag erreichte Alleinerziehende, die keine Beratung aufsuchten.',
      programme: 'Samstagsfrühstück',
      organisation: 'Familienzentrum Ost',
      placeName: 'Magdeburg',
      periodFrom: '2024-13',
      'section-context': 'Viele Alleinerziehende kamen nicht in die Sprechstunde.'
    }
    const choices: Record<string, string> = { field: 'Familienhilfe', outcome: 'works' }

    /** Fills the form in Tab order: typing into text fields, arrow keys in selects. */
    const fillInTabOrder = async (wanted: Record<string, string>, choose: Record<string, string>) => {
      const open = new Set([...Object.keys(wanted), ...Object.keys(choose)])
      if (!open.has((await focused()).id)) await tabTo(state => open.has(state.id), 'the first form field')
      for (let step = 0; step < 150 && open.size > 0; step++) {
        const state = await focused()
        if (open.has(state.id)) {
          open.delete(state.id)
          if (state.id in choose) {
            const target = choose[state.id] ?? ''
            for (let option = 0; option < 40 && (await focused()).value !== target; option++) await keyboard.press('ArrowDown')
            assert.equal((await focused()).value, target, `choosing ${target} in ${state.id}`)
          } else {
            // Focus that arrives by a link leaves the caret at the start; the text is cleared from its end.
            await keyboard.press('End')
            for (let index = 0; index < state.value.length; index++) await keyboard.press('Backspace')
            await keyboard.type(wanted[state.id] ?? '')
          }
        }
        if (open.size === 0) break
        await keyboard.press('Tab')
        assert.ok((await focused()).visible, `focus on #${(await focused()).id} is not visible`)
      }
      assert.equal(open.size, 0, `fields not reached: ${[...open].join(', ')}`)
    }

    await fillInTabOrder(texts, choices)
    // One step back and forth with Shift+Tab keeps the typed text.
    await keyboard.press('Shift+Tab')
    await keyboard.press('Tab')
    assert.equal((await focused()).value, texts['section-context'])
    await tabTo(state => state.tag === 'BUTTON' && state.text === 'Speichern', 'the save button')
    await keyboard.press('Enter')
    await page.waitForSelector('#form-errors')
    await screenshot(page, 'keyboard-1-mistake')
    assert.equal(await page.locator('#periodFrom').getAttribute('aria-invalid'), 'true')
    assert.equal(await page.locator('#organisation').inputValue(), 'Familienzentrum Ost', 'the form keeps the input')

    // The error summary links to the field; following it with Enter puts the reader there.
    await tabTo(state => state.tag === 'A' && /Beginn|Jahr/.test(state.text), 'the error link')
    await keyboard.press('Enter')
    await fillInTabOrder({ periodFrom: '2024-03' }, {})
    await tabTo(state => state.tag === 'BUTTON' && state.text === 'Speichern', 'the save button')
    await keyboard.press('Space')
    await page.waitForURL(/\/wiki\/fr[^/]*alleinerziehende$/)
    assert.match(await page.locator('.outcome-badge').first().textContent() ?? '', /wirkt/)
    await screenshot(page, 'keyboard-2-saved')
  })

  it('switches the interface language in the footer and keeps it across pages, without JavaScript', { skip }, async () => {
    const plain = await browser.newContext({ locale: 'de-DE', viewport: { width: 1100, height: 900 }, javaScriptEnabled: false })
    try {
      const reader = await plain.newPage()
      await reader.goto(`${base}/wiki/${LESSON}`)
      assert.equal(await reader.locator('html').getAttribute('lang'), 'de')
      assert.equal(await reader.locator('a.skip-link').textContent(), 'Zum Inhalt springen')
      await reader.locator('.language-switch').getByRole('link', { name: 'English' }).click()
      await reader.waitForURL(`${base}/wiki/${LESSON}`)
      assert.equal(await reader.locator('html').getAttribute('lang'), 'en')
      assert.equal(await reader.locator('a.skip-link').textContent(), 'Skip to content')
      // The interface is English; the lesson itself stays marked as German.
      assert.equal(await reader.locator('article.page').getAttribute('lang'), 'de')
      assert.equal(await reader.locator('.language-switch a[aria-current="true"]').textContent(), 'English')
      await screenshot(reader, 'locale-1-english')

      await reader.getByRole('link', { name: 'Lessons', exact: true }).click()
      await reader.waitForURL(`${base}/lessons`)
      assert.equal(await reader.locator('h1').textContent(), 'Lessons')

      await reader.locator('.language-switch').getByRole('link', { name: 'Deutsch' }).click()
      await reader.waitForURL(`${base}/lessons`)
      assert.equal(await reader.locator('html').getAttribute('lang'), 'de')
      assert.equal(await reader.locator('h1').textContent(), 'Lektionen')
      await screenshot(reader, 'locale-2-german')
    } finally {
      await plain.close()
    }
  })
})
