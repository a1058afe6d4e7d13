import { SingleBar, Presets } from 'cli-progress'
import { loadConfig, ConfigError, type AppConfig } from '../src/config/index.ts'
import { EventBus } from '../src/events/index.ts'
import { openStore, type Store } from '../src/store/index.ts'
import type { WikiEvents } from '../src/wiki/events.ts'
import { createWikiService, type WikiService } from '../src/wiki/service.ts'

/** Shared by import and export: settings from the environment, the store, the wiki service. */
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
  const store = await openStore(config.mongodbUri === undefined ? { dataDir: config.dataDir } : { mongodbUri: config.mongodbUri })
  const wiki = createWikiService({ db: store.db, events: new EventBus<WikiEvents>() })
  await wiki.ensureIndexes()
  return { config, store, wiki }
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
