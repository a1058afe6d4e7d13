import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { eventually, startInstance, type Instance } from '../federation/instances.ts'
import { form, pageSource, signIn } from '../helpers.ts'
import { validLessonSource } from '../lessons/fixtures.ts'

interface BacklinksAnswer { backlinks: Array<{ kind: string, title: string, href: string, origin: string | null }> }

describe('notifications and backlinks from a followed organisation', () => {
  let a: Instance
  let b: Instance
  before(async () => {
    [a, b] = await Promise.all([startInstance('a'), startInstance('b')])
    await b.app.federation.follows.follow(`wiki@${a.host}`, 'pages')
    await eventually(async () => (await b.app.federation.follows.listFollowing()).includes(`${a.url}/ap/u/wiki`), 15_000, 'B to follow A')
  })
  after(async () => {
    await Promise.all([a?.close(), b?.close()])
  })

  it('tells the people at B who watch a field of practice of a new lesson from A, once, and lists A\'s lesson among the pages linking to B\'s page', async () => {
    const berta = await signIn(b.app, b.app.inject.bind(b.app) as never, 'berta', 'editor')
    const watched = await berta.inject({ method: 'POST', url: '/notifications/watch', ...form({ kind: 'field', key: 'Familienhilfe', watch: 'yes' }) })
    assert.equal(watched.statusCode, 303)
    const target = await berta.inject({ method: 'POST', url: '/wiki', ...form({ title: 'Elternarbeit', source: pageSource('Elternarbeit', 'Wie wir mit Eltern arbeiten.', 'visibility: public\n') }) })
    assert.equal(target.statusCode, 303)
    // A lesson in another field reaches B too, but tells Berta nothing.
    await a.app.wiki.createPage({ source: validLessonSource({ title: 'Mittagstisch im Quartier', field: 'Quartiersarbeit', visibility: 'public' }), confirmPublication: true })

    const lesson = await a.app.wiki.createPage({
      source: validLessonSource({ visibility: 'public' }, `\n## Kontext\n\nWir haben an die [Elternarbeit in B](${b.url}/wiki/elternarbeit) angeknüpft.\n`),
      confirmPublication: true
    })
    const notificationsOf = async () => await b.app.store.db.collection('notifications').find({ recipient: 'berta' }).toArray()
    const [told] = await eventually(async () => { const found = await notificationsOf(); return found.length > 0 ? found : null }, 15_000, 'Berta told')
    assert.equal(told?.kind, 'lesson.remote')
    const list = await berta.inject({ url: '/notifications' })
    assert.match(list.body, new RegExp(`<a href="/remote/[0-9a-f]{24}">Neue Lektion von ${a.host.replace(/\./g, '\\.')}: „Elternkurs am Abend“\\.</a>`))

    const backlinks = await eventually(async () => {
      const answer = (await b.app.inject({ url: '/api/pages/elternarbeit/backlinks' })).json<BacklinksAnswer>()
      return answer.backlinks.length > 0 ? answer.backlinks : null
    }, 15_000, 'the remote backlink')
    assert.deepEqual(backlinks.map(link => [link.kind, link.title, link.origin]), [['remote', 'Elternkurs am Abend', a.host]])
    const view = await b.app.inject({ url: '/wiki/elternarbeit' })
    assert.match(view.body, /Elternkurs am Abend<\/a> <span class="origin">\(von 127\.0\.0\.1:\d+\)<\/span>/)

    // An Update of the lesson is no new lesson: Berta is not told again.
    await a.app.wiki.savePage(lesson.slug, { source: validLessonSource({ visibility: 'public', summary: 'Die Familien kamen nicht, auch nicht später.' }), baseRevisionId: lesson.revisionId.toHexString(), confirmPublication: true })
    await eventually(async () => {
      const stored = await b.app.store.db.collection('remotePages').findOne({ title: 'Elternkurs am Abend' })
      return stored?.summary === 'Die Familien kamen nicht, auch nicht später.'
    }, 15_000, 'the Update at B')
    // The Update also took the link out: the backlink goes.
    await eventually(async () => (await b.app.inject({ url: '/api/pages/elternarbeit/backlinks' })).json<BacklinksAnswer>().backlinks.length === 0, 15_000, 'the backlink gone')
    const after = await notificationsOf()
    assert.equal(after.length, 1)
    assert.equal(after[0]?.count, 1)
  })
})
