// Usage: npm run backup -- <file>   (a gzip file; safe while the server runs)
import { loadConfig, ConfigError } from '../src/config/index.ts'
import { writeBackup } from '../src/store/backup/write-backup.ts'
import { EmbeddedEngineError } from '../src/store/embedded/errors.ts'
import { openStoreSnapshot, type Store } from '../src/store/index.ts'

const file = process.argv[2]
if (file === undefined || process.argv.length > 3) {
  process.stderr.write('usage: npm run backup -- <file>\n')
  process.exit(2)
}

const started = performance.now()
let store: Store | undefined
try {
  const config = loadConfig(process.env)
  store = await openStoreSnapshot(config.mongodbUri === undefined ? { dataDir: config.dataDir } : { mongodbUri: config.mongodbUri })
  const summary = await writeBackup(store.db, file, { engine: store.engine, baseUrl: config.baseUrl })
  const seconds = ((performance.now() - started) / 1000).toFixed(1)
  process.stdout.write(`${summary.documents} documents in ${summary.collections} collections written to ${file} (${Math.ceil(summary.bytes / 1024)} KiB, ${seconds} s)\n`)
} catch (error) {
  await store?.close()
  // A missing or damaged journal, or a bad setting: one line a person can act on.
  if (error instanceof ConfigError || error instanceof EmbeddedEngineError) {
    process.stderr.write(`${error.message}\n`)
    process.exit(1)
  }
  throw error
}
await store.close()
