import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { Db } from 'mongodb'
import { openStore, type Store } from '../../src/store/index.ts'

export interface EngineUnderTest {
  name: 'embedded' | 'mongodb'
  /** A fresh, empty database on this engine. */
  open: () => Promise<{ db: Db, store: Store, dispose: () => Promise<void> }>
}

/** The embedded engine always; a real MongoDB too when MONGODB_URI is set. */
export function enginesUnderTest (): EngineUnderTest[] {
  const engines: EngineUnderTest[] = [{
    name: 'embedded',
    open: async () => {
      const dataDir = await mkdtemp(path.join(os.tmpdir(), 'praxiswiki-store-'))
      const store = await openStore({ dataDir })
      return {
        db: store.db,
        store,
        dispose: async () => {
          await store.close()
          await rm(dataDir, { recursive: true, force: true })
        }
      }
    }
  }]
  const uri = process.env.MONGODB_URI
  if (uri) {
    let counter = 0
    engines.push({
      name: 'mongodb',
      open: async () => {
        const store = await openStore({ mongodbUri: uri, dbName: `praxiswiki_contract_${process.pid}_${counter++}` })
        return {
          db: store.db,
          store,
          dispose: async () => {
            await store.db.dropDatabase()
            await store.close()
          }
        }
      }
    })
  }
  return engines
}
