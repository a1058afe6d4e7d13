import { SingleBar, Presets } from 'cli-progress'
import { loadConfig, ConfigError, type AppConfig } from '../src/config/index.ts'
import { EventBus } from '../src/events/index.ts'
import { DataDirInUseError } from '../src/store/embedded/errors.ts'
import { openStore, type Store } from '../src/store/index.ts'
import type { WikiEvents } from '../src/wiki/events.ts'
import { createWikiService, type WikiService } from '../src/wiki/service.ts'

/** Shared by the command-line tools: settings from the environment, the store, the wiki service. */
export async function openWiki (): Promise<{ config: AppConfig, store: Store, wiki: WikiService }> {
  let config: AppConfig
  try {
    config = loadConfig(process.env)
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`)
      process.exit(1)
    }
    throw error
  }
  let store: Store
  try {
    store = await openStore(config.mongodbUri === undefined ? { dataDir: config.dataDir } : { mongodbUri: config.mongodbUri })
  } catch (error) {
    exitIfDataDirInUse(error)
    throw error
  }
  const wiki = createWikiService({ db: store.db, events: new EventBus<WikiEvents>() })
  await wiki.ensureIndexes()
  return { config, store, wiki }
}

/**
 * With the embedded store, only one process may open the data dir: a command run
 * beside the server says so in one line and names what to use instead.
 */
export function exitIfDataDirInUse (error: unknown): void {
  if (!(error instanceof DataDirInUseError)) return
  process.stderr.write(`${error.message}\nWhile the server runs, use its admin pages instead (/admin/accounts for people, /admin/federation for following), or stop it and run this again.\n`)
  process.exit(1)
}

/** A progress bar on a terminal; nothing in pipes and CI logs, where it would only add noise. */
export function progressBar (label: string): { update: (done: number, total: number) => void, stop: () => void } {
  if (!process.stderr.isTTY) return { update: () => {}, stop: () => {} }
  const bar = new SingleBar({ format: `${label} [{bar}] {value}/{total}`, stream: process.stderr }, Presets.shades_classic)
  let started = false
  return {
    update (done, total) {
      if (!started) { bar.start(total, 0); started = true }
      bar.update(done)
    },
    stop () { if (started) bar.stop() }
  }
}
