import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readFile, readdir, rm, writeFile, mkdir } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { EventBus } from '../../src/events/index.ts'
import { openStore, type Store } from '../../src/store/index.ts'
import { exportContent, importContent, importContentIfEmpty } from '../../src/wiki/content.ts'
import type { WikiEvents } from '../../src/wiki/events.ts'
import { createWikiService, type WikiService } from '../../src/wiki/service.ts'

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'content')

async function listFiles (dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  return entries.filter(entry => entry.isFile()).map(entry => path.relative(dir, path.join(entry.parentPath, entry.name))).sort()
}

describe('content import and export', () => {
  let dir: string
  let store: Store
  let wiki: WikiService
  let events: EventBus<WikiEvents>

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'praxiswiki-content-'))
    store = await openStore({ dataDir: path.join(dir, 'data') })
    events = new EventBus<WikiEvents>()
    wiki = createWikiService({ db: store.db, events })
    await wiki.ensureIndexes()
  })
  after(async () => {
    await store.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('imports every file on first start and announces each page', async () => {
    const saved: string[] = []
    const off = events.on('page.saved', event => { saved.push(event.page.slug) })
    assert.equal(await importContentIfEmpty(wiki, fixtures), 3)
    off()
    assert.deepEqual(saved.sort(), ['lunch-club', 'mittagstisch-im-quartier', 'startseite'])
    const lesson = (await wiki.resolve('mittagstisch-im-quartier'))
    assert.equal(lesson.kind, 'page')
    if (lesson.kind !== 'page') return
    assert.deepEqual(lesson.page.frontMatter.place, { name: 'Köln-Kalk', lat: 50.94, lon: 6.99 })
    assert.equal(lesson.page.fields.type, 'lesson')
    assert.equal(lesson.page.language, 'de')
  })

  it('does not import again once the store has pages', async () => {
    assert.equal(await importContentIfEmpty(wiki, fixtures), 0)
  })

  it('exports files identical to the ones imported', async () => {
    const out = path.join(dir, 'export')
    assert.equal(await exportContent(wiki, out), 3)
    assert.deepEqual(await listFiles(out), await listFiles(fixtures))
    for (const file of await listFiles(fixtures)) {
      assert.equal(await readFile(path.join(out, file), 'utf8'), await readFile(path.join(fixtures, file), 'utf8'), file)
    }
  })

  it('reports an unchanged re-import as unchanged and an edited file as updated', async () => {
    const copy = path.join(dir, 'copy')
    await mkdir(path.join(copy, 'de'), { recursive: true })
    await mkdir(path.join(copy, 'en'), { recursive: true })
    for (const file of await listFiles(fixtures)) {
      await writeFile(path.join(copy, file), await readFile(path.join(fixtures, file), 'utf8'))
    }
    await writeFile(path.join(copy, 'en', 'lunch-club.md'), '---\ntitle: Lunch club\nlanguage: en\n---\nChanged.\n')
    const progress: number[] = []
    const result = await importContent(wiki, copy, { onProgress: done => progress.push(done) })
    assert.deepEqual({ created: result.created, updated: result.updated, unchanged: result.unchanged }, { created: 0, updated: 1, unchanged: 2 })
    assert.deepEqual(progress, [1, 2, 3])
  })

  it('reports bad files and imports the rest', async () => {
    const bad = path.join(dir, 'bad')
    await mkdir(path.join(bad, 'de'), { recursive: true })
    await mkdir(path.join(bad, 'deutsch'), { recursive: true })
    await writeFile(path.join(bad, 'de', 'kaputt.md'), '---\ntitle: [\n---\n')
    await writeFile(path.join(bad, 'de', 'API.md'), 'x')
    await writeFile(path.join(bad, 'de', 'gut.md'), '---\ntitle: Gut\n---\nx\n')
    const result = await importContent(wiki, bad)
    assert.equal(result.created, 1)
    const files = result.problems.map(problem => path.relative(bad, problem.file)).sort()
    assert.deepEqual(files, ['de/API.md', 'de/kaputt.md', 'deutsch'])
  })
})
