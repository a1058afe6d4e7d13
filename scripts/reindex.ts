// Rebuilds every search shard from the pages in the store, local and received from other organisations. Run it while the server is stopped
// (the embedded store's lock refuses a second process).  Usage: npm run reindex
import path from 'node:path'
import { createSearchIndex, removeShardFiles } from '../src/search/search-index.ts'
import { remoteDocumentSource, wikiDocumentSource } from '../src/search/sources.ts'
import { remotePageSnapshots, remotePageVersions } from '../src/federation/remote-pages.ts'
import { openWiki, progressBar } from './content-cli.ts'

const { config, store, wiki } = await openWiki()
const dir = path.join(config.dataDir, 'search')
const bar = progressBar('reindex')
try {
  const removed = await removeShardFiles(dir)
  // The same sources as the server's index, so its next start finds nothing to catch up.
  const remotePages = { versions: () => remotePageVersions(store.db), snapshots: (ids: string[]) => remotePageSnapshots(store.db, ids) }
  const sources = [wikiDocumentSource({ versions: wiki.pageVersions, snapshots: wiki.pageSnapshots }), remoteDocumentSource(remotePages)]
  let total = 0
  for (const source of sources) for await (const _entry of source.versions()) total++
  const began = Date.now()
  const search = createSearchIndex({ dir, sources })
  let done = 0
  search.events.on('index.updated', event => {
    done += event.upserted.length
    bar.update(done, total)
  })
  await search.ready
  bar.stop()
  const status = search.status()
  await search.close()
  process.stdout.write(`${status.documents} pages in ${status.shards} shards, built in ${((Date.now() - began) / 1000).toFixed(1)} s (${removed} old shard files removed)\n`)
} finally {
  bar.stop()
  await store.close()
}
