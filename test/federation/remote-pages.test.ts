import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { articleToRemotePage, webUrl } from '../../src/federation/remote-pages.ts'

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
