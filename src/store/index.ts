import { MongoClient, type Db } from 'mongodb'
import { openEmbeddedClient } from './embedded/client.ts'

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
    close: () => client.close()
  }
}

/** A unique index refused a write, on either engine (both answer the server's code 11000). */
export function isDuplicateKey (error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === 11000
}
