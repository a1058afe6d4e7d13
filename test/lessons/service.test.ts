import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { sortLessons } from '../../src/lessons/browse.ts'
import type { RemoteLessonRecord } from '../../src/lessons/remote-lessons.ts'
import { createLessonService, type StoredLessonPage } from '../../src/lessons/service.ts'

const page = (id: string, fields: { slug?: string, outcome?: string, type?: string, created?: number } = {}): StoredLessonPage & { id: string } => ({
  id,
  _id: { toHexString: () => id },
  slug: fields.slug ?? `seite-${id}`,
  title: `Seite ${id}`,
  language: 'de',
  frontMatter: { outcome: fields.outcome ?? 'works', field: 'Altenhilfe' },
  fields: { tags: [], licence: 'CC-BY-SA-4.0', visibility: 'public', type: fields.type ?? 'lesson' },
  createdAt: new Date(Date.UTC(2024, 0, 1) + (fields.created ?? 0) * 60_000),
  updatedAt: new Date(Date.UTC(2024, 0, 1))
})

const record = (objectId: string, outcome = 'works'): RemoteLessonRecord => ({
  id: `id-${objectId}`,
  objectId,
  title: `Fern ${objectId}`,
  summary: '',
  language: 'de',
  licence: 'CC-BY-SA-4.0',
  tags: [],
  organisation: 'Wiki b',
  host: 'b.test',
  originalUrl: `https://b.test/wiki/${objectId}`,
  visibility: 'public',
  fields: { outcome, field: 'Jugendhilfe' },
  published: new Date(Date.UTC(2024, 1, 1)),
  updated: new Date(Date.UTC(2024, 1, 1))
})

/** A promise and the function that settles it: a reader that answers when the test says so. */
function gate<T> (): { promise: Promise<T>, open: (value: T) => void } {
  let open!: (value: T) => void
  const promise = new Promise<T>(resolve => { open = resolve })
  return { promise, open }
}

const summary = (lessons: ReadonlyArray<{ slug: string, outcome: string }>): string[] => lessons.map(lesson => `${lesson.slug} ${lesson.outcome}`).sort()

describe('the lesson listing, kept lesson by lesson', () => {
  it('applies the page events that arrive while the first full read runs, after it', async () => {
    const pages = gate<StoredLessonPage[]>()
    const lessons = createLessonService({ wiki: { pagesOfType: async () => await pages.promise } })
    const listing = lessons.all()
    // The read has started and sees the state from before these changes.
    lessons.pageSaved(page('b', { outcome: 'fails' }))
    lessons.pageSaved(page('a', { outcome: 'mixed' }))
    lessons.pageDeleted('c')
    lessons.pageSaved(page('d', { type: 'page' }))
    pages.open([page('a'), page('c'), page('d')])
    assert.deepEqual(summary(await listing), ['seite-a mixed', 'seite-b fails'])
  })

  it('reads a remote lesson again by its id when it changes during the first read, and after it', async () => {
    const records = gate<RemoteLessonRecord[]>()
    const stored = new Map([['https://b.test/1', record('https://b.test/1')], ['https://b.test/2', record('https://b.test/2')]])
    const lessons = createLessonService({
      wiki: { pagesOfType: async () => [] },
      remoteLessons: async () => await records.promise,
      remoteLesson: async objectId => stored.get(objectId) ?? null
    })
    const listing = lessons.all()
    stored.delete('https://b.test/1')
    lessons.remoteChanged('https://b.test/1')
    stored.set('https://b.test/3', record('https://b.test/3', 'open'))
    lessons.remoteChanged('https://b.test/3')
    records.open([record('https://b.test/1'), record('https://b.test/2')])
    assert.deepEqual((await listing).map(lesson => lesson.title).sort(), ['Fern https://b.test/2', 'Fern https://b.test/3'])

    // Once read, a change is read on its own, and a list asked for after the event waits for that read.
    const slow = gate<void>()
    stored.set('https://b.test/2', record('https://b.test/2', 'fails'))
    const reading = createLessonService({
      wiki: { pagesOfType: async () => [] },
      remoteLessons: async () => [record('https://b.test/2')],
      remoteLesson: async objectId => { await slow.promise; return stored.get(objectId) ?? null }
    })
    assert.deepEqual((await reading.all()).map(lesson => lesson.outcome), ['works'])
    reading.remoteChanged('https://b.test/2')
    const after = reading.all()
    slow.open()
    assert.deepEqual((await after).map(lesson => lesson.outcome), ['fails'])
  })

  it('reads 200,000 stored lessons at once', async () => {
    const stored = Array.from({ length: 200_000 }, (_, n) => page(`p${n}`, { created: n }))
    const lessons = createLessonService({ wiki: { pagesOfType: async () => stored } })
    const all = await lessons.all()
    assert.equal(all.length, 200_000)
    assert.equal(all[0]?.slug, page('p199999').slug)
  })

  it('keeps the same array until a lesson changes', async () => {
    const lessons = createLessonService({ wiki: { pagesOfType: async () => [page('a')] } })
    const first = await lessons.all()
    assert.equal(await lessons.all(), first)
    lessons.pageDeleted('not-a-lesson')
    assert.equal(await lessons.all(), first)
    lessons.pageSaved(page('b'))
    assert.notEqual(await lessons.all(), first)
  })

  it('lists what a full read of the same pages lists, newest first, over 200 seeded random changes', async () => {
    let seed = 18
    const random = (below: number): number => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % below }
    const truth = new Map<string, StoredLessonPage & { id: string }>()
    const lessons = createLessonService({ wiki: { pagesOfType: async () => [...truth.values()] } })
    await lessons.all()
    const outcomes = ['works', 'fails', 'mixed', 'open']
    for (let round = 0; round < 200; round++) {
      const id = String(random(30))
      if (random(5) === 0) {
        truth.delete(id)
        lessons.pageDeleted(id)
      } else {
        // Slugs change (renames), creation times collide (ties broken by slug), some pages stop being lessons.
        const changed = page(id, { slug: `s${random(40)}-${id}`, outcome: outcomes[random(4)], type: random(6) === 0 ? 'page' : 'lesson', created: random(10) })
        truth.set(id, changed)
        lessons.pageSaved(changed)
      }
      const full = createLessonService({ wiki: { pagesOfType: async () => [...truth.values()] } })
      const expected = sortLessons(await full.all(), 'newest').map(lesson => `${lesson.slug} ${lesson.outcome}`)
      assert.deepEqual((await lessons.all()).map(lesson => `${lesson.slug} ${lesson.outcome}`), expected, `round ${round}`)
    }
  })
})
