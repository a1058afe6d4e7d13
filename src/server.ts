import { buildApp } from './app.ts'
import { ConfigError, loadConfig, proxyWarning, type AppConfig } from './config/index.ts'
import { importContentIfEmpty } from './wiki/content.ts'

let config: AppConfig
try {
  config = loadConfig(process.env)
} catch (error) {
  if (!(error instanceof ConfigError)) throw error
  process.stderr.write(`${error.message}\n`)
  process.exit(1)
}

const app = await buildApp(config)
const warning = proxyWarning(config)
if (warning !== null) app.log.warn(warning)
const imported = await importContentIfEmpty(app.wiki, config.contentDir)
if (imported > 0) app.log.info({ pages: imported, from: config.contentDir }, 'imported starter content into the empty store')
const setupLink = await app.auth.setupLink()
if (setupLink !== null) {
  // Printed plainly (not only in the JSON log): the operator needs it to create the first admin, and nothing is editable before.
  process.stdout.write(`\nNo admin account yet. Create the first one here (the link works once):\n  ${setupLink}\nor run: npm run create-user -- --username <name> --role admin --password-stdin\n\n`)
}

let closing = false
async function shutDown (signal: string): Promise<void> {
  if (closing) {
    // A second signal means the person wants out now.
    process.exit(1)
  }
  closing = true
  app.log.info({ signal }, 'shutting down: finishing requests in flight and closing the store')
  try {
    await app.close()
    process.exit(0)
  } catch (error) {
    app.log.error({ err: error }, 'shutdown failed')
    process.exit(1)
  }
}
process.on('SIGTERM', () => { void shutDown('SIGTERM') })
process.on('SIGINT', () => { void shutDown('SIGINT') })

try {
  await app.listen({ port: config.port, host: config.host })
} catch (error) {
  app.log.error({ err: error }, 'could not listen')
  await app.close()
  process.exit(1)
}
