import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { after, before, describe, it } from 'node:test'
import type { Worker } from 'node:worker_threads'
import { ROUTES } from '../../src/federation/activitypub-paths.ts'
import { ContextUnavailableError } from '../../src/federation/context-loader.ts'
import { preloadedContexts, PRAXISWIKI_CONTEXT, type ContextDocument } from '../../src/federation/contexts.ts'
import { createJsonLdPool, holdsMoreThan, InvalidJsonLdError, JsonLdBusyError, type JsonLdPool } from '../../src/federation/jsonld-pool.ts'

const require = createRequire(import.meta.url)
const ActivitypubExpress = require('activitypub-express')

const AS = 'https://www.w3.org/ns/activitystreams'
const PUBLIC = `${AS}#Public`
const peer = 'https://social.example'
/** A context only the loader below knows, as a remote server's own would be. */
const OWN_CONTEXT = `${peer}/ns/own`

/** apex as the wiki builds it (core.ts), with contexts served from memory: the oracle. */
function buildApex (): { apex: any, loads: string[] } {
  const apex = ActivitypubExpress({ name: 'Test', version: '1', baseUrl: 'https://wiki.example', context: [PRAXISWIKI_CONTEXT], routes: ROUTES })
  const contexts = preloadedContexts()
  const loads: string[] = []
  apex.jsonldContextLoader = async (url: string): Promise<ContextDocument> => {
    loads.push(url)
    if (url === OWN_CONTEXT) return { contextUrl: null, documentUrl: url, document: { '@context': { mood: `${peer}/ns#mood` } } }
    const known = contexts.get(url)
    if (!known) throw new ContextUnavailableError(url, 'not found')
    return known
  }
  return { apex, loads }
}

function mastodonCreate (): Record<string, any> {
  const actor = `${peer}/users/alice`
  return {
    '@context': [AS, 'https://w3id.org/security/v1', {
      ostatus: 'http://ostatus.org#',
      atomUri: 'ostatus:atomUri',
      sensitive: 'as:sensitive',
      toot: 'http://joinmastodon.org/ns#',
      Hashtag: 'as:Hashtag',
      votersCount: 'toot:votersCount',
      blurhash: 'toot:blurhash',
      focalPoint: { '@container': '@list', '@id': 'toot:focalPoint' }
    }],
    id: `${actor}/statuses/1/activity`,
    type: 'Create',
    actor,
    published: '2026-12-01T10:00:00Z',
    to: [PUBLIC],
    cc: [`${actor}/followers`],
    object: {
      id: `${actor}/statuses/1`,
      type: 'Note',
      summary: null,
      inReplyTo: null,
      published: '2026-12-01T10:00:00Z',
      url: `${peer}/@alice/1`,
      attributedTo: actor,
      to: [PUBLIC],
      cc: [`${actor}/followers`],
      sensitive: false,
      atomUri: `${actor}/statuses/1`,
      content: '<p>Das Erzählcafé <a href="https://social.example/tags/quartier" class="mention hashtag">#<span>quartier</span></a> läuft.</p>',
      contentMap: { de: '<p>Das Erzählcafé läuft.</p>' },
      attachment: [{ type: 'Document', mediaType: 'image/jpeg', url: `${peer}/media/1.jpg`, name: 'Stühle im Kreis', blurhash: 'UeKUpFxuo~R%', focalPoint: [0, 0.5], width: 800, height: 600 }],
      tag: [{ type: 'Hashtag', href: `${peer}/tags/quartier`, name: '#quartier' }],
      replies: { id: `${actor}/statuses/1/replies`, type: 'Collection', first: { type: 'CollectionPage', next: `${actor}/statuses/1/replies?page=true`, partOf: `${actor}/statuses/1/replies`, items: [] } }
    }
  }
}

function lessonArticle (): Record<string, any> {
  const actor = 'https://wiki-nord.example/ap/u/wiki'
  return {
    id: 'https://wiki-nord.example/ap/o/lesson-1',
    type: 'Article',
    name: 'Erzählcafé im Quartier',
    summary: 'Was wir über offene Treffen gelernt haben.',
    content: '<p>Kontext, was wir taten, was geschah.</p>',
    attributedTo: actor,
    url: { type: 'Link', href: 'https://wiki-nord.example/wiki/erzaehlcafe', mediaType: 'text/html' },
    to: [PUBLIC],
    tag: [{ type: 'Hashtag', name: '#quartier' }],
    license: 'https://creativecommons.org/licenses/by-sa/4.0/',
    lesson: {
      type: 'lesson',
      programme: 'Erzählcafé',
      organisation: 'Verein Nord',
      place: { name: 'Leipzig', geo: { latitude: 51.34, longitude: 12.37 } },
      field: 'Quartiersarbeit',
      period: { from: '2024-01', to: '2024-12' },
      outcome: 'mixed',
      impactStep: 3,
      participants: 40,
      evidence: [{ figure: '40 Gäste', source: 'Zählung', caveat: 'nur Erstbesuche' }]
    }
  }
}

describe('JSON-LD processing in worker threads', { timeout: 120_000 }, () => {
  let apex: any
  let loads: string[]
  let pool: JsonLdPool

  before(() => {
    ({ apex, loads } = buildApex())
    pool = createJsonLdPool({ context: apex.context, loadContext: async url => await apex.jsonldContextLoader(url), compactHere: async document => await apex.fromJSONLD(document), largeDocumentValues: 0, size: 1, log: { warn: () => {} } })
  })
  after(async () => { await pool.close() })

  /** The worker's answer and apex's own, each from its own copy (apex's fromJSONLD changes its input). */
  async function bothOf (document: Record<string, any>): Promise<[any, any]> {
    return [await pool.fromJSONLD(structuredClone(document)), await apex.fromJSONLD(structuredClone(document))]
  }

  it('compacts a Mastodon Create of a Note exactly as activitypub-express does', async () => {
    const [inWorker, byApex] = await bothOf(mastodonCreate())
    assert.deepEqual(inWorker, byApex)
    // Arrays kept (compactArrays false), as apex's handlers expect.
    assert.deepEqual(inWorker.object[0].to, ['as:Public'])
    assert.deepEqual(inWorker.object[0].tag[0].name, ['#quartier'])
  })

  it('compacts a Praxiswiki lesson Article, as another wiki sends it, exactly as activitypub-express does', async () => {
    const sent = await apex.toJSONLD(await apex.fromJSONLD({ '@context': apex.context, ...lessonArticle() }))
    const [inWorker, byApex] = await bothOf(sent)
    assert.deepEqual(inWorker, byApex)
    assert.deepEqual(inWorker.lesson[0].outcome, ['mixed'])
    assert.deepEqual(inWorker.lesson[0].place[0].name, ['Leipzig'])
  })

  it('reads a document without @context in apex\'s own context', async () => {
    const [inWorker, byApex] = await bothOf(lessonArticle())
    assert.deepEqual(inWorker, byApex)
    assert.deepEqual(inWorker.name, ['Erzählcafé im Quartier'])
    assert.deepEqual(inWorker.lesson[0].field, ['Quartiersarbeit'])
  })

  it('drops a default @language, as apex does, so summary stays summary', async () => {
    const inArray = { '@context': [AS, { '@language': 'de' }], id: `${peer}/notes/2`, type: 'Note', summary: 'Kurz', content: 'Lang' }
    const inObject = { '@context': { '@vocab': `${AS}#`, '@language': 'de', as: `${AS}#` }, id: `${peer}/notes/3`, type: 'Note', summary: 'Kurz' }
    for (const document of [inArray, inObject]) {
      const [inWorker, byApex] = await bothOf(document)
      assert.deepEqual(inWorker, byApex)
      assert.deepEqual(inWorker.summary, ['Kurz'])
      assert.equal(inWorker.summaryMap, undefined)
    }
  })

  it('loads a context the document names through the main thread\'s loader', async () => {
    const document = { '@context': [AS, OWN_CONTEXT], id: `${peer}/notes/4`, type: 'Note', mood: 'froh' }
    const [inWorker, byApex] = await bothOf(document)
    assert.deepEqual(inWorker, byApex)
    assert.deepEqual(inWorker[`${peer}/ns#mood`], ['froh'])
    assert.ok(loads.includes(OWN_CONTEXT))
  })

  it('refuses a document JSON-LD cannot process, and one whose context cannot be loaded, with a 400 that says why', async () => {
    const invalid = { '@context': [AS, { type: { '@id': 5 } }], id: `${peer}/notes/5`, type: 'Note' }
    const refused = await pool.fromJSONLD(invalid).then(() => null, (error: Error) => error)
    assert.ok(refused instanceof InvalidJsonLdError, String(refused))
    assert.equal(refused.statusCode, 400)
    assert.match(refused.message, /not valid JSON-LD: .*(invalid|term definition)/i)
    const unknown = await pool.fromJSONLD({ '@context': [AS, `${peer}/no-such-context`], type: 'Note' }).then(() => null, (error: Error) => error)
    assert.ok(unknown instanceof InvalidJsonLdError, String(unknown))
    assert.match(unknown.message, /context https:\/\/social\.example\/no-such-context is unavailable/)
  })

  it('survives a worker killed in the middle of a document: that one is a 503, the next is compacted', async () => {
    const big = { ...mastodonCreate(), cc: Array.from({ length: 20_000 }, (_, n) => `${peer}/users/u${n}`) }
    const interrupted = pool.fromJSONLD(big).then(() => null, (error: Error) => error)
    await new Promise(resolve => setTimeout(resolve, 50))
    const [thread] = pool.threadsForTests()
    assert.ok(thread, 'a worker is running')
    await thread.terminate()
    const failure = await interrupted
    assert.ok(failure instanceof JsonLdBusyError, String(failure))
    assert.equal(failure.statusCode, 503)
    assert.match(failure.message, /interrupted/)
    const [inWorker, byApex] = await bothOf(mastodonCreate())
    assert.deepEqual(inWorker, byApex)
  })

  it('stops a document that takes longer than its time with a 503, and the thread working on it', async () => {
    const hasty = createJsonLdPool({ context: apex.context, loadContext: async url => await apex.jsonldContextLoader(url), compactHere: async document => await apex.fromJSONLD(document), largeDocumentValues: 0, size: 1, timeoutMs: 100, log: { warn: () => {} } })
    try {
      const big = { ...mastodonCreate(), cc: Array.from({ length: 20_000 }, (_, n) => `${peer}/users/u${n}`) }
      const answer = hasty.fromJSONLD(big).then(() => null, (error: Error) => error)
      const [thread] = await new Promise<Worker[]>(resolve => setImmediate(() => resolve(hasty.threadsForTests())))
      assert.ok(thread, 'a worker took the document')
      const exited = new Promise(resolve => thread.once('exit', resolve))
      const failure = await answer
      assert.ok(failure instanceof JsonLdBusyError, String(failure))
      assert.match(failure.message, /took longer than 0.1 s/)
      await exited
      assert.deepEqual(hasty.threadsForTests(), [], 'the stopped thread is gone; the next document gets a new one')
    } finally {
      await hasty.close()
    }
  })

  it('compacts small documents on the event loop and hands large ones to a thread', async () => {
    const mixed = createJsonLdPool({ context: apex.context, loadContext: async url => await apex.jsonldContextLoader(url), compactHere: async document => await apex.fromJSONLD(document), log: { warn: () => {} } })
    try {
      const [small, byApex] = [await mixed.fromJSONLD(mastodonCreate()), await apex.fromJSONLD(mastodonCreate())]
      assert.deepEqual(small, byApex)
      assert.deepEqual(mixed.threadsForTests(), [], 'no thread for a Create of one Note')
      const large = { ...mastodonCreate(), cc: Array.from({ length: 1000 }, (_, n) => `${peer}/users/u${n}`) }
      const [inWorker, largeByApex] = [await mixed.fromJSONLD(structuredClone(large)), await apex.fromJSONLD(structuredClone(large))]
      assert.deepEqual(inWorker, largeByApex)
      assert.equal(mixed.threadsForTests().length, 1, 'a thread for a Create addressed to a thousand actors')
      const refused = await mixed.fromJSONLD({ '@context': [AS, { type: { '@id': 5 } }], type: 'Note' }).then(() => null, (error: Error) => error)
      assert.ok(refused instanceof InvalidJsonLdError, String(refused))
    } finally {
      await mixed.close()
    }
  })

  it('refuses with 503, not by waiting, once its queue is full', async () => {
    const small = createJsonLdPool({ context: apex.context, loadContext: async url => await apex.jsonldContextLoader(url), compactHere: async document => await apex.fromJSONLD(document), largeDocumentValues: 0, size: 1, maxQueued: 2, log: { warn: () => {} } })
    try {
      const answers = await Promise.all(Array.from({ length: 6 }, async () => await small.fromJSONLD(mastodonCreate()).then(() => 'compacted', (error: Error) => error)))
      const refused = answers.filter(answer => answer instanceof JsonLdBusyError)
      assert.ok(refused.length >= 1, 'some were refused')
      assert.ok(answers.filter(answer => answer === 'compacted').length >= 2, 'those that fit were compacted')
    } finally {
      await small.close()
    }
  })
})

describe('telling a large document from a small one', () => {
  it('counts every value up to the limit, and answers for an array of 500,000 values without walking it', () => {
    assert.equal(holdsMoreThan({ a: [1, 2], b: { c: 'd' } }, 6), false)
    assert.equal(holdsMoreThan({ a: [1, 2], b: { c: 'd' } }, 5), true)
    assert.equal(holdsMoreThan({ to: new Array(500_000).fill('x') }, 500), true)
    assert.equal(holdsMoreThan([new Array(400).fill(0)], 500), false)
  })
})
