import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createPageRenderer } from '../../src/markdown/page-renderer.ts'
import { createRenderThread } from '../../src/markdown/render-thread.ts'
import { countingRenderer } from './counting-renderer.ts'

const request = (revisionId: string, source: string) => ({ revisionId, source, language: 'de', locale: 'de', missingPageTitle: 'fehlt' })

describe('page renderer cache', () => {
  it('renders a revision once while it fits the cache', async () => {
    const renderer = countingRenderer()
    const pages = createPageRenderer({ renderer, thread: createRenderThread(), existingSlugs: async () => new Set(), maxCacheCharacters: 10_000 })
    await pages.render(request('r1', 'kurz'))
    await pages.render(request('r1', 'kurz'))
    assert.equal(renderer.renders, 1)
  })

  it('bounds what it keeps by characters, not only by count: large pages push each other out', async () => {
    const renderer = countingRenderer()
    const pages = createPageRenderer({ renderer, thread: createRenderThread(), existingSlugs: async () => new Set(), maxEntries: 500, maxCacheCharacters: 10_000 })
    const large = 'Wort '.repeat(1500)
    await pages.render(request('r1', large))
    await pages.render(request('r2', large))
    await pages.render(request('r1', large))
    assert.equal(renderer.renders, 3, 'the first was pushed out by the second')
  })
})
