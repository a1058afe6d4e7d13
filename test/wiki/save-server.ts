/*
 * The child of durable-saves.test.ts: the app on a data dir, serving HTTP until it is killed.
 * Prints one JSON line once it listens: its address and an editor's API token.
 *
 *   node --import tsx test/wiki/save-server.ts <dataDir>
 */
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildApp } from '../../src/app.ts'
import { loadConfig } from '../../src/config/index.ts'

export interface Listening { url: string, token: string }

async function main (): Promise<void> {
  const [dataDir] = process.argv.slice(2)
  if (!dataDir) throw new Error('usage: save-server.ts <dataDir>')
  const app = await buildApp(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', FEDERATION_KEY_BITS: '2048' }), { logger: false })
  if (await app.auth.accounts.byUsername('schreiber') === null) {
    await app.auth.accounts.create({ username: 'schreiber', password: 'correct horse battery staple', role: 'editor' })
  }
  const { token } = await app.auth.accounts.createToken('schreiber', 'crash test')
  const url = await app.listen({ port: 0, host: '127.0.0.1' })
  const listening: Listening = { url, token }
  process.stdout.write(JSON.stringify(listening) + '\n')
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch(error => {
    process.stderr.write(`save-server: ${(error as Error).stack ?? String(error)}\n`)
    process.exit(2)
  })
}
