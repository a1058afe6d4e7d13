import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import TurndownService from 'turndown'
import { forkSource } from '../../src/federation/remote-page-routes.ts'
import { articleToRemotePage, newRemotePageId, webUrl } from '../../src/federation/remote-pages.ts'

const sender = { id: 'https://other.example/ap/u/wiki', name: 'Verein' }
const now = new Date('2024-05-01T10:00:00Z')

describe('links in remote pages', () => {
  it('keeps an Article\'s http(s) url', () => {
    const page = articleToRemotePage({ id: 'https://other.example/ap/o/1', url: 'https://other.example/wiki/seite' }, sender, now)
    assert.equal(page.url, 'https://other.example/wiki/seite')
  })

  it('takes the id instead of a url with any other scheme, in any letter case and as a Link', () => {
    for (const url of ['javascript:alert(1)', 'JavaScript:alert(1)', ' javascript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'vbscript:x', 'file:///etc/passwd', '//other.example/x', 'not a url']) {
      assert.equal(articleToRemotePage({ id: 'https://other.example/ap/o/1', url }, sender, now).url, 'https://other.example/ap/o/1', url)
      assert.equal(articleToRemotePage({ id: 'https://other.example/ap/o/1', url: [{ type: 'Link', id: url }] }, sender, now).url, 'https://other.example/ap/o/1', url)
    }
  })

  it('stores no link at all when neither the url nor the id is http(s)', () => {
    assert.equal(articleToRemotePage({ id: 'javascript://other.example/%0aalert(1)', url: 'data:,x' }, sender, now).url, '')
    assert.equal(webUrl('javascript://other.example/%0aalert(1)'), '')
    assert.equal(webUrl('HTTPS://other.example/'), 'HTTPS://other.example/')
  })
})

describe('bounded work on remote HTML', () => {
  const nested = (depth: number, inner: string): string => `${'<span><b>'.repeat(depth)}${inner}${'</b></span>'.repeat(depth)}`

  it('keeps the markup of an Article that nests 100 elements deep', () => {
    const page = articleToRemotePage({ id: 'https://other.example/ap/o/1', content: nested(50, 'Text') }, sender, now)
    assert.equal(page.html, nested(50, 'Text'))
  })

  it('stores an Article nested deeper than 100 elements as one paragraph of its text, without its script', () => {
    const page = articleToRemotePage({ id: 'https://other.example/ap/o/1', content: nested(30_000, 'Text & mehr<script>alert(1)</script> <a href="javascript:x">Link</a>') }, sender, now)
    assert.equal(page.html, '<p>Text &amp; mehr Link</p>')
  })

  it('flattens an Article of more than 10,000 elements however shallow, and a nested title', () => {
    const content = `${'<p>eins</p>'.repeat(10_000)}<p>zwei<img src=x onerror=alert(1)></p>`
    const page = articleToRemotePage({ id: 'https://other.example/ap/o/1', content, name: nested(30_000, 'Titel') }, sender, now)
    assert.equal(page.html, `<p>${'eins '.repeat(10_000)}zwei</p>`)
    assert.equal(page.title, 'Titel')
    assert.equal(articleToRemotePage({ id: 'https://other.example/ap/o/1', content: '<p>eins</p>'.repeat(10_000) }, sender, now).html, '<p>eins</p>'.repeat(10_000))
  })
})

describe('forking a large remote page', () => {
  it('forks HTML over 16 kB as escaped paragraphs of text without converting it, and smaller HTML as Markdown', () => {
    const fields = articleToRemotePage({ id: 'https://other.example/ap/o/1', name: 'Groß' }, sender, now)
    const page = { ...fields, _id: newRemotePageId(), receivedAt: now, deletedAt: null }
    const large = `<h2>Titel &amp; Sinn</h2><p>Eins *fett* [[Link]]</p><ul><li>zwei</li></ul><p>${'x'.repeat(20_000)}</p>`
    const refusing = new TurndownService()
    refusing.turndown = () => { throw new Error('turndown was asked to convert large HTML') }
    const body = forkSource({ ...page, html: large }, refusing).split('---\n')[2] ?? ''
    assert.equal(body, `Titel & Sinn\n\nEins \\*fett\\* \\[\\[Link\\]\\]\n\nzwei\n\n${'x'.repeat(20_000)}`)
    assert.match(forkSource({ ...page, html: '<p>Eins <strong>fett</strong></p>' }, new TurndownService()), /\nEins \*\*fett\*\*$/)
  })
})
