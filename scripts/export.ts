// Usage: npm run export -- <directory>   (writes <directory>/<language>/<slug>.md)
import { exportContent } from '../src/wiki/content.ts'
import { openWiki, progressBar } from './content-cli.ts'

const dir = process.argv[2]
if (dir === undefined) {
  process.stderr.write('usage: npm run export -- <directory>\n')
  process.exit(2)
}
const { store, wiki } = await openWiki()
const bar = progressBar('export')
try {
  const count = await exportContent(wiki, dir, { onProgress: bar.update })
  bar.stop()
  process.stdout.write(`${count} pages written to ${dir}\n`)
} finally {
  bar.stop()
  await store.close()
}
