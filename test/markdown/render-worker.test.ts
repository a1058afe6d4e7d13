import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createPageRenderer } from '../../src/markdown/page-renderer.ts'
import { createMarkdownRenderer, LARGE_BODY_LENGTH } from '../../src/markdown/render.ts'
import { createRenderThread } from '../../src/markdown/render-thread.ts'
import { countingRenderer } from './counting-renderer.ts'
import { sameHeadingsSource } from '../../scripts/adversarial-inputs.ts'

const request = (revisionId: string, source: string) => ({ revisionId, source, language: 'de', locale: 'de', missingPageTitle: 'fehlt' })

/** Headings, wiki links to pages that exist and do not, a table, a list, code: each part of the set-up. */
function mixedBody (length: number): string {
  const parts: string[] = []
  for (let index = 0, total = 0; total < length; index++) {
    const part = `## Abschnitt ${index % 7}\n\nSiehe [[Seite ${index % 5}]] und [[Seite ${index % 5}|hier]], https://example.org/${index}.\n\n| a | b |\n| --- | --- |\n| ${index} | *x* |\n\n- eins\n- \`zwei\`\n\n`
    parts.push(part)
    total += part.length
  }
  return parts.join('')
}

describe('render thread', () => {
  it('renders a body above the threshold in the thread, to the same HTML as in this thread', async () => {
    const body = mixedBody(2 * LARGE_BODY_LENGTH)
    const renderer = countingRenderer()
    const thread = createRenderThread({ deadlineMs: 60_000 })
    const pages = createPageRenderer({ renderer, thread, existingSlugs: async slugs => new Set(slugs.filter(slug => slug.endsWith('-2'))) })
    try {
      const rendered = await pages.render(request('r1', body))
      const existing = new Set(['seite-2'])
      const expected = createMarkdownRenderer().render(body, { language: 'de', pageExists: slug => existing.has(slug), missingPageTitle: 'fehlt' })
      assert.equal(rendered.html, expected.html)
      assert.deepEqual(rendered.toc, expected.toc)
      assert.match(rendered.html, /href="\/wiki\/seite-2"/)
      assert.deepEqual([renderer.linkReadings, renderer.renders], [0, 0], 'no markdown-it in this thread')
      assert.deepEqual(pages.counts(), { inProcess: 0, inWorker: 1, asText: 0 })
    } finally {
      await thread.close()
    }
  })

  it('renders a body below the threshold in this thread', async () => {
    const renderer = countingRenderer()
    const thread = createRenderThread()
    const pages = createPageRenderer({ renderer, thread, existingSlugs: async () => new Set() })
    const rendered = await pages.render(request('r1', mixedBody(LARGE_BODY_LENGTH / 2)))
    assert.match(rendered.html, /<h2 id="abschnitt-0">/)
    assert.deepEqual([renderer.linkReadings, renderer.renders], [1, 1])
    await thread.close()
  })

  it('shows a body past the deadline as its escaped source, and keeps that answer', async () => {
    const renderer = countingRenderer()
    const thread = createRenderThread({ deadlineMs: 1 })
    let jobs = 0
    const counted = { ...thread, linkTargets: async (body: string, language?: string) => { jobs++; return await thread.linkTargets(body, language) } }
    const pages = createPageRenderer({ renderer, thread: counted, existingSlugs: async () => new Set() })
    try {
      const body = `<b>\n\n${sameHeadingsSource(490_000)}`
      const rendered = await pages.render(request('r1', body))
      assert.equal(rendered.tooLarge, true)
      assert.ok(rendered.html.startsWith('<pre class="source-too-large">&lt;b&gt;\n\n## a\n\n## a'))
      await pages.render(request('r1', body))
      assert.equal(jobs, 1, 'the second read did not ask the thread again')
      assert.deepEqual([renderer.linkReadings, renderer.renders], [0, 0])
      assert.deepEqual(pages.counts(), { inProcess: 0, inWorker: 0, asText: 2 })
    } finally {
      await thread.close()
    }
  })

  it('answers a job after a deadline from a new thread', async () => {
    const thread = createRenderThread({ deadlineMs: 300 })
    try {
      const [slow, waited] = await Promise.all([thread.render(sameHeadingsSource(490_000), { existing: [] }), thread.linkTargets('[[Eins]]')])
      assert.deepEqual(slow, { done: false, reason: 'deadline' })
      assert.deepEqual(waited, { done: false, reason: 'busy' }, 'waiting as long as a deadline says nothing about the page')
      const next = await thread.linkTargets('[[Eins]] [[Zwei]]')
      assert.deepEqual(next, { done: true, value: ['eins', 'zwei'] })
    } finally {
      await thread.close()
    }
  })

  it('answers jobs past the waiting limit at once, without queueing them', async () => {
    const thread = createRenderThread({ deadlineMs: 60_000, maxWaiting: 1 })
    try {
      const answers = await Promise.all([thread.linkTargets('[[Eins]]'), thread.linkTargets('[[Zwei]]'), thread.linkTargets('[[Drei]]')])
      assert.deepEqual(answers, [{ done: true, value: ['eins'] }, { done: true, value: ['zwei'] }, { done: false, reason: 'busy' }])
    } finally {
      await thread.close()
    }
  })

  it('answers jobs after close without starting a thread', async () => {
    const thread = createRenderThread()
    await thread.close()
    assert.deepEqual(await thread.render('x', { existing: [] }), { done: false, reason: 'closed' })
  })
})
