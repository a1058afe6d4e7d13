import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { form, startTestApp, type TestApp } from '../helpers.ts'
import { validLessonSource } from './fixtures.ts'

interface LessonList { total: number, lessons: Array<{ title: string, url: string, outcome: string }> }
interface EvidenceJson { groups: Array<{ field: string, counts: Record<string, number>, lessons: Array<{ title: string, url: string }> }> }

/** Only this file's lessons carry the tag, so the starter lessons stay out of every count here. */
const TAG = 'folgetest'

const source = (extra: Record<string, string> = {}): string =>
  validLessonSource({ title: 'Mittagstisch im Quartier', field: 'Altenhilfe', outcome: 'works', visibility: 'public', tags: `[${TAG}]`, ...extra })

describe('the lesson listing after each change, asked right after the change answers', () => {
  let test: TestApp
  let slug = ''
  let revision = ''

  const listed = async (): Promise<LessonList> => (await test.anonymous({ url: `/api/lessons?tag=${TAG}` })).json<LessonList>()
  const evidence = async (): Promise<EvidenceJson> => (await test.anonymous({ url: `/api/evidence?tag=${TAG}` })).json<EvidenceJson>()
  const save = async (text: string): Promise<void> => {
    const saved = await test.app.inject({ method: 'PUT', url: `/api/pages/${slug}`, payload: { source: text, baseRevision: revision, confirmPublication: true } })
    assert.equal(saved.statusCode, 200, saved.body)
    revision = saved.json<{ revision: string }>().revision
  }

  before(async () => {
    test = await startTestApp()
    // The listing is read in full here, once; every change below must reach it on its own.
    assert.equal((await listed()).total, 0)
    assert.deepEqual((await evidence()).groups, [])
  })
  after(async () => { await test.close() })

  it('lists a saved lesson in /api/lessons and /api/evidence as soon as the save answers', async () => {
    const created = await test.app.inject({ method: 'POST', url: '/api/pages', payload: { source: source(), confirmPublication: true } })
    assert.equal(created.statusCode, 201, created.body)
    ;({ slug, revision } = created.json<{ slug: string, revision: string }>())
    assert.deepEqual((await listed()).lessons.map(lesson => [lesson.title, lesson.outcome]), [['Mittagstisch im Quartier', 'works']])
    assert.deepEqual((await evidence()).groups.map(group => [group.field, group.counts]), [['Altenhilfe', { works: 1, fails: 0, mixed: 0, open: 0 }]])
  })

  it('counts an edit that changes the outcome under the new outcome only', async () => {
    await save(source({ outcome: 'fails' }))
    assert.deepEqual((await listed()).lessons.map(lesson => lesson.outcome), ['fails'])
    assert.equal((await test.anonymous({ url: `/api/lessons?tag=${TAG}&outcome=works` })).json<LessonList>().total, 0)
    assert.deepEqual((await evidence()).groups.map(group => group.counts), [{ works: 0, fails: 1, mixed: 0, open: 0 }])
  })

  it('keeps one entry for a renamed lesson, under its new address', async () => {
    const renamed = await test.app.inject({ method: 'POST', url: `/wiki/${slug}/rename`, ...form({ title: 'Mittagstisch im Stadtteil', baseRevision: revision }) })
    assert.equal(renamed.statusCode, 303, renamed.body)
    slug = String(renamed.headers.location).replace('/wiki/', '')
    revision = (await test.app.inject({ url: `/api/pages/${slug}` })).json<{ revision: string }>().revision
    assert.deepEqual((await listed()).lessons.map(lesson => [lesson.title, lesson.url]), [['Mittagstisch im Stadtteil', `http://wiki.test/wiki/${slug}`]])
    assert.deepEqual((await evidence()).groups.flatMap(group => group.lessons.map(lesson => lesson.url)), [`http://wiki.test/wiki/${slug}`])
  })

  it('drops a page whose type stops being lesson, and lists it again when it is one again', async () => {
    await save(`---\ntitle: Mittagstisch im Stadtteil\nvisibility: public\ntags: [${TAG}]\n---\nNur noch Notizen.\n`)
    assert.equal((await listed()).total, 0)
    assert.deepEqual((await evidence()).groups, [])
    await save(source({ title: 'Mittagstisch im Stadtteil', outcome: 'mixed' }))
    assert.deepEqual((await listed()).lessons.map(lesson => lesson.outcome), ['mixed'])
  })

  it('removes a deleted lesson from /api/lessons and /api/evidence', async () => {
    const deleted = await test.app.inject({ method: 'DELETE', url: `/api/pages/${slug}`, payload: {} })
    assert.equal(deleted.statusCode, 200, deleted.body)
    assert.equal((await listed()).total, 0)
    assert.deepEqual((await evidence()).groups, [])
  })
})
