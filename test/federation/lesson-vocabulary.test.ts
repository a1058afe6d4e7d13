import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { RemotePageDocument } from '../../src/federation/remote-pages.ts'
import { eventually, handledBy, startInstance, type Instance } from './instances.ts'
import { makeKeyPair, mastodonActor, signedPost, startFakeServer, type FakeServer, type KeyPair } from './peer.ts'

describe('the lesson vocabulary, served and read', { timeout: 120_000 }, () => {
  let wiki: Instance
  let fake: FakeServer
  let keys: KeyPair
  let actorId: string

  /** Posts as the followed peer, signed, and waits until the wiki has handled it. */
  const post = async (body: Record<string, unknown>): Promise<{ status: number, text: string }> => {
    const handled = handledBy(wiki, body.id as string)
    const answer = await signedPost(`${wiki.url}/ap/inbox/wiki`, JSON.stringify(body), { keyId: `${actorId}#main-key`, privateKeyPem: keys.privateKeyPem })
    if (answer.status < 300) await handled
    return answer
  }
  const stored = async (objectId: string): Promise<RemotePageDocument | null> =>
    await wiki.app.store.db.collection<RemotePageDocument>('remotePages').findOne({ objectId })

  before(async () => {
    wiki = await startInstance('vocabulary')
    fake = await startFakeServer()
    keys = makeKeyPair()
    fake.documents.set('/users/other', mastodonActor(fake, 'other', keys))
    actorId = `${fake.url}/users/other`
    await wiki.app.federation.follows.follow(actorId)
    const follow = JSON.parse((await eventually(async () => fake.received.find(entry => JSON.parse(entry.body).type === 'Follow'), 15_000, 'the Follow')).body)
    const accepted = await post({ '@context': 'https://www.w3.org/ns/activitystreams', id: `${actorId}#accept-1`, type: 'Accept', actor: actorId, object: follow })
    assert.ok(accepted.status < 300, accepted.text)
  })
  after(async () => {
    await wiki?.close()
    await fake?.close()
  })

  it('serves the versioned context as cacheable JSON-LD that any origin may read', async () => {
    const response = await fetch(`${wiki.url}/ns/lesson/v1`)
    assert.equal(response.status, 200)
    assert.match(response.headers.get('content-type') ?? '', /^application\/ld\+json/)
    assert.equal(response.headers.get('access-control-allow-origin'), '*')
    assert.match(response.headers.get('cache-control') ?? '', /public, max-age=\d+/)
    const { '@context': context } = await response.json() as { '@context': Record<string, any> }
    assert.equal(context.pwl, 'https://praxiswiki.org/ns/lesson#')
    assert.equal(context.lesson['@id'], 'pwl:lesson')
    assert.equal(context.place['@context'].name, 'schema:name')
    assert.equal(context.evidence['@container'], '@list')
  })

  it('describes every term with its IRI for people, in German and English', async () => {
    const english = await (await fetch(`${wiki.url}/ns/lesson`, { headers: { 'accept-language': 'en' } })).text()
    const german = await (await fetch(`${wiki.url}/ns/lesson`, { headers: { 'accept-language': 'de' } })).text()
    assert.match(english, /<h1>Vocabulary for lessons<\/h1>/)
    assert.match(german, /<h1>Vokabular für Lektionen<\/h1>/)
    for (const iri of ['https://praxiswiki.org/ns/lesson#programme', 'https://praxiswiki.org/ns/lesson#organisation', 'https://praxiswiki.org/ns/lesson#fieldOfPractice',
      'https://praxiswiki.org/ns/lesson#outcome', 'https://praxiswiki.org/ns/lesson#impactStep', 'https://praxiswiki.org/ns/lesson#coProduction',
      'https://praxiswiki.org/ns/lesson#place', 'https://schema.org/name', 'https://schema.org/geo', 'https://schema.org/latitude', 'https://schema.org/longitude',
      'https://praxiswiki.org/ns/lesson#period', 'https://schema.org/startDate', 'https://schema.org/endDate', 'https://praxiswiki.org/ns/lesson#evidence',
      'https://praxiswiki.org/ns/lesson#figure', 'https://praxiswiki.org/ns/lesson#figureSource', 'https://praxiswiki.org/ns/lesson#caveat']) {
      assert.ok(english.includes(`<code>${iri}</code>`), iri)
    }
  })

  it('reads a lesson written with other prefixes for the same IRIs', async () => {
    const articleId = `${fake.url}/articles/prefixes`
    const answer = await post({
      '@context': ['https://www.w3.org/ns/activitystreams', { lw: 'https://praxiswiki.org/ns/lesson#', sdo: 'https://schema.org/' }],
      id: `${articleId}#create`,
      type: 'Create',
      actor: actorId,
      to: ['https://www.w3.org/ns/activitystreams#Public'],
      object: {
        id: articleId,
        type: 'Article',
        attributedTo: actorId,
        name: 'Mittagstisch',
        content: '<p>Text</p>',
        to: ['https://www.w3.org/ns/activitystreams#Public'],
        'lw:lesson': {
          'lw:programme': 'Mittagstisch',
          'lw:outcome': 'works',
          'lw:impactStep': 4,
          'lw:fieldOfPractice': 'Quartiersarbeit',
          'lw:place': { 'sdo:name': 'Kassel', 'sdo:geo': { 'sdo:latitude': 51.31, 'sdo:longitude': 9.49 } },
          'lw:period': { 'sdo:startDate': '2021-05' },
          'lw:evidence': { '@list': [{ 'lw:figure': '40 Essen am Tag', 'lw:figureSource': 'Kassenbuch' }] }
        }
      }
    })
    assert.ok(answer.status < 300, answer.text)
    const page = await eventually(async () => await stored(articleId), 10_000, 'the Article stored')
    assert.deepEqual(page.lesson, {
      programme: 'Mittagstisch',
      outcome: 'works',
      impactStep: 4,
      field: 'Quartiersarbeit',
      place: { name: 'Kassel', lat: 51.31, lon: 9.49 },
      period: { from: '2021-05' },
      evidence: [{ figure: '40 Essen am Tag', source: 'Kassenbuch' }]
    })
  })

  it('still reads the lesson literal of older Praxiswiki instances', async () => {
    const articleId = `${fake.url}/articles/literal`
    const answer = await post({
      '@context': ['https://www.w3.org/ns/activitystreams', { pw: 'https://praxiswiki.org/ns#', lesson: { '@id': 'pw:lesson', '@type': '@json' } }],
      id: `${articleId}#create`,
      type: 'Create',
      actor: actorId,
      object: {
        id: articleId,
        type: 'Article',
        attributedTo: actorId,
        name: 'Alte Lektion',
        content: '<p>Text</p>',
        lesson: { type: 'lesson', outcome: 'fails', field: 'Suchthilfe', place: { name: 'Jena' }, evidence: [{ figure: '3 von 20', source: 'Liste', caveat: 'klein' }] }
      }
    })
    assert.ok(answer.status < 300, answer.text)
    const page = await eventually(async () => await stored(articleId), 10_000, 'the Article stored')
    assert.deepEqual(page.lesson, { outcome: 'fails', field: 'Suchthilfe', place: { name: 'Jena' }, evidence: [{ figure: '3 von 20', source: 'Liste', caveat: 'klein' }] })
  })

  it('keeps a lesson with malformed fields without them, and lists it, never answering 500', async () => {
    const articleId = `${fake.url}/articles/malformed`
    // Rows of one value each keep the activity under the inbox's limit of 20,000 values (a larger one is refused whole with 400).
    const rows = Array.from({ length: 10_000 }, (_, index) => `Zahl ${index}`)
    const answer = await post({
      '@context': ['https://www.w3.org/ns/activitystreams', { lw: 'https://praxiswiki.org/ns/lesson#', sdo: 'https://schema.org/' }],
      id: `${articleId}#create`,
      type: 'Create',
      actor: actorId,
      to: ['https://www.w3.org/ns/activitystreams#Public'],
      object: {
        id: articleId,
        type: 'Article',
        attributedTo: actorId,
        name: 'Kaputte Felder',
        content: '<p>Text</p>',
        to: ['https://www.w3.org/ns/activitystreams#Public'],
        'lw:lesson': {
          'lw:programme': 'Sprechstunde',
          'lw:outcome': 'brilliant',
          'lw:impactStep': 12,
          'lw:fieldOfPractice': 'Familienhilfe',
          'lw:place': { 'sdo:name': 'Kiel', 'sdo:geo': { 'sdo:latitude': 123, 'sdo:longitude': 10.1 } },
          'lw:evidence': { '@list': rows }
        }
      }
    })
    assert.ok(answer.status < 300, `${answer.status} ${answer.text.slice(0, 200)}`)
    const page = await eventually(async () => await stored(articleId), 20_000, 'the Article stored')
    assert.equal(page.title, 'Kaputte Felder')
    assert.deepEqual(page.lesson, { programme: 'Sprechstunde', field: 'Familienhilfe', place: { name: 'Kiel' } })
    const listed = await (await fetch(`${wiki.url}/api/lessons?origin=${encodeURIComponent(String(page.actorName))}&perPage=100`)).json() as { lessons: Array<{ title: string, outcome: string, impactStep: number | null, evidence: unknown[] }> }
    const item = listed.lessons.find(lesson => lesson.title === 'Kaputte Felder')
    assert.deepEqual(item && { outcome: item.outcome, impactStep: item.impactStep, evidence: item.evidence }, { outcome: 'open', impactStep: null, evidence: [] })
  })
})
