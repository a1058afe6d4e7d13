import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { lunr, queryVariants, words } from '../../src/search/analysis.ts'
import { parseForShard } from '../../src/search/fields.ts'
import { Shard } from '../../src/search/shard.ts'
import { lunrBuilder, prepare } from '../../src/search/shard-builder.ts'
import { ShardFileError } from '../../src/search/shard-file.ts'
import { termsStartingWith, termsWithinEditDistance } from '../../src/search/term-expansion.ts'
import type { SearchDocument } from '../../src/search/types.ts'
import { makeDataDir, removeDataDir } from './helpers.ts'
import { seededRandom } from '../seeded-random.ts'

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
    assert.deepEqual(termsWithinEditDistance(['mantel', 'mentor'], 'mentro', 1), [1])
  })

  it('finds in a sorted term list exactly the terms within the edit distance, and the terms with a prefix', () => {
    // Optimal string alignment distance, the whole table at once: the reference.
    const distance = (a: string, b: string): number => {
      const table = Array.from({ length: a.length + 1 }, (_row, i) => Array.from({ length: b.length + 1 }, (_cell, j) => i === 0 ? j : j === 0 ? i : 0))
      for (let i = 1; i <= a.length; i++) {
        for (let j = 1; j <= b.length; j++) {
          const row = table[i] as number[]
          const above = table[i - 1] as number[]
          row[j] = Math.min((above[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (above[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1))
          if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j] ?? 0, ((table[i - 2] as number[])[j - 2] ?? 0) + 1)
        }
      }
      return (table[a.length] as number[])[b.length] ?? 0
    }
    const random = seededRandom(11)
    const word = (): string => Array.from({ length: 1 + Math.floor(random() * 8) }, () => 'abcdeäß'[Math.floor(random() * 7)]).join('')
    const terms = [...new Set(Array.from({ length: 3000 }, word))].sort()
    for (let round = 0; round < 200; round++) {
      const query = round % 10 === 0 ? (terms[Math.floor(random() * terms.length)] ?? '') : word()
      for (const limit of [1, 2]) {
        const expected = terms.flatMap((term, number) => distance(query, term) <= limit ? [number] : [])
        assert.deepEqual(termsWithinEditDistance(terms, query, limit), expected, `${query} within ${limit}`)
      }
      const prefix = query.slice(0, 1 + Math.floor(random() * 3))
      assert.deepEqual(termsStartingWith(terms, prefix), terms.flatMap((term, number) => term.startsWith(prefix) ? [number] : []), `${prefix}*`)
    }
    assert.deepEqual(termsWithinEditDistance(['a'.repeat(200) + 'b'], 'a'.repeat(200) + 'c', 1), [0])
    assert.deepEqual(termsWithinEditDistance(['ab', 'ba'], 'ab', 1), [0, 1], 'a swap is one edit')
    assert.deepEqual(termsStartingWith(terms, 'zzz'), [])
    assert.deepEqual(termsWithinEditDistance([], 'abc', 1), [])
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
