import { describe, it, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { startWorker } from '../../src/threads/start-worker.ts'

const run = promisify(execFile)
const root = fileURLToPath(new URL('../..', import.meta.url))
const startWorkerFile = pathToFileURL(path.join(root, 'src/threads/start-worker.ts')).href

interface Answer { url: string, answer: string, cacheMax: number }

/** A worker entry outside `src` that imports a file beside it and a package, and answers once. */
async function entryIn (directory: string, word: string): Promise<URL> {
  await writeFile(path.join(directory, 'part.ts'), `export function greeting (): string { return ${JSON.stringify(word)} }\n`)
  await writeFile(path.join(directory, 'entry.ts'), [
    "import { parentPort } from 'node:worker_threads'",
    "import { LRUCache } from 'lru-cache'",
    "import { greeting } from './part.ts'",
    'const answer: string = greeting()',
    'parentPort!.postMessage({ url: import.meta.url, answer, cacheMax: new LRUCache<string, string>({ max: 3 }).max })',
    ''
  ].join('\n'))
  return pathToFileURL(path.join(directory, 'entry.ts'))
}

async function answerOf (entry: URL): Promise<Answer> {
  const worker = startWorker(entry)
  try {
    return await new Promise<Answer>((resolve, reject) => {
      worker.once('message', resolve)
      worker.once('error', reject)
    })
  } finally {
    await worker.terminate()
  }
}

/** What a worker started from `entry` answers in a process of its own, as a server started later would see it. */
async function answerInNewProcess (entry: URL): Promise<Answer> {
  const script = `import { startWorker } from ${JSON.stringify(startWorkerFile)}
const worker = startWorker(new URL(${JSON.stringify(entry.href)}))
worker.once('message', answer => { process.stdout.write(JSON.stringify(answer)); void worker.terminate() })`
  const file = path.join(path.dirname(fileURLToPath(entry)), 'start.mjs')
  await writeFile(file, script)
  const { stdout } = await run(process.execPath, ['--import', 'tsx', file], { cwd: root, timeout: 30_000 })
  return JSON.parse(stdout) as Answer
}

describe('worker threads started from TypeScript', () => {
  const directories: string[] = []
  after(async () => { for (const directory of directories) await rm(directory, { recursive: true, force: true }) })

  it('run one plain JavaScript bundle of their entry, whose packages resolve from the project', async () => {
    const directory = await mkdtemp(path.join(os.tmpdir(), 'praxiswiki-worker-'))
    directories.push(directory)
    const answer = await answerOf(await entryIn(directory, 'hello'))
    assert.equal(answer.answer, 'hello')
    assert.equal(answer.cacheMax, 3)
    assert.match(answer.url, /\/node_modules\/\.cache\/praxiswiki-workers\/entry-[0-9a-f]{16}\.mjs$/)
  })

  it('are bundled again when the bundle was removed while the server ran', async () => {
    const directory = await mkdtemp(path.join(os.tmpdir(), 'praxiswiki-worker-'))
    directories.push(directory)
    const entry = await entryIn(directory, 'kept')
    const first = await answerOf(entry)
    await rm(fileURLToPath(first.url))
    const second = await answerOf(entry)
    assert.equal(second.answer, 'kept')
    assert.equal(second.url, first.url)
  })

  it('are bundled again in a later process once a source file changed, and not while none did', async () => {
    const directory = await mkdtemp(path.join(os.tmpdir(), 'praxiswiki-worker-'))
    directories.push(directory)
    const entry = await entryIn(directory, 'first')
    const first = await answerInNewProcess(entry)
    assert.equal(first.answer, 'first')
    await entryIn(directory, 'the second')
    const second = await answerInNewProcess(entry)
    assert.equal(second.answer, 'the second')
    assert.notEqual(second.url, first.url)
    const third = await answerInNewProcess(entry)
    assert.deepEqual(third, second)
  })
})
