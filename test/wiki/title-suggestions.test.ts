import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { startTestApp, type TestApp } from '../helpers.ts'

describe('GET /api/page-titles: titles for wiki link completion', () => {
  let test: TestApp

  before(async () => {
    test = await startTestApp()
    const titles = ['Ehrenamt gewinnen', 'Besuchsdienst durch Ehrenamtliche', 'Kochen im Quartier', 'Ehre (Begriff)']
    for (const title of titles) await test.app.wiki.createPage({ source: `---\ntitle: ${title}\nvisibility: public\n---\nText.\n` })
    await test.app.wiki.createPage({ source: '---\ntitle: Ehrensache intern\n---\nNur für Angemeldete.\n' })
    const gone = await test.app.wiki.createPage({ source: '---\ntitle: Ehrenamt alt\nvisibility: public\n---\nText.\n' })
    await test.app.wiki.deletePage(gone.slug, {})
    for (let number = 0; number < 15; number++) await test.app.wiki.createPage({ source: `---\ntitle: Zahl ${number}\nvisibility: public\n---\nText.\n` })
  })

  after(async () => { await test.close() })

  const titlesFor = async (query: string, signedIn: boolean): Promise<string[]> => {
    const inject = signedIn ? test.app.inject.bind(test.app) : test.anonymous
    const response = await inject({ url: `/api/page-titles?q=${encodeURIComponent(query)}` })
    assert.equal(response.statusCode, 200, response.body)
    assert.match(String(response.headers['cache-control']), /private/)
    return response.json<{ titles: Array<{ title: string, slug: string }> }>().titles.map(entry => entry.title)
  }

  it('finds titles with a word starting with what was typed, those starting with it first, ignoring case', async () => {
    assert.deepEqual(await titlesFor('ehren', true), ['Ehrenamt gewinnen', 'Ehrensache intern', 'Besuchsdienst durch Ehrenamtliche'])
    assert.deepEqual(await titlesFor('Begriff', true), ['Ehre (Begriff)'])
    assert.deepEqual(await titlesFor('amt', true), [], 'only the start of words')
  })

  it('shows local pages only to people who are signed in, and no deleted pages', async () => {
    assert.deepEqual(await titlesFor('Ehrensache', false), [])
    assert.deepEqual(await titlesFor('Ehrensache', true), ['Ehrensache intern'])
    assert.deepEqual(await titlesFor('Ehrenamt alt', true), [])
  })

  it('answers at most ten titles', async () => {
    assert.equal((await titlesFor('Zahl', false)).length, 10)
    const three = await test.anonymous({ url: '/api/page-titles?q=Zahl&limit=3' })
    assert.equal(three.json<{ titles: unknown[] }>().titles.length, 3)
  })

  it('takes what was typed as text, never as a pattern', async () => {
    assert.deepEqual(await titlesFor('.*', true), [])
    assert.deepEqual(await titlesFor('[', true), [])
    assert.deepEqual(await titlesFor('(Beg', true), ['Ehre (Begriff)'])
  })

  it('refuses a missing, empty or overlong query and a limit out of range with 400', async () => {
    for (const query of ['', '?q=', `?q=${'a'.repeat(101)}`, '?q=a&limit=0', '?q=a&limit=11', '?q=a&limit=zwei']) {
      const response = await test.anonymous({ url: `/api/page-titles${query}` })
      assert.equal(response.statusCode, 400, `${query}: ${response.body}`)
    }
  })
})
