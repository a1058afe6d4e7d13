// Usage: npm run import -- [directory]   (default: CONTENT_DIR, ./content)
import { importContent } from '../src/wiki/content.ts'
import { openWiki, progressBar } from './content-cli.ts'

const { config, store, wiki } = await openWiki()
const dir = process.argv[2] ?? config.contentDir
const bar = progressBar('import')
try {
  const result = await importContent(wiki, dir, { onProgress: bar.update })
  bar.stop()
  for (const problem of result.problems) process.stderr.write(`${problem.file}: ${problem.message}\n`)
  process.stdout.write(`${result.created} created, ${result.updated} updated, ${result.unchanged} unchanged, ${result.problems.length} problems\n`)
  process.exitCode = result.problems.length > 0 ? 1 : 0
} finally {
  bar.stop()
  await store.close()
}
