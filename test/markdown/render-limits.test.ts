import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import markdownIt from 'markdown-it'
import anchor from 'markdown-it-anchor'
import { createMarkdownRenderer, MAX_RENDERED_HTML_LENGTH } from '../../src/markdown/render.ts'
import { MAX_TABLE_CELLS, MAX_TABLE_COLUMNS } from '../../src/markdown/table-limits.ts'
import { slugifyTitle } from '../../src/markdown/slug.ts'
import { sameHeadingsSource, wideTableSource } from '../../scripts/adversarial-inputs.ts'
import { seededRandom } from '../seeded-random.ts'

const renderer = createMarkdownRenderer()
const count = (html: string, pattern: RegExp): number => html.match(pattern)?.length ?? 0

describe('bounds on rendered Markdown', () => {
  it('renders a table as wide as the limit, and leaves a wider one as text', () => {
    const table = (columns: number): string => `|${'Kopf|'.repeat(columns)}\n|${'-|'.repeat(columns)}\n|x|\n`
    const widest = renderer.render(table(MAX_TABLE_COLUMNS)).html
    assert.equal(count(widest, /<th>/g), MAX_TABLE_COLUMNS)
    assert.equal(count(widest, /<td>/g), MAX_TABLE_COLUMNS, 'the missing cells are filled in')
    const wider = renderer.render(table(MAX_TABLE_COLUMNS + 1)).html
    assert.equal(count(wider, /<table>/g), 0)
    assert.match(wider, /^<p>\|Kopf\|Kopf\|/)
  })

  it('renders the 165 kB of 1,000-column tables as text of about its own size', () => {
    const source = wideTableSource(1000, 165_000)
    const { html } = renderer.render(source)
    assert.equal(count(html, /<t[dh]>/g), 0)
    assert.ok(html.length < 1.2 * source.length, `${html.length} characters of HTML`)
  })

  it('stops making tables once a page has used its cells, and shows the rest as text', () => {
    const source = wideTableSource(MAX_TABLE_COLUMNS, 200_000)
    const { html } = renderer.render(source)
    const cells = count(html, /<t[dh]>/g)
    assert.ok(cells > 0 && cells <= MAX_TABLE_CELLS, `${cells} cells`)
    assert.ok(count(html, /<table>/g) < source.split('\n\n').length - 1, 'some tables stayed text')
  })

  it('numbers the ids of equal headings in one pass, as markdown-it-anchor numbered them, over 100 seeded random pages', () => {
    const reference = markdownIt('default', { html: false, linkify: true }).use(anchor, { level: [2, 3, 4], slugify: (text: string) => slugifyTitle(text) || 'section', tabIndex: false })
    const random = seededRandom(14)
    const texts = ['Ziele', 'Ziele 1', 'ziele-1', 'Ziele 2', 'Was wir lernten', '', '!!', 'section', 'section 1']
    for (let round = 0; round < 100; round++) {
      const headings = Array.from({ length: 1 + Math.floor(random() * 30) }, () => `${'#'.repeat(1 + Math.floor(random() * 5))} ${texts[Math.floor(random() * texts.length)] ?? ''}`)
      const source = headings.join('\n\n')
      const ids = (html: string): string[] => [...html.matchAll(/<h\d id="([^"]*)"/g)].map(match => match[1] ?? '')
      assert.deepEqual(ids(renderer.render(source).html), ids(reference.render(source)), source)
    }
  })

  it('gives 10,000 equal headings 10,000 different ids', () => {
    const { html, tooLarge } = renderer.render(sameHeadingsSource(60_000))
    assert.equal(tooLarge, undefined)
    const ids = [...html.matchAll(/<h2 id="([^"]*)"/g)].map(match => match[1])
    assert.equal(new Set(ids).size, 10_000)
    assert.equal(ids.at(-1), 'a-9999')
  })

  it('shows a source whose HTML would pass the limit as escaped text, at most six characters for each of its own', () => {
    const source = '[[Seite <eins>]] '.repeat(Math.ceil(MAX_RENDERED_HTML_LENGTH / 40))
    const rendered = renderer.render(source)
    assert.equal(rendered.tooLarge, true)
    assert.ok(rendered.html.startsWith('<pre class="source-too-large">[[Seite &lt;eins&gt;]]'))
    assert.ok(rendered.html.length <= 6 * source.length + 40)
    assert.deepEqual(rendered.toc, [])
  })
})
