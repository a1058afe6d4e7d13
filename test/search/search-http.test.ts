import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { FastifyInstance } from 'fastify'
import { addPage, lesson, makeDataDir, removeDataDir, searchApi, startSearchApp, titlesFor } from './helpers.ts'

describe('search over HTTP', () => {
  let app: FastifyInstance
  let dataDir: string
  before(async () => {
    dataDir = await makeDataDir()
    app = await startSearchApp(dataDir)
    await app.searchIndex.ready
    await addPage(app, 'Besuchsdienst im Quartier', 'Die Pflegekraft und eine ehrenamtliche Helferin besuchten Frau Müller in der Großen Straße.', `tags: [ehrenamt, senioren]\n${lesson({ language: 'de', outcome: 'fails', field: 'Altenhilfe', from: '2023-03', place: 'Leipzig' })}`)
    await addPage(app, 'Elternkurs am Abend', 'Die Familien kamen nicht. Die Haeuser waren weit weg.', `tags: [familie]\n${lesson({ language: 'de', outcome: 'mixed', field: 'Familienhilfe', from: '2022-01' })}`)
    await addPage(app, 'Peer support group', 'Volunteering with peers: the peer support volunteers kept coming because they led the group.', `tags: [peer]\n${lesson({ language: 'en', outcome: 'works', field: 'Suchthilfe', from: '2023-05' })}`)
    await addPage(app, 'Mentoring app', 'Nobody opened the app. A volunteer mentor would have helped. `<script>alert(1)</script>`', 'language: en\ntags: [digital]\n')
    await addPage(app, 'Volunteer coordination', 'How coordinators plan their week.', 'language: en\n')
    await app.searchIndex.settled()
  })
  after(async () => {
    await app.close()
    await removeDataDir(dataDir)
  })

  it('finds inflected German words: Pflegekräfte finds Pflegekraft, Ehrenamtliche finds ehrenamtlich', async () => {
    assert.deepEqual(await titlesFor(app, 'Pflegekräfte'), ['Besuchsdienst im Quartier'])
    assert.deepEqual(await titlesFor(app, 'Ehrenamtliche'), ['Besuchsdienst im Quartier'])
  })

  it('matches umlauts and ß written either way', async () => {
    assert.deepEqual(await titlesFor(app, 'Mueller'), ['Besuchsdienst im Quartier'])
    assert.deepEqual(await titlesFor(app, 'Strasse'), ['Besuchsdienst im Quartier'])
    assert.deepEqual(await titlesFor(app, 'grosse'), ['Besuchsdienst im Quartier'])
    assert.deepEqual(await titlesFor(app, 'Häuser'), ['Elternkurs am Abend'])
  })

  it('stems English words', async () => {
    assert.deepEqual((await titlesFor(app, 'volunteering')).sort(), ['Mentoring app', 'Peer support group', 'Volunteer coordination'])
  })

  it('ranks a title match above a body match', async () => {
    const titles = await titlesFor(app, 'volunteer')
    assert.equal(titles[0], 'Volunteer coordination')
  })

  it('counts facets of the matching pages and filters by them', async () => {
    const answer = await searchApi(app, '')
    assert.deepEqual(answer.facets.outcome, [{ value: 'fails', count: 1 }, { value: 'mixed', count: 1 }, { value: 'works', count: 1 }])
    assert.deepEqual(answer.facets.year, [{ value: '2023', count: 2 }, { value: '2022', count: 1 }])
    assert.deepEqual(answer.facets.language, [{ value: 'en', count: 3 }, { value: 'de', count: 2 }])
    assert.deepEqual(answer.facets.origin, [{ value: 'local', count: 5 }])
    const filtered = await searchApi(app, '', '&year=2023&outcome=works')
    assert.deepEqual(filtered.results.map(result => result.title), ['Peer support group'])
    assert.deepEqual(filtered.facets.field, [{ value: 'Suchthilfe', count: 1 }])
  })

  it('lists pages by facet alone, without words', async () => {
    assert.deepEqual(await titlesFor(app, '', '&field=Altenhilfe'), ['Besuchsdienst im Quartier'])
  })

  it('understands phrases, +required, -excluded, fields, wildcards and fuzziness', async () => {
    assert.deepEqual(await titlesFor(app, '"peer support volunteers"'), ['Peer support group'])
    assert.deepEqual(await titlesFor(app, '"volunteers support"'), [])
    assert.deepEqual((await titlesFor(app, '+volunteer -app')).sort(), ['Peer support group', 'Volunteer coordination'])
    assert.deepEqual(await titlesFor(app, 'title:volunteer'), ['Volunteer coordination'])
    assert.deepEqual(await titlesFor(app, 'elternk*'), ['Elternkurs am Abend'])
    assert.deepEqual(await titlesFor(app, 'mentro'), [])
    assert.deepEqual(await titlesFor(app, 'mentro~1'), ['Mentoring app'])
  })

  it('marks matched words in escaped snippets and says where a result comes from', async () => {
    const answer = await searchApi(app, 'opened')
    const result = answer.results[0]
    assert.ok(result !== undefined)
    assert.match(result.snippet, /Nobody <mark>opened<\/mark> the app/)
    assert.match(result.snippet, /&#60;script&#62;/)
    assert.doesNotMatch(result.snippet, /<script>/)
    assert.equal(result.local, true)
    assert.equal(result.origin, 'local')
    assert.equal(result.url.startsWith('http://wiki.test/wiki/'), true)
  })

  it('answers queries it cannot parse as plain words, never with a 500', async () => {
    for (const query of ['"unbalanced quote', '-', '+', 'title:', 'unknown:field peer', '~1', '^', '***', 'peer^', ':::']) {
      const response = await app.inject({ url: `/api/search?q=${encodeURIComponent(query)}` })
      assert.equal(response.statusCode, 200, `${query}: ${response.body}`)
    }
    const relaxed = await searchApi(app, 'unknown:field peer')
    assert.equal(relaxed.relaxed, true)
    assert.deepEqual(relaxed.results.map(result => result.title), ['Peer support group'])
  })

  it('refuses a 10 kB query with a clear message', async () => {
    const query = 'wort '.repeat(2000)
    const json = await app.inject({ url: `/api/search?q=${encodeURIComponent(query)}` })
    assert.equal(json.statusCode, 400)
    assert.equal(json.json<{ error: string }>().error, 'query-too-long')
    const html = await app.inject({ url: `/search?q=${encodeURIComponent(query)}`, headers: { accept: 'text/html', 'accept-language': 'en' } })
    assert.equal(html.statusCode, 400)
    assert.match(html.body, /at most 1000 characters/)
  })

  it('refuses bad parameters with 400', async () => {
    for (const query of ['page=0', 'page=abc', 'size=1000', 'outcome=great', 'year=20x3']) {
      const response = await app.inject({ url: `/api/search?q=peer&${query}` })
      assert.equal(response.statusCode, 400, query)
    }
  })

  it('pages through results', async () => {
    const first = await searchApi(app, 'volunteer', '&size=2')
    const second = await searchApi(app, 'volunteer', '&size=2&page=2')
    assert.equal(first.total, 3)
    assert.equal(first.results.length, 2)
    assert.equal(second.results.length, 1)
    assert.equal(new Set([...first.results, ...second.results].map(result => result.id)).size, 3)
  })

  it('shows results, facets and pagination as HTML without JavaScript', async () => {
    const response = await app.inject({ url: '/search?q=volunteer&size=2', headers: { accept: 'text/html', 'accept-language': 'en' } })
    assert.equal(response.statusCode, 200)
    assert.match(response.body, /<h2><a href="\/wiki\/volunteer-coordination">Volunteer coordination<\/a><\/h2>/)
    assert.match(response.body, /<mark>Volunteer/i)
    assert.match(response.body, /this wiki/)
    assert.match(response.body, /href="\/search\?q=volunteer&amp;language=en"/)
    assert.match(response.body, /rel="next" href="\/search\?q=volunteer&amp;page=2"/)
    assert.doesNotMatch(response.body, /<script>alert/)
    assert.match(response.body, /id="search-query" type="search" name="q" value="volunteer"/)
    const results = response.body.indexOf('class="search-results"')
    assert.ok(results >= 0 && results < response.body.indexOf('class="facets"'), 'results come before the facets')
  })

  it('folds a facet\'s rarer values away under "more", but never the chosen one', async () => {
    const tags = Array.from({ length: 12 }, (_value, index) => `thema${String(index).padStart(2, '0')}`)
    for (const index of tags.keys()) await addPage(app, `Seite zum Thema ${index}`, 'Gemeinsamer Text über Themen.', `tags: [${tags.slice(0, index + 1).join(', ')}]\n`)
    await app.searchIndex.settled()
    const folded = await app.inject({ url: '/search?q=themen', headers: { accept: 'text/html', 'accept-language': 'en' } })
    const details = /<details>\s*<summary>4 more under “Tag”<\/summary>([\s\S]*?)<\/details>/.exec(folded.body)
    assert.ok(details, 'the four rarest tags are folded away')
    assert.match(details[1] ?? '', /thema11/)
    assert.doesNotMatch(details[1] ?? '', /thema00/)
    const chosen = await app.inject({ url: '/search?q=themen&tag=thema11', headers: { accept: 'text/html', 'accept-language': 'en' } })
    assert.match(chosen.body, /<a href="[^"]*" aria-current="true">thema11<\/a>/)
    assert.doesNotMatch(/<details>[\s\S]*?<\/details>/.exec(chosen.body)?.[0] ?? '', /thema11/)
  })
})
