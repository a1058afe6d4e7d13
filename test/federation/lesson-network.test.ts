import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import jsonld from 'jsonld'
import { preloadedContexts } from '../../src/federation/contexts.ts'
import { importContentIfEmpty } from '../../src/wiki/content.ts'
import { contentDir } from '../lessons/fixtures.ts'
import type { RemotePageDocument } from '../../src/federation/remote-pages.ts'
import { csrfTokenOf, signIn } from '../helpers.ts'
import { eventually, startInstance, type Instance } from './instances.ts'

/** A public lesson's source; every field is written out, so the test knows what must arrive. */
const lessonSource = (fields: { title: string, outcome: string, field: string, place: string, impactStep: number, evidence?: string, strength?: string }): string => `---
title: ${fields.title}
language: de
type: lesson
visibility: public
summary: Was wir über ${fields.title} gelernt haben.
programme: Programm ${fields.title}
organisation: Träger ${fields.title}
place: ${fields.place}
field: ${fields.field}
period: { from: "2022-03", to: "2023-02" }
outcome: ${fields.outcome}
impactStep: ${fields.impactStep}
coProduction: consulted
tags: [netz]
${fields.strength ?? ''}${fields.evidence ?? ''}---
## Kontext

Text.
`

const VISITS = {
  title: 'Besuchsdienst Grünau',
  outcome: 'works',
  field: 'Altenhilfe',
  place: '{ name: "Leipzig", lat: 51.34, lon: 12.37 }',
  impactStep: 5,
  // How sure and at what cost: a randomised design, enough participants, several sites and figures rate 5.
  strength: 'evidenceDesign: randomised\nparticipants: 45\nsites: 3\ncostBand: 2\n',
  evidence: 'evidence:\n  - { figure: "38 von 45 blieben ein Jahr", source: "Teilnahmelisten", caveat: "Wer vor dem Start absprang, fehlt" }\n  - { figure: "12 Besuche im Monat", source: "Dienstplan" }\n'
}
// Before-and-after (3), too few participants (−1) and no figures (at most 1) rate 1.
const PARENTS = { title: 'Elternkurs Nord', outcome: 'fails', field: 'Familienhilfe', place: '{ name: "Halle", lat: 51.48, lon: 11.97 }', impactStep: 2, strength: 'evidenceDesign: before-after\nparticipants: 12\ncostBand: 4\n' }
const DEBTS = { title: 'Schuldnerberatung im Treff', outcome: 'mixed', field: 'Wohnungslosenhilfe', place: '{ name: "Bremen" }', impactStep: 4 }
const YOUTH = { title: 'Jugendtreff am Abend', outcome: 'open', field: 'Jugendhilfe', place: '{ name: "Köln", lat: 50.94, lon: 6.96 }', impactStep: 3 }

/** RFC 4180 records (quoted fields, doubled quotes, CRLF), keyed by the header row. */
function csvRecords (text: string): Array<Record<string, string>> {
  const rows: string[][] = [[]]
  let field = ''
  let quoted = false
  for (let index = 0; index < text.length; index++) {
    const char = text[index]!
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') { field += '"'; index++ } else if (char === '"') quoted = false
      else field += char
    } else if (char === '"') quoted = true
    else if (char === ',') { rows.at(-1)!.push(field); field = '' } else if (char === '\r' && text[index + 1] === '\n') { rows.at(-1)!.push(field); field = ''; rows.push([]); index++ } else field += char
  }
  if (field !== '' || rows.at(-1)!.length > 0) rows.at(-1)!.push(field)
  const [header = [], ...records] = rows.filter(row => row.length > 1)
  return records.map(row => Object.fromEntries(header.map((name, index) => [name, row[index] ?? ''])))
}

interface Strength { evidenceDesign: string | null, participants: number | null, sites: number | null, costBand: number | null, evidenceRating: number | null }
interface LessonItem extends Strength { title: string, origin: string, outcome: string, impactStep: number | null, place: { name: string, lat?: number, lon?: number }, evidence: unknown[], url: string, originalUrl: string, attribution: string, licence: string }
interface EvidenceJson { groups: Array<{ field: string, lessons: Array<{ url: string, title: string, origin: string, evidenceRating: number | null, costBand: number | null }> }> }
interface LessonList { total: number, lessons: LessonItem[], facets: { origin: Array<{ value: string, count: number }>, outcome: Array<{ value: string, count: number }> } }

describe('a network of lessons: C follows A and B through the API', { timeout: 240_000 }, () => {
  let a: Instance
  let b: Instance
  let c: Instance
  let emptyContent: string
  let token: string
  const created: Record<string, { slug: string, revisionId: { toHexString: () => string } }> = {}

  const api = async (method: string, url: string, body?: unknown, bearer: string | null = token): Promise<{ status: number, json: any }> => {
    const headers: Record<string, string> = { accept: 'application/json' }
    if (bearer !== null) headers.authorization = `Bearer ${bearer}`
    if (body !== undefined) headers['content-type'] = 'application/json'
    const response = await fetch(`${c.url}${url}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
    return { status: response.status, json: await response.json().catch(() => null) }
  }
  const remoteLessons = async (query = ''): Promise<LessonList> => (await (await fetch(`${c.url}/api/lessons?perPage=100${query}`)).json()) as LessonList
  const fromOthers = (list: LessonList): LessonItem[] => list.lessons.filter(lesson => lesson.origin !== 'local')
  const csvRows = async (): Promise<Array<Record<string, string>>> => csvRecords((await (await fetch(`${c.url}/lessons.csv`)).text()).replace(/^\uFEFF/, ''))
  const features = async (): Promise<Array<{ properties: Record<string, string>, geometry: { coordinates: number[] } }>> =>
    ((await (await fetch(`${c.url}/api/lessons.geojson`)).json()) as { features: Array<{ properties: Record<string, string>, geometry: { coordinates: number[] } }> }).features

  before(async () => {
    emptyContent = await mkdtemp(path.join(os.tmpdir(), 'praxiswiki-no-content-'))
    // A and B start without starter pages, so what C receives is exactly the fixture; C has them (its help pages stay home).
    a = await startInstance('a', { CONTENT_DIR: emptyContent })
    b = await startInstance('b', { CONTENT_DIR: emptyContent })
    c = await startInstance('c')
    await importContentIfEmpty(c.app.wiki, contentDir)
    for (const [instance, lessons] of [[a, [VISITS, PARENTS]], [b, [DEBTS, YOUTH]]] as const) {
      for (const lesson of lessons) created[lesson.title] = await instance.app.wiki.createPage({ source: lessonSource(lesson), confirmPublication: true })
    }
    await a.app.wiki.createPage({ source: '---\ntitle: Neuigkeiten aus A\nvisibility: public\n---\nKeine Lektion, nur Neuigkeiten.\n', confirmPublication: true })
    await Promise.all([a.app.federation.publisher.idle(), b.app.federation.publisher.idle()])
    await c.app.auth.accounts.create({ username: 'verwaltung', password: 'a long admin passphrase', role: 'admin' })
    token = (await c.app.auth.accounts.createToken('verwaltung', 'network test')).token
  })
  after(async () => {
    await Promise.all([a, b, c].map(instance => instance?.close()))
    await rm(emptyContent, { recursive: true, force: true })
  })

  it('follows A by handle and B by actor URL through the API, and refuses bad requests with 4xx', async () => {
    assert.equal((await api('POST', '/api/federation/following', { actor: `wiki@${a.host}` }, null)).status, 401)
    assert.equal((await api('POST', '/api/federation/following', {})).status, 400)
    assert.equal((await api('POST', '/api/federation/following', { actor: 'neither a handle nor a URL' })).status, 400)
    assert.equal((await api('POST', '/api/federation/following', { actor: `wiki@${a.host}`, scope: 'everything' })).status, 400)
    assert.equal((await api('DELETE', '/api/federation/following/not-an-id')).status, 400)
    assert.equal((await api('DELETE', '/api/federation/following/0123456789abcdef01234567')).status, 404)

    const followedA = await api('POST', '/api/federation/following', { actor: `wiki@${a.host}` })
    assert.equal(followedA.status, 202)
    assert.equal(followedA.json.actor, `${a.url}/ap/u/wiki`)
    assert.equal(followedA.json.scope, 'lessons')
    const followedB = await api('POST', '/api/federation/following', { actor: `${b.url}/ap/u/wiki` })
    assert.equal(followedB.status, 202)
    assert.equal(followedB.json.actor, `${b.url}/ap/u/wiki`)

    const listed = await eventually(async () => {
      const { json } = await api('GET', '/api/federation/following')
      const states = (json.following as Array<{ actor: string, state: string }>).map(entry => `${entry.actor} ${entry.state}`).sort()
      return states.length === 2 && states.every(state => state.endsWith('accepted')) ? json.following : null
    }, 20_000, 'both follows accepted')
    assert.deepEqual(listed.map((entry: { id: string }) => entry.id).sort(), [followedA.json.id, followedB.json.id].sort())
  })

  it('lists, counts and exports the lessons of A and B with their origin, exactly the fixture', async () => {
    const list = await eventually(async () => { const found = await remoteLessons(); return fromOthers(found).length >= 4 ? found : null }, 30_000, 'four lessons from A and B at C')
    const others = fromOthers(list)
    assert.deepEqual(others.map(lesson => `${lesson.origin}: ${lesson.title} (${lesson.outcome})`).sort(), [
      'Wiki a: Besuchsdienst Grünau (works)',
      'Wiki a: Elternkurs Nord (fails)',
      'Wiki b: Jugendtreff am Abend (open)',
      'Wiki b: Schuldnerberatung im Treff (mixed)'
    ])
    const counts = Object.fromEntries(list.facets.origin.map(item => [item.value, item.count]))
    assert.equal(counts['Wiki a'], 2)
    assert.equal(counts['Wiki b'], 2)
    assert.equal((await remoteLessons('&origin=Wiki%20b')).total, 2)
    assert.equal((await remoteLessons('&origin=Wiki%20a&outcome=fails')).total, 1)

    const visits = others.find(lesson => lesson.title === VISITS.title)!
    assert.equal(visits.impactStep, 5)
    assert.deepEqual(visits.place, { name: 'Leipzig', lat: 51.34, lon: 12.37 })
    assert.deepEqual(visits.evidence, [
      { figure: '38 von 45 blieben ein Jahr', source: 'Teilnahmelisten', caveat: 'Wer vor dem Start absprang, fehlt' },
      { figure: '12 Besuche im Monat', source: 'Dienstplan' }
    ])
    assert.equal(visits.originalUrl, `${a.url}/wiki/${created[VISITS.title]!.slug}`)
    assert.equal(visits.attribution, `Wiki a (${a.host})`)
    assert.match(visits.url, new RegExp(`^${c.url}/remote/[0-9a-f]{24}$`))

    const rows = (await csvRows()).filter(row => row.origin !== 'local')
    assert.equal(rows.length, 4)
    const visitsRow = rows.find(row => row.title === VISITS.title)!
    assert.equal(visitsRow.original_url, visits.originalUrl)
    assert.equal(visitsRow.licence, 'CC-BY-SA-4.0')
    assert.equal(visitsRow.attribution, `Wiki a (${a.host})`)
    assert.equal(visitsRow.outcome, 'works')
    const mapped = (await features()).filter(feature => feature.properties.origin !== 'local')
    // Bremen was given without coordinates.
    assert.deepEqual(mapped.map(feature => feature.properties.title).sort(), [PARENTS.title, VISITS.title, YOUTH.title].sort())
    assert.deepEqual(mapped.find(feature => feature.properties.title === YOUTH.title)!.geometry.coordinates, [6.96, 50.94])
  })

  it('shows how sure and at what cost a lesson of A is at C as at A, in /api/lessons and /api/evidence', async () => {
    const strengthOf = (lesson: LessonItem): Strength => ({ evidenceDesign: lesson.evidenceDesign, participants: lesson.participants, sites: lesson.sites, costBand: lesson.costBand, evidenceRating: lesson.evidenceRating })
    const atC = fromOthers(await remoteLessons('&origin=Wiki%20a'))
    assert.deepEqual(strengthOf(atC.find(lesson => lesson.title === VISITS.title)!), { evidenceDesign: 'randomised', participants: 45, sites: 3, costBand: 2, evidenceRating: 5 })
    assert.deepEqual(strengthOf(atC.find(lesson => lesson.title === PARENTS.title)!), { evidenceDesign: 'before-after', participants: 12, sites: null, costBand: 4, evidenceRating: 1 })
    const atA = ((await (await fetch(`${a.url}/api/lessons?perPage=100`)).json()) as LessonList).lessons
    for (const title of [VISITS.title, PARENTS.title]) {
      assert.deepEqual(strengthOf(atC.find(lesson => lesson.title === title)!), strengthOf(atA.find(lesson => lesson.title === title)!), title)
    }

    const evidence = async (url: string): Promise<EvidenceJson> => (await (await fetch(`${url}/api/evidence`)).json()) as EvidenceJson
    const rowsOf = (body: EvidenceJson, origin: string): string[] => body.groups
      .flatMap(group => group.lessons.filter(lesson => lesson.origin === origin).map(lesson => `${group.field}: ${lesson.title} rating ${lesson.evidenceRating} cost ${lesson.costBand}`))
      .sort()
    assert.deepEqual(rowsOf(await evidence(c.url), 'Wiki a'), [
      'Altenhilfe: Besuchsdienst Grünau rating 5 cost 2',
      'Familienhilfe: Elternkurs Nord rating 1 cost 4'
    ])
    assert.deepEqual(rowsOf(await evidence(c.url), 'Wiki a'), rowsOf(await evidence(a.url), 'local'))
  })

  it('finds the remote lessons in search, with their outcome and origin as facets', async () => {
    const found = await eventually(async () => {
      const response = await fetch(`${c.url}/api/search?q=Besuchsdienst&outcome=works`)
      if (response.status !== 200) return null
      const answer = await response.json() as { results: Array<{ title: string, url: string }>, facets: Record<string, Array<{ value: string, count: number }>> }
      return answer.results.some(result => result.title === VISITS.title) ? answer : null
    }, 60_000, 'the remote lesson in search')
    assert.match(found.results.find(result => result.title === VISITS.title)!.url, /\/remote\/[0-9a-f]{24}$/)
    assert.deepEqual(found.facets.origin?.map(item => item.value), [a.host])
  })

  it('takes lessons only by default: neither the plain page of A nor anyone\'s help pages arrive', async () => {
    const titles = (await c.app.store.db.collection<RemotePageDocument>('remotePages').find({}).toArray()).map(page => page.title)
    assert.ok(!titles.includes('Neuigkeiten aus A'), 'a page that is no lesson')
    // C's own starter help page is public, yet not published to other servers.
    const welcome = await fetch(`${c.url}/wiki/welcome`, { headers: { accept: 'application/activity+json' } })
    assert.equal(welcome.status, 404)
    const starterLesson = (await (await fetch(`${c.url}/api/lessons?origin=local&perPage=1`)).json() as LessonList).lessons[0]!
    const published = await fetch(starterLesson.url, { headers: { accept: 'application/activity+json' } })
    assert.equal(published.status, 200, 'a starter lesson is published as before')
  })

  it('shows a remote lesson with its fact box and evidence below the banner', async () => {
    const visits = fromOthers(await remoteLessons()).find(lesson => lesson.title === VISITS.title)!
    const html = await (await fetch(visits.url, { headers: { 'accept-language': 'en' } })).text()
    const banner = html.indexOf('class="remote-banner"')
    const facts = html.indexOf('class="lesson-facts"')
    assert.ok(banner >= 0 && facts > banner, 'the fact box below the banner')
    assert.match(html, /<dt>Programme<\/dt><dd>Programm Besuchsdienst Grünau<\/dd>/)
    assert.match(html, /<td>38 von 45 blieben ein Jahr<\/td><td>Teilnahmelisten<\/td><td>Wer vor dem Start absprang, fehlt<\/td>/)
    assert.doesNotMatch(html, /Edit with the form/)
  })

  it('sends Articles whose JSON-LD expansion keeps every lesson field as its own property', async () => {
    const article = await (await fetch(`${a.url}/wiki/${created[VISITS.title]!.slug}`, { headers: { accept: 'application/activity+json' } })).json() as Record<string, unknown>
    const contexts = preloadedContexts()
    const documentLoader = async (url: string): Promise<unknown> => {
      const known = contexts.get(url)
      if (known === undefined) throw new Error(`no network in this test: ${url}`)
      return known
    }
    const [expanded] = await jsonld.expand(article as jsonld.JsonLdDocument, { documentLoader: documentLoader as never }) as Array<Record<string, any>>
    const lw = 'https://praxiswiki.org/ns/lesson#'
    const schema = 'https://schema.org/'
    const lesson = expanded![`${lw}lesson`][0]
    const value = (node: Record<string, any>, iri: string): unknown => node[iri]?.[0]?.['@value']
    assert.deepEqual(lesson['@type'], [`${lw}Lesson`])
    assert.equal(value(lesson, `${lw}programme`), 'Programm Besuchsdienst Grünau')
    assert.equal(value(lesson, `${lw}organisation`), 'Träger Besuchsdienst Grünau')
    assert.equal(value(lesson, `${lw}fieldOfPractice`), 'Altenhilfe')
    assert.equal(value(lesson, `${lw}outcome`), 'works')
    assert.equal(value(lesson, `${lw}impactStep`), 5)
    assert.equal(value(lesson, `${lw}coProduction`), 'consulted')
    const place = lesson[`${lw}place`][0]
    assert.deepEqual(place['@type'], [`${schema}Place`])
    assert.equal(value(place, `${schema}name`), 'Leipzig')
    const geo = place[`${schema}geo`][0]
    assert.equal(value(geo, `${schema}latitude`), 51.34)
    assert.equal(value(geo, `${schema}longitude`), 12.37)
    const period = lesson[`${lw}period`][0]
    assert.equal(value(period, `${schema}startDate`), '2022-03')
    assert.equal(value(period, `${schema}endDate`), '2023-02')
    const evidence = lesson[`${lw}evidence`][0]['@list'] as Array<Record<string, any>>
    assert.deepEqual(evidence.map(row => [value(row, `${lw}figure`), value(row, `${lw}figureSource`), value(row, `${lw}caveat`)]), [
      ['38 von 45 blieben ein Jahr', 'Teilnahmelisten', 'Wer vor dem Start absprang, fehlt'],
      ['12 Besuche im Monat', 'Dienstplan', undefined]
    ])
  })

  it('follows an Update on A that changes an outcome in every list and export of C', async () => {
    const { slug, revisionId } = created[PARENTS.title]!
    await a.app.wiki.savePage(slug, { source: lessonSource({ ...PARENTS, outcome: 'mixed' }), baseRevisionId: revisionId.toHexString(), confirmPublication: true })
    await eventually(async () => (await remoteLessons('&origin=Wiki%20a&outcome=mixed')).total === 1, 20_000, 'the changed outcome at C')
    assert.equal((await remoteLessons('&origin=Wiki%20a&outcome=fails')).total, 0)
    assert.equal((await csvRows()).find(row => row.title === PARENTS.title)?.outcome, 'mixed')
    assert.equal((await features()).find(feature => feature.properties.title === PARENTS.title)?.properties.outcome, 'mixed')
  })

  it('removes a lesson deleted on B from every list and export of C', async () => {
    await b.app.wiki.deletePage(created[YOUTH.title]!.slug)
    await b.app.federation.publisher.idle()
    await eventually(async () => !fromOthers(await remoteLessons()).some(lesson => lesson.title === YOUTH.title), 20_000, 'the deleted lesson gone from C')
    assert.equal((await remoteLessons('&origin=Wiki%20b')).total, 1)
    assert.ok(!(await csvRows()).some(row => row.title === YOUTH.title))
    assert.ok(!(await features()).some(feature => feature.properties.title === YOUTH.title))
    const jsonLd = await (await fetch(`${c.url}/lessons.jsonld`)).text()
    assert.ok(!jsonLd.includes(YOUTH.title))
    assert.ok(jsonLd.includes(VISITS.title))
  })

  it('forks a remote lesson into a page that names the original on the page and in its history', async () => {
    const visits = fromOthers(await remoteLessons()).find(lesson => lesson.title === VISITS.title)!
    const editor = await signIn(c.app, c.app.inject.bind(c.app) as never, 'redaktion', 'editor')
    const remotePath = new URL(visits.url).pathname
    const form = await editor.inject({ url: remotePath })
    const forked = await editor.inject({ method: 'POST', url: `${remotePath}/fork`, headers: { 'x-csrf-token': csrfTokenOf(form.body) } })
    assert.equal(forked.statusCode, 303, forked.body.slice(0, 300))
    const location = String(forked.headers.location)
    const page = await editor.inject({ url: location, headers: { 'accept-language': 'en' } })
    assert.match(page.body, /class="fork-attribution"/)
    assert.match(page.body, new RegExp(`This page is a fork of “Besuchsdienst Grünau” by Wiki a \\(${a.host.replace(/\./g, '\\.')}\\), published under CC-BY-SA-4.0\\.`))
    assert.ok(page.body.includes(`href="${visits.originalUrl}"`), 'a link to the original')
    const history = await editor.inject({ url: `${location}/history`, headers: { 'accept-language': 'en' } })
    // The history speaks the language of the person who forked (here the default, German).
    assert.ok(history.body.includes(`Übernommen: „Besuchsdienst Grünau“ von Wiki a, ${visits.originalUrl}`))
  })

  it('unfollows through the API', async () => {
    const { json } = await api('GET', '/api/federation/following')
    const followB = (json.following as Array<{ id: string, actor: string }>).find(entry => entry.actor === `${b.url}/ap/u/wiki`)!
    const gone = await api('DELETE', `/api/federation/following/${followB.id}`)
    assert.equal(gone.status, 200)
    assert.equal(gone.json.state, 'withdrawn')
    const after = await api('GET', '/api/federation/following')
    assert.deepEqual((after.json.following as Array<{ actor: string }>).map(entry => entry.actor), [`${a.url}/ap/u/wiki`])
  })
})
