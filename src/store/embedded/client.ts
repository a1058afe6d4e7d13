import { Collection, Db, FindCursor, AggregationCursor, MongoClient } from 'mongodb'
import type { Db as DriverDb } from 'mongodb'
import { EmbeddedCollection } from './collection.ts'
import { EmbeddedAggregationCursor, EmbeddedFindCursor } from './cursor.ts'
import { EmbeddedDb } from './db.ts'
import { Engine, type EngineOptions } from './engine.ts'
import { EmbeddedNotSupportedError } from './errors.ts'

/**
 * The embedded engine's stand-in for `MongoClient`: `db(name)` gives a
 * database with the driver's API, `close()` flushes and releases the data dir.
 */
export class EmbeddedClient {
  private readonly databases = new Map<string, EmbeddedDb>()

  private constructor (readonly engine: Engine, private readonly defaultDatabase: string) {}

  static async open (options: EngineOptions & { defaultDatabase?: string }): Promise<EmbeddedClient> {
    return new EmbeddedClient(await Engine.open(options), options.defaultDatabase ?? 'praxiswiki')
  }

  /** A read-only client over the data dir's journal as it stands now; see `Engine.openSnapshot`. */
  static async openSnapshot (options: { dataDir: string, defaultDatabase?: string }): Promise<EmbeddedClient> {
    return new EmbeddedClient(await Engine.openSnapshot(options.dataDir), options.defaultDatabase ?? 'praxiswiki')
  }

  /** The embedded database typed as the driver's `Db`, which it stands in for. */
  db (name: string = this.defaultDatabase): DriverDb {
    let database = this.databases.get(name)
    if (!database) {
      database = new EmbeddedDb(this.engine, name)
      this.databases.set(name, database)
    }
    return database as unknown as DriverDb
  }

  async connect (): Promise<this> {
    return this
  }

  close (): Promise<void> {
    return this.engine.close()
  }
}

export function openEmbeddedClient (options: EngineOptions & { defaultDatabase?: string }): Promise<EmbeddedClient> {
  return EmbeddedClient.open(options)
}

/**
 * Every driver method the engine does not implement throws a clear error
 * instead of "is not a function" or, worse, a silently wrong answer.
 */
function refuseTheRest (target: object, driverPrototype: object, owner: string): void {
  for (const name of Object.getOwnPropertyNames(driverPrototype)) {
    if (name === 'constructor' || name.startsWith('_') || name in target) continue
    const descriptor = Object.getOwnPropertyDescriptor(driverPrototype, name)
    if (!descriptor || typeof descriptor.value !== 'function') continue
    Object.defineProperty(target, name, {
      value () { throw new EmbeddedNotSupportedError(`${owner}.${name}()`) },
      configurable: true,
      writable: true
    })
  }
}

refuseTheRest(EmbeddedCollection.prototype, Collection.prototype, 'Collection')
refuseTheRest(EmbeddedDb.prototype, Db.prototype, 'Db')
refuseTheRest(EmbeddedFindCursor.prototype, FindCursor.prototype, 'FindCursor')
refuseTheRest(EmbeddedFindCursor.prototype, Object.getPrototypeOf(FindCursor.prototype), 'FindCursor')
refuseTheRest(EmbeddedAggregationCursor.prototype, AggregationCursor.prototype, 'AggregationCursor')
refuseTheRest(EmbeddedAggregationCursor.prototype, Object.getPrototypeOf(AggregationCursor.prototype), 'AggregationCursor')
refuseTheRest(EmbeddedClient.prototype, MongoClient.prototype, 'MongoClient')
