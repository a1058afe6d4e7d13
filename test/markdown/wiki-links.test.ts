import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createMarkdownRenderer } from '../../src/markdown/render.ts'
import { parseWikiLink } from '../../src/markdown/wiki-links.ts'

const renderer = createMarkdownRenderer()
const exists = (...slugs: string[]) => (slug: string) => slugs.includes(slug)

describe('wiki links', () => {
  it('links an existing page by its title', () => {
    const { html } = renderer.render('Siehe [[Übergänge gestalten]].', { pageExists: exists('uebergaenge-gestalten') })
    assert.match(html, /<a class="wiki-link" href="\/wiki\/uebergaenge-gestalten">Übergänge gestalten<\/a>/)
  })

  it('shows a label instead of the target when one is given', () => {
    const { html } = renderer.render('[[Foo Bar|das Foo]]', { pageExists: exists('foo-bar') })
    assert.match(html, /href="\/wiki\/foo-bar">das Foo<\/a>/)
  })

  it('renders a missing target as a distinct link that creates the page', () => {
    const { html } = renderer.render('[[Neue Seite]]', { pageExists: exists(), missingPageTitle: 'Seite anlegen' })
    assert.match(html, /class="wiki-link new"/)
    assert.match(html, /href="\/wiki\/neue-seite\/edit\?title=Neue%20Seite"/)
    assert.match(html, /title="Seite anlegen"/)
  })

  it('keeps a heading fragment on links to existing pages', () => {
    const { html } = renderer.render('[[Foo#Was wir lernten]]', { pageExists: exists('foo') })
    assert.match(html, /href="\/wiki\/foo#was-wir-lernten"/)
  })

  it('escapes labels so a link cannot inject markup', () => {
    const { html } = renderer.render('[[Foo|<script>alert(1)</script>]]', { pageExists: exists('foo') })
    assert.doesNotMatch(html, /<script>/)
    assert.match(html, /&lt;script&gt;/)
  })

  it('leaves wiki link syntax inside code alone', () => {
    const { html } = renderer.render('`[[Foo]]`\n\n    [[Bar]]\n', { pageExists: exists('foo', 'bar') })
    assert.doesNotMatch(html, /wiki-link/)
  })

  it('does not link targets that would be reserved or empty slugs', () => {
    assert.equal(parseWikiLink('api'), null)
    assert.equal(parseWikiLink(' | label'), null)
    assert.equal(parseWikiLink('中文'), null)
    const { html } = renderer.render('[[api]] and [[]]')
    assert.doesNotMatch(html, /<a /)
  })

  it('turns traversal attempts into harmless slugs', () => {
    const link = parseWikiLink('../../etc/passwd')
    assert.equal(link?.slug, 'etc-passwd')
  })

  it('collects the slugs of all targets without rendering', () => {
    const targets = renderer.linkTargets('[[A]] [[B|b]] [[A#x]] `[[C]]`')
    assert.deepEqual([...targets].sort(), ['a', 'b'])
  })

  it('does not span lines or nest brackets', () => {
    const { html } = renderer.render('[[Foo\nBar]] [[a [b] c]]', { pageExists: () => true })
    assert.doesNotMatch(html, /wiki-link/)
  })
})

describe('markdown rendering', () => {
  it('escapes raw HTML instead of passing it through', () => {
    const { html } = renderer.render('<img src=x onerror=alert(1)>')
    assert.doesNotMatch(html, /<img/)
  })

  it('refuses javascript: links', () => {
    const { html } = renderer.render('[x](javascript:alert(1))')
    assert.doesNotMatch(html, /href="javascript/)
  })

  it('renders tables', () => {
    const { html } = renderer.render('| a | b |\n|---|---|\n| 1 | 2 |\n')
    assert.match(html, /<table>/)
  })

  it('gives headings stable, unique anchors', () => {
    const { html } = renderer.render('## Was wir lernten\n\n## Was wir lernten\n')
    assert.match(html, /<h2 id="was-wir-lernten">/)
    assert.match(html, /<h2 id="was-wir-lernten-1">/)
  })

  it('builds a table of contents only for pages with several headings', () => {
    assert.deepEqual(renderer.render('## Eins\n\n## Zwei\n').toc, [])
    const { toc } = renderer.render('## Kontext\n\n### Ort\n\n## Ergebnis\n\n#### Tief\n')
    assert.deepEqual(toc, [
      { level: 2, id: 'kontext', title: 'Kontext' },
      { level: 3, id: 'ort', title: 'Ort' },
      { level: 2, id: 'ergebnis', title: 'Ergebnis' }
    ])
  })
})
