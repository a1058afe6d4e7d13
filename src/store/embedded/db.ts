import { setImmediate as yieldToEventLoop } from 'node:timers/promises'
import type { Document } from 'mongodb'
import { EmbeddedCollection } from './collection.ts'
import { EmbeddedListCursor } from './cursor.ts'
import type { Engine } from './engine.ts'
import { invalidArgument, serverError } from './errors.ts'
import { OpCode } from './journal-format.ts'
import { compileFilter } from './query.ts'

function checkCollectionName (name: unknown): string {
  if (typeof name !== 'string') throw invalidArgument('collection name must be a String')
  if (name === '' || name.includes('$') || name.includes('\u0000') || name.startsWith('.') || name.endsWith('.')) {
    throw invalidArgument(`Invalid collection name: ${JSON.stringify(name)}`)
  }
  return name
}

/** A database of the embedded engine with the MongoDB driver's `Db` API. */
export class EmbeddedDb {
  private readonly cache = new Map<string, EmbeddedCollection>()

  constructor (private readonly engine: Engine, readonly databaseName: string) {
    if (databaseName === '' || /[/\\. "$*<>:|?]/.test(databaseName)) {
      throw invalidArgument(`Invalid database name: ${JSON.stringify(databaseName)}`)
    }
  }

  get namespace (): string {
    return this.databaseName
  }

  collection<TSchema extends Document = Document> (name: string): EmbeddedCollection<TSchema> {
    checkCollectionName(name)
    let collection = this.cache.get(name)
    if (!collection) {
      collection = new EmbeddedCollection(this.engine, this.databaseName, name)
      this.cache.set(name, collection)
    }
    return collection as unknown as EmbeddedCollection<TSchema>
  }

  async createCollection<TSchema extends Document = Document> (name: string, options?: Document): Promise<EmbeddedCollection<TSchema>> {
    checkCollectionName(name)
    if (options && Object.keys(options).some(option => option !== 'session' && option !== 'writeConcern')) {
      throw invalidArgument('createCollection options are not supported by the embedded engine')
    }
    await yieldToEventLoop()
    const namespace = `${this.databaseName}.${name}`
    if (this.engine.collection(namespace)) throw serverError(48, 'NamespaceExists', `Collection ${namespace} already exists.`)
    await this.engine.commit([{ code: OpCode.CreateCollection, namespace }])
    return this.collection<TSchema>(name)
  }

  listCollections (filter: Document = {}, options: Document = {}): EmbeddedListCursor<any> {
    const query = compileFilter(filter)
    return new EmbeddedListCursor(() => this.engine.namespacesOf(this.databaseName)
      .map(namespace => namespace.slice(this.databaseName.length + 1))
      .map(name => options.nameOnly ? { name, type: 'collection' } : { name, type: 'collection', options: {}, info: { readOnly: false } })
      .filter(entry => query.test(entry)))
  }

  async collections (): Promise<EmbeddedCollection[]> {
    const entries = await this.listCollections({}, { nameOnly: true }).toArray()
    return entries.map(entry => this.collection(entry.name))
  }

  async dropCollection (name: string): Promise<boolean> {
    return this.collection(name).drop()
  }

  async dropDatabase (): Promise<boolean> {
    await yieldToEventLoop()
    await this.engine.commit([{ code: OpCode.DropDatabase, namespace: this.databaseName }])
    return true
  }
}
