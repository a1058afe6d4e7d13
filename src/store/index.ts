import { MongoClient, type Db } from 'mongodb'
import { EmbeddedClient, openEmbeddedClient } from './embedded/client.ts'

export interface StoreOptions {
  /** Directory of the embedded engine's journal; ignored when `mongodbUri` is set. */
  dataDir?: string
  /** A MongoDB connection string; when set, the real server is used. */
  mongodbUri?: string
  /** Database name; defaults to the one in the URI, or `praxiswiki`. */
  dbName?: string
}

export interface Store {
  db: Db
  engine: 'embedded' | 'mongodb'
  /** Flushes pending writes and releases the data dir or the connection. */
  close: () => Promise<void>
  /**
   * Calls `listener` after every write, as it is applied; returns the call that stops it. Only
   * the embedded engine has it: there every write is this process's own, while a MongoDB
   * database may be written by other processes that no listener here would hear of.
   */
  onChange?: (listener: () => void) => () => void
}

export async function openStore (options: StoreOptions): Promise<Store> {
  if (options.mongodbUri) {
    const client = new MongoClient(options.mongodbUri)
    await client.connect()
    return {
      db: client.db(options.dbName),
      engine: 'mongodb',
      close: () => client.close()
    }
  }
  const client = await openEmbeddedClient({ dataDir: options.dataDir ?? './data' })
  return {
    db: client.db(options.dbName ?? 'praxiswiki'),
    engine: 'embedded',
    close: () => client.close(),
    onChange: listener => client.engine.onChange(listener)
  }
}

/** A unique index refused a write, on either engine (both answer the server's code 11000). */
export function isDuplicateKey (error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === 11000
}

/**
 * The store to read a backup from while the server may be running. The
 * embedded engine's data dir is locked by the server, so its journal is read
 * up to one consistent point instead; MongoDB is simply connected to.
 */
export async function openStoreSnapshot (options: StoreOptions): Promise<Store> {
  if (options.mongodbUri) return await openStore(options)
  const client = await EmbeddedClient.openSnapshot({ dataDir: options.dataDir ?? './data' })
  return {
    db: client.db(options.dbName ?? 'praxiswiki'),
    engine: 'embedded',
    close: () => client.close()
  }
}
