import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { FastifyInstance } from 'fastify'
import { addPage, makeDataDir, removeDataDir, startSearchApp, titlesFor } from './helpers.ts'

describe('search in both languages, with and without accents', () => {
  let app: FastifyInstance
  let dataDir: string
  before(async () => {
    dataDir = await makeDataDir()
    app = await startSearchApp(dataDir)
    await app.searchIndex.ready
    await addPage(app, 'Nachbarschaftscafé in Grünau', 'Das Café öffnet dienstags im Stadtteil.', 'language: de\n')
    await addPage(app, 'Cafe for carers', 'A weekly cafe where carers meet.', 'language: en\n')
    await addPage(app, 'Gruenau walking group', 'Walks through Gruenau for older people.', 'language: en\n')
    await app.searchIndex.settled()
  })
  after(async () => {
    await app.close()
    await removeDataDir(dataDir)
  })

  it('finds Café with cafe and Cafe with café', async () => {
    assert.deepEqual((await titlesFor(app, 'cafe')).sort(), ['Cafe for carers', 'Nachbarschaftscafé in Grünau'])
    assert.deepEqual((await titlesFor(app, 'café')).sort(), ['Cafe for carers', 'Nachbarschaftscafé in Grünau'])
    assert.deepEqual(await titlesFor(app, 'nachbarschaftscafe'), ['Nachbarschaftscafé in Grünau'])
  })

  it('finds Grünau with Gruenau and Gruenau with Grünau', async () => {
    assert.deepEqual((await titlesFor(app, 'Gruenau')).sort(), ['Gruenau walking group', 'Nachbarschaftscafé in Grünau'])
    assert.deepEqual((await titlesFor(app, 'Grünau')).sort(), ['Gruenau walking group', 'Nachbarschaftscafé in Grünau'])
  })

  it('folds accents in phrases, wildcards and fuzzy terms as well', async () => {
    assert.deepEqual(await titlesFor(app, '"weekly café"'), ['Cafe for carers'])
    assert.deepEqual(await titlesFor(app, '"cafe oeffnet"'), ['Nachbarschaftscafé in Grünau'])
    assert.deepEqual(await titlesFor(app, 'nachbarschaftscaf*'), ['Nachbarschaftscafé in Grünau'])
    assert.deepEqual((await titlesFor(app, 'cafè~1')).sort(), ['Cafe for carers', 'Nachbarschaftscafé in Grünau'])
  })

  it('marks the matched word with its accent in the snippet', async () => {
    const response = await app.inject({ url: '/api/search?q=cafe' })
    const german = response.json<{ results: Array<{ title: string, snippet: string }> }>().results.find(result => result.title.startsWith('Nachbarschafts'))
    assert.match(german?.snippet ?? '', /<mark>Café<\/mark>/)
  })

  it('says one result and two results on the search page, in German and English', async () => {
    const page = async (query: string, language: string): Promise<string> => {
      const response = await app.inject({ url: `/search?q=${encodeURIComponent(query)}`, headers: { 'accept-language': language } })
      assert.equal(response.statusCode, 200)
      return response.body
    }
    assert.match(await page('walking', 'en'), /<p role="status">1 result for “walking”<\/p>/)
    assert.match(await page('cafe', 'en'), /<p role="status">2 results for “cafe”<\/p>/)
    assert.match(await page('walking', 'de'), /<p role="status">1 Treffer für „walking“<\/p>/)
    assert.match(await page('cafe', 'de'), /<p role="status">2 Treffer für „cafe“<\/p>/)
  })
})
