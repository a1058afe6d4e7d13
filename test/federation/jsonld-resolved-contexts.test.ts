import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { before, describe, it } from 'node:test'
import { ROUTES } from '../../src/federation/activitypub-paths.ts'
import { pageToArticle } from '../../src/federation/articles.ts'
import { preloadedContexts, PRAXISWIKI_CONTEXT, type ContextDocument } from '../../src/federation/contexts.ts'
import { rememberResolvedContexts } from '../../src/federation/jsonld-resolved-contexts.ts'
import { parseSource } from '../../src/markdown/front-matter.ts'

const require = createRequire(import.meta.url)
const apexRequire = createRequire(require.resolve('activitypub-express'))
const ActivitypubExpress = require('activitypub-express')
/** The copy of jsonld activitypub-express compacts with: the one the cache must reach. */
const jsonld = apexRequire('jsonld')
const ContextResolver = apexRequire('jsonld/lib/ContextResolver.js')

const AS = 'https://www.w3.org/ns/activitystreams'
const PUBLIC = `${AS}#Public`
const wiki = 'https://wiki-nord.example'
const peer = 'https://social.example'
/** A peer's own context, as its server would serve it: a relative scoped-context URL (made absolute by jsonld on every load) inside an array. */
const MOOD_CONTEXT = `${peer}/ns/mood`
const MOOD_TERMS = `${peer}/ns/mood-terms`

function loadedContexts (): Map<string, ContextDocument> {
  const contexts = new Map(preloadedContexts())
  contexts.set(MOOD_CONTEXT, { contextUrl: null, documentUrl: MOOD_CONTEXT, document: { '@context': [AS, { mood: { '@id': `${peer}/ns#mood`, '@context': 'mood-terms' } }] } })
  contexts.set(MOOD_TERMS, { contextUrl: null, documentUrl: MOOD_TERMS, document: { '@context': { level: `${peer}/ns#level`, colour: `${peer}/ns#colour` } } })
  return contexts
}

/** The wiki's own lesson page as its publisher turns it into an Article, in a Create as the wiki sends it. */
function lessonCreate (): Record<string, unknown> {
  const source = [
    '---',
    'title: Erzählcafé im Quartier',
    'type: lesson',
    'visibility: public',
    'tags: [quartier, ehrenamt]',
    'summary: Offene Treffen brauchen eine feste Zeit.',
    'programme: Erzählcafé',
    'organisation: Verein Nord',
    'place: { name: Leipzig, lat: 51.34, lon: 12.37 }',
    'field: Quartiersarbeit',
    'period: { from: "2024-01", to: "2024-12" }',
    'outcome: mixed',
    'impactStep: 3',
    'participants: 40',
    'evidence: [{ figure: 40 Gäste, source: Zählung, caveat: nur Erstbesuche }]',
    '---',
    'Was wir taten und was geschah.'
  ].join('\n')
  const { data, fields } = parseSource(source)
  const created = new Date('2026-11-02T09:00:00Z')
  const page = { id: '6740a1b2c3d4e5f601234567', slug: 'erzaehlcafe', title: 'Erzählcafé im Quartier', language: 'de', fields, frontMatter: data, source, revisionId: 'r1', createdAt: created, updatedAt: created }
  const actorId = `${wiki}/ap/u/wiki`
  const article = pageToArticle({ page, articleId: `${wiki}/ap/o/${page.id}`, actorId, followersId: `${actorId}/followers`, baseUrl: wiki, html: '<p>Was wir taten und was geschah.</p>' })
  // The context apex sends with (apex.context).
  return { '@context': [AS, 'https://w3id.org/security/v1', PRAXISWIKI_CONTEXT], id: `${wiki}/ap/s/create-1`, type: 'Create', actor: actorId, to: [PUBLIC], object: article }
}

/** A Create of a Note as Mastodon 4 sends it, with its extensions inlined in the context and its Linked Data signature (security/v1 terms). */
function mastodonNoteCreate (): Record<string, unknown> {
  const actor = `${peer}/users/bea`
  return {
    '@context': [AS, 'https://w3id.org/security/v1', {
      manuallyApprovesFollowers: 'as:manuallyApprovesFollowers',
      toot: 'http://joinmastodon.org/ns#',
      featured: { '@id': 'toot:featured', '@type': '@id' },
      sensitive: 'as:sensitive',
      Hashtag: 'as:Hashtag',
      Emoji: 'toot:Emoji',
      focalPoint: { '@container': '@list', '@id': 'toot:focalPoint' },
      blurhash: 'toot:blurhash'
    }],
    id: `${actor}/statuses/7/activity`,
    type: 'Create',
    actor,
    to: [PUBLIC],
    cc: [`${actor}/followers`],
    object: {
      id: `${actor}/statuses/7`,
      type: 'Note',
      attributedTo: actor,
      to: [PUBLIC],
      sensitive: false,
      content: '<p>Wir haben das Erzählcafé nachgemacht. <a href="https://social.example/tags/quartier">#quartier</a></p>',
      contentMap: { de: '<p>Wir haben das Erzählcafé nachgemacht.</p>' },
      attachment: [{ type: 'Document', mediaType: 'image/png', url: `${peer}/media/7.png`, blurhash: 'LEHV6nWB2yk8', focalPoint: [0.2, -0.1] }],
      tag: [{ type: 'Hashtag', href: `${peer}/tags/quartier`, name: '#quartier' }, { type: 'Emoji', name: ':kaffee:', icon: { type: 'Image', url: `${peer}/emoji/kaffee.png` } }]
    },
    signature: { type: 'RsaSignature2017', creator: `${actor}#main-key`, created: '2026-11-02T09:00:00Z', signatureValue: 'c2lnbmF0dXJl' }
  }
}

/** A Note whose own context defines `mood` (with a scoped `level`) under the IRIs of `namespace`. */
function noteWithOwnTerms (namespace: string): Record<string, unknown> {
  return {
    '@context': [AS, { mood: { '@id': `${namespace}mood`, '@context': { level: `${namespace}level` } }, sensitive: `${namespace}sensitive` }],
    id: `${peer}/notes/${encodeURIComponent(namespace)}`,
    type: 'Note',
    mood: { level: 'hoch' },
    sensitive: true
  }
}

/** A Note in the peer's own loaded context, whose scoped context is named by a relative URL. */
function noteInLoadedContext (): Record<string, unknown> {
  return { '@context': MOOD_CONTEXT, id: `${peer}/notes/mood`, type: 'Note', content: 'Heute gut.', mood: { level: 3, colour: 'grün' } }
}

describe('remembering resolved JSON-LD context objects', { timeout: 60_000 }, () => {
  const contexts = loadedContexts()
  const documentLoader = async (url: string): Promise<ContextDocument> => {
    const known = contexts.get(url)
    if (!known) throw new Error(`no context ${url}`)
    return known
  }
  let apex: any
  /** jsonld's own resolve, and the one the cache puts in its place. */
  let original: unknown
  let remembering: unknown

  before(() => {
    original = ContextResolver.prototype.resolve
    rememberResolvedContexts()
    remembering = ContextResolver.prototype.resolve
    assert.notEqual(remembering, original, 'the cache is installed here, not before: the answers without it come from jsonld alone')
    apex = ActivitypubExpress({ name: 'Test', version: '1', baseUrl: wiki, context: [PRAXISWIKI_CONTEXT], routes: ROUTES })
    apex.jsonldContextLoader = documentLoader
  })

  /** `work` with jsonld's own resolve, as if this module did not exist. */
  async function withoutCache<T> (work: () => Promise<T>): Promise<T> {
    ContextResolver.prototype.resolve = original
    try {
      return await work()
    } finally {
      ContextResolver.prototype.resolve = remembering
    }
  }

  /** apex's compaction and a plain expansion of a fresh copy of `document`. */
  async function processed (document: Record<string, unknown>): Promise<{ compacted: unknown, expanded: unknown }> {
    return {
      compacted: await apex.fromJSONLD(structuredClone(document)),
      expanded: await jsonld.expand(structuredClone(document), { documentLoader })
    }
  }

  /** The answers without the cache, then with it twice: the first fills it, the second is answered from it. */
  async function assertSameWithCache (document: Record<string, unknown>): Promise<{ compacted: any, expanded: any }> {
    const plain = await withoutCache(async () => await processed(document))
    assert.deepEqual(await processed(document), plain, 'first time with the cache')
    assert.deepEqual(await processed(document), plain, 'again, from the cache')
    return plain
  }

  it('compacts and expands a lesson Create from the wiki\'s own Article builder exactly as jsonld does without it', async () => {
    const { compacted } = await assertSameWithCache(lessonCreate())
    const lesson = compacted.object[0].lesson[0]
    assert.deepEqual(lesson.outcome, ['mixed'])
    assert.deepEqual(lesson.place[0].name, ['Leipzig'], 'a term of a scoped context')
    assert.deepEqual(lesson.evidence[0].figure, ['40 Gäste'])
  })

  it('compacts and expands a Mastodon Create of a Note with its own inline context exactly as without it', async () => {
    const { compacted, expanded } = await assertSameWithCache(mastodonNoteCreate())
    assert.deepEqual(compacted.signature[0].creator, [`${peer}/users/bea#main-key`], 'a security/v1 term')
    const note = expanded[0][`${AS}#object`][0]
    assert.equal(note[`${AS}#attachment`][0]['http://joinmastodon.org/ns#blurhash'][0]['@value'], 'LEHV6nWB2yk8')
  })

  it('gives a document whose inline context has the shape of an earlier one\'s its own definitions, not the earlier ones', async () => {
    await assertSameWithCache(noteWithOwnTerms('https://first.example/ns#'))
    const { expanded } = await assertSameWithCache(noteWithOwnTerms('https://second.example/ns#'))
    assert.deepEqual(expanded[0]['https://second.example/ns#mood'], [{ 'https://second.example/ns#level': [{ '@value': 'hoch' }] }])
    assert.deepEqual(expanded[0]['https://second.example/ns#sensitive'], [{ '@value': true }])
    assert.equal(expanded[0]['https://first.example/ns#mood'], undefined)
  })

  it('reads a loaded context whose relative scoped-context URL jsonld rewrites on every load exactly as without it', async () => {
    const { expanded } = await assertSameWithCache(noteInLoadedContext())
    assert.deepEqual(expanded[0][`${peer}/ns#mood`], [{ [`${peer}/ns#level`]: [{ '@value': 3 }], [`${peer}/ns#colour`]: [{ '@value': 'grün' }] }])
    assert.equal((contexts.get(MOOD_CONTEXT)!.document['@context'] as any[])[1].mood['@context'], MOOD_TERMS, 'rewritten in place, once and for all')
  })

  it('no longer stringifies the contexts of a lesson Create it has seen, only the copies jsonld makes of the document\'s and apex\'s', async () => {
    const document = lessonCreate()
    await apex.fromJSONLD(structuredClone(document))
    const stringify = JSON.stringify
    /** The context objects stringified (jsonld also stringifies `{ processingMode }` to key its initial contexts). */
    const stringified = async (): Promise<Array<Record<string, unknown>>> => {
      const values: Array<Record<string, unknown>> = []
      JSON.stringify = ((value: any, ...rest: any[]) => {
        if (typeof value === 'object' && value !== null && !('processingMode' in value)) values.push(value)
        return (stringify as (...parts: unknown[]) => string)(value, ...rest)
      }) as typeof JSON.stringify
      try {
        await apex.fromJSONLD(structuredClone(document))
      } finally {
        JSON.stringify = stringify
      }
      return values
    }
    assert.equal((await withoutCache(stringified)).length, 20, 'jsonld alone: every context and scoped context, every time')
    const withCache = await stringified()
    assert.equal(withCache.length, 2)
    for (const value of withCache) assert.deepEqual(value, PRAXISWIKI_CONTEXT, 'a copy of the Praxiswiki context, new in every operation')
  })

  it('answers a context object it resolved before with the same ResolvedContext, without the shared cache', async () => {
    const lookups: string[] = []
    const shared = new Map()
    const sharedCache = { get: (key: string) => { lookups.push(key); return shared.get(key) }, set: (key: string, value: unknown) => shared.set(key, value) }
    const context = { mood: 'https://example.org/ns#mood' }
    const key = JSON.stringify(context)
    const [first] = await new ContextResolver({ sharedCache }).resolve({ activeCtx: {}, context, documentLoader })
    assert.deepEqual(lookups, [key, key], 'looked up, then stored')
    const [again] = await new ContextResolver({ sharedCache }).resolve({ activeCtx: {}, context: { '@context': context }, documentLoader })
    assert.equal(again, first)
    assert.deepEqual(lookups, [key, key], 'not looked up again')
    const [lookalike] = await new ContextResolver({ sharedCache }).resolve({ activeCtx: {}, context: { ...context }, documentLoader })
    assert.equal(lookalike, first, 'an equal object is found by jsonld\'s own key, as before')
    assert.deepEqual(lookups, [key, key, key])
  })
})
