// Usage: npm run restore -- <file>   (into an empty data dir or database, with the server stopped)
import { loadConfig, ConfigError } from '../src/config/index.ts'
import { BackupFileError } from '../src/store/backup/format.ts'
import { restoreBackup, RestoreTargetNotEmptyError } from '../src/store/backup/restore-backup.ts'
import { DataDirInUseError } from '../src/store/embedded/errors.ts'
import { openStore, type Store } from '../src/store/index.ts'

const file = process.argv[2]
if (file === undefined || process.argv.length > 3) {
  process.stderr.write('usage: npm run restore -- <file>\n')
  process.exit(2)
}

/** Ends with one line for the errors a person can act on; anything else keeps its stack. */
function exitOnKnownError (error: unknown): void {
  if (error instanceof ConfigError || error instanceof BackupFileError || error instanceof RestoreTargetNotEmptyError) {
    process.stderr.write(`${error.message}\n`)
    process.exit(1)
  }
  if (error instanceof DataDirInUseError) {
    process.stderr.write(`${error.message}\nStop the server before restoring; a restore needs the data dir to itself.\n`)
    process.exit(1)
  }
}

let store: Store | undefined
try {
  const config = loadConfig(process.env)
  store = await openStore(config.mongodbUri === undefined ? { dataDir: config.dataDir } : { mongodbUri: config.mongodbUri })
  const { header, documents, collections } = await restoreBackup(store.db, file)
  process.stdout.write(`${documents} documents in ${collections} collections restored from ${file} (taken ${header.createdAt})\n`)
  if (header.baseUrl !== undefined && header.baseUrl !== config.baseUrl) {
    process.stderr.write(`warning: the backup was taken with BASE_URL ${header.baseUrl}, this is ${config.baseUrl}; the organisation's actor and pages are known to other servers by the old address, so start the server with BASE_URL=${header.baseUrl}\n`)
  }
} catch (error) {
  await store?.close()
  exitOnKnownError(error)
  throw error
}
await store.close()
