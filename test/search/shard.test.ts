import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { lunr, queryVariants, words } from '../../src/search/analysis.ts'
import { lunrBuilder, parseForShard, prepare, Shard, ShardFileError, withinEditDistance } from '../../src/search/shard.ts'
import type { SearchDocument } from '../../src/search/types.ts'
import { makeDataDir, removeDataDir } from './helpers.ts'

const WORDS = ['Ehrenamt', 'Beratung', 'Quartier', 'Familien', 'Pflegekräfte', 'volunteers', 'support', 'housing', 'outreach', 'trust', 'failed', 'Straße', 'Müttern', 'mentoring', 'Teilhabe']

/** Pages whose words repeat unevenly, so weights differ from page to page. */
function pages (count: number): SearchDocument[] {
  return Array.from({ length: count }, (_value, number) => {
    const body = Array.from({ length: 30 + (number % 7) * 5 }, (_word, index) => WORDS[(number * 7 + index * index) % WORDS.length] ?? '').join(' ')
    return {
      id: `page-${number}`,
      url: `/wiki/page-${number}`,
      title: `${WORDS[number % WORDS.length] ?? ''} Bericht ${number}`,
      tags: [WORDS[(number * 3) % WORDS.length] ?? ''],
      summary: WORDS.slice(number % 5, number % 5 + 3).join(' '),
      body,
      language: number % 2 === 0 ? 'de' : 'en',
      origin: 'local',
      visibility: 'public',
      updatedAt: new Date(Date.UTC(2024, 0, 1 + number)).toISOString(),
      version: '1'
    }
  })
}

/** The same pages in one plain Lunr index, asked the way the shard is. */
function lunrScores (documents: SearchDocument[], query: string): Map<string, number> {
  const builder = lunrBuilder()
  for (const document of documents) builder.add(prepare(document, document.id))
  const results = builder.build().query(lunrQuery => {
    for (const word of words(query)) {
      for (const variant of queryVariants(word)) lunrQuery.term(variant, { usePipeline: false, wildcard: lunr.Query.wildcard.NONE })
    }
  })
  return new Map(results.map(result => [result.ref, result.score]))
}

describe('search shard', () => {
  let dir: string
  let shard: Shard
  const documents = pages(60)
  before(async () => {
    dir = await makeDataDir()
    const file = path.join(dir, 'shard-0000.bin')
    const bytes = Shard.serialise(documents)
    await writeFile(file, bytes)
    shard = Shard.parse(bytes, file)
  })
  after(async () => { await removeDataDir(dir) })

  it('scores a query as a Lunr index of the same pages does', () => {
    for (const query of ['Beratung', 'volunteers support', 'Pflegekräfte Teilhabe trust', 'Strasse']) {
      const expected = lunrScores(documents, query)
      const found = shard.search(parseForShard(query), {})
      assert.equal(found.length, expected.size, query)
      assert.ok(expected.size > 0, query)
      for (const match of found) {
        const id = shard.documents[match.position]?.id ?? ''
        assert.ok(Math.abs(match.score - (expected.get(id) ?? NaN)) < 1e-9, `${query}: ${id} ${match.score} ${expected.get(id)}`)
      }
    }
  })

  it('reads page texts from the file for snippets and phrases, not from memory', () => {
    assert.equal('body' in (shard.documents[0] ?? {}), false)
    const query = parseForShard('"volunteers support"')
    const first = shard.search(query, {})[0]
    assert.ok(first !== undefined)
    const hit = shard.hit(first.position, first.score, shard.matchedTerms(first.position, query))
    assert.match(hit.snippet, /<mark>(volunteers|support)<\/mark>/i)
    assert.equal(shard.fullDocuments()[3]?.body, documents[3]?.body)
  })

  it('expands wildcards and fuzzy terms over its own terms', () => {
    assert.ok(shard.search(parseForShard('mentor*'), {}).length > 0)
    assert.equal(shard.search(parseForShard('mentro'), {}).length, 0)
    assert.ok(shard.search(parseForShard('mentro~1'), {}).length > 0)
    assert.equal(withinEditDistance('mentro', 'mentor', 1), true)
    assert.equal(withinEditDistance('mentro', 'mantel', 1), false)
  })

  it('refuses a damaged file and names an old format as such', () => {
    const bytes = Shard.serialise(documents.slice(0, 5))
    const damaged = Buffer.from(bytes)
    damaged[damaged.length - 1] = 0x21
    assert.throws(() => Shard.parse(damaged, 'x'), (error: unknown) => error instanceof ShardFileError && error.reason === 'corrupt')
    const old = Buffer.from(bytes.toString('latin1').replace(/^(\S+) \d+ /, '$1 1 '), 'latin1')
    assert.throws(() => Shard.parse(old, 'x'), (error: unknown) => error instanceof ShardFileError && error.reason === 'old-format')
  })
})
