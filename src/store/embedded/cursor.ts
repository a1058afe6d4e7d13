import { setImmediate as yieldToEventLoop } from 'node:timers/promises'
import { MongoCursorInUseError, type Document } from 'mongodb'
import { EmbeddedNotSupportedError } from './errors.ts'
import { normalizeSort, type FindShape } from './query.ts'

/**
 * The part of the driver's cursors the app uses. Results are computed in
 * full on the first read (a snapshot), then handed out one by one.
 */
abstract class EmbeddedCursor<T = Document> {
  private results: Document[] | null = null
  private position = 0
  private isClosed = false
  protected transforms: Array<(document: any) => any> = []

  protected abstract load (): Promise<Document[]>

  protected checkNotStarted (): void {
    if (this.results !== null) throw new MongoCursorInUseError('Cursor is already initialized')
  }

  private async ensureLoaded (): Promise<Document[]> {
    if (this.results === null) this.results = await this.load()
    else await yieldToEventLoop()
    return this.results
  }

  private transform (document: Document): T {
    let value: any = document
    for (const transform of this.transforms) value = transform(value)
    return value as T
  }

  map<U> (transform: (document: T) => U): EmbeddedCursor<U> {
    this.checkNotStarted()
    this.transforms.push(transform)
    return this as unknown as EmbeddedCursor<U>
  }

  async toArray (): Promise<T[]> {
    const results = await this.ensureLoaded()
    const remaining = results.slice(this.position).map(document => this.transform(document))
    this.position = results.length
    return remaining
  }

  async next (): Promise<T | null> {
    const results = await this.ensureLoaded()
    if (this.isClosed || this.position >= results.length) return null
    return this.transform(results[this.position++] as Document)
  }

  tryNext (): Promise<T | null> {
    return this.next()
  }

  async hasNext (): Promise<boolean> {
    const results = await this.ensureLoaded()
    return !this.isClosed && this.position < results.length
  }

  async forEach (iterator: (document: T) => boolean | void): Promise<void> {
    for (let document = await this.next(); document !== null; document = await this.next()) {
      if (iterator(document) === false) break
    }
  }

  async * [Symbol.asyncIterator] (): AsyncGenerator<T, void, void> {
    try {
      for (let document = await this.next(); document !== null; document = await this.next()) yield document
    } finally {
      await this.close()
    }
  }

  rewind (): void {
    this.results = null
    this.position = 0
    this.isClosed = false
  }

  async close (): Promise<void> {
    this.isClosed = true
  }

  get closed (): boolean {
    return this.isClosed
  }

  /** Accepted for compatibility: results are computed in one piece anyway. */
  batchSize (_size: number): this {
    return this
  }

  maxTimeMS (_milliseconds: number): this {
    return this
  }

  comment (_comment: unknown): this {
    return this
  }

  stream (): never {
    throw new EmbeddedNotSupportedError('cursor streams (use async iteration)')
  }

  explain (): never {
    throw new EmbeddedNotSupportedError('explain')
  }
}

export class EmbeddedFindCursor<T = Document> extends EmbeddedCursor<T> {
  constructor (private readonly shape: FindShape, private readonly run: (shape: FindShape) => Promise<Document[]>) {
    super()
  }

  protected load (): Promise<Document[]> {
    return this.run(this.shape)
  }

  sort (sort: unknown, direction?: unknown): this {
    this.checkNotStarted()
    this.shape.sort = normalizeSort(direction === undefined ? sort : [[sort, direction]])
    return this
  }

  skip (skip: number): this {
    this.checkNotStarted()
    this.shape.skip = skip
    return this
  }

  limit (limit: number): this {
    this.checkNotStarted()
    this.shape.limit = limit
    return this
  }

  project<U = Document> (projection: Document): EmbeddedFindCursor<U> {
    this.checkNotStarted()
    this.shape.projection = projection
    return this as unknown as EmbeddedFindCursor<U>
  }

  /** Deprecated in the driver, kept for older callers: the count of matches, ignoring skip and limit. */
  async count (): Promise<number> {
    const all = await this.run({ ...this.shape, skip: 0, limit: 0, projection: { _id: 1 } })
    return all.length
  }

  allowDiskUse (): this {
    return this
  }

  hint (_hint: unknown): never {
    throw new EmbeddedNotSupportedError('cursor.hint() (pass hint in the find options)')
  }

  collation (_collation: unknown): never {
    throw new EmbeddedNotSupportedError('collation')
  }

  min (_min: unknown): never {
    throw new EmbeddedNotSupportedError('cursor.min()')
  }

  max (_max: unknown): never {
    throw new EmbeddedNotSupportedError('cursor.max()')
  }

  addCursorFlag (_flag: string, _value: boolean): never {
    throw new EmbeddedNotSupportedError('cursor flags')
  }
}

export class EmbeddedAggregationCursor<T = Document> extends EmbeddedCursor<T> {
  constructor (private readonly run: () => Promise<Document[]>) {
    super()
  }

  protected load (): Promise<Document[]> {
    return this.run()
  }
}

export class EmbeddedListCursor<T = Document> extends EmbeddedCursor<T> {
  constructor (private readonly list: () => Document[]) {
    super()
  }

  protected async load (): Promise<Document[]> {
    await yieldToEventLoop()
    return this.list()
  }
}
