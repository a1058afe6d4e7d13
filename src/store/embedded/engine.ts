import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import type { Document } from 'mongodb'
import { EmbeddedEngineError } from './errors.ts'
import { encodeOp, OpCode, type JournalOp } from './journal-format.ts'
import { Journal, replayJournalSnapshot } from './journal.ts'
import { lockDataDir } from './lock.ts'
import { CollectionState, type IndexSpec } from './state.ts'
import { DocumentSlabs } from './slabs.ts'
import { decodeDocument, encodeDocument, indexKey } from './values.ts'

const JOURNAL_FILE = 'praxiswiki.journal'

export interface EngineOptions {
  dataDir: string
  /** Journal size that starts a compaction once it is also twice the live data; default 64 MiB. */
  compactAfterBytes?: number
  warn?: (message: string) => void
}

/** The keys a write changes, as journal ops: applied in memory first, acknowledged once durable. */
export type Change =
  // `indexed`: the document's indexed fields (or the whole), when the caller has them decoded already;
  // `previous`: likewise for the document a Put replaces. The indexes need their keys.
  | { code: OpCode.Put, namespace: string, documentKey: string, stored: PreparedDocument, indexed?: Document, previous?: Document }
  | { code: OpCode.Delete, namespace: string, documentKey: string, id: unknown }
  | { code: OpCode.CreateIndex, namespace: string, spec: IndexSpec }
  | { code: OpCode.DropIndex, namespace: string, name: string }
  | { code: OpCode.DropCollection, namespace: string }
  | { code: OpCode.DropDatabase, namespace: string }
  | { code: OpCode.CreateCollection, namespace: string }

/**
 * The embedded engine: every collection in memory, every write in the
 * journal. Writes are applied to memory synchronously (so one operation is
 * atomic) and acknowledged only after the journal has fsynced them.
 */
export class Engine {
  readonly collections = new Map<string, CollectionState>()
  /** Where the stored documents' bytes are. */
  readonly slabs = new DocumentSlabs()
  private journal!: Journal
  private releaseLock!: () => Promise<void>
  private closing: Promise<void> | null = null
  private readOnly = false
  private readonly changeListeners = new Set<() => void>()

  private constructor (readonly dataDir: string, private readonly options: EngineOptions) {}

  static async open (options: EngineOptions): Promise<Engine> {
    const dataDir = path.resolve(options.dataDir)
    await mkdir(dataDir, { recursive: true })
    const engine = new Engine(dataDir, options)
    engine.releaseLock = await lockDataDir(dataDir)
    const warn = options.warn ?? ((message: string) => process.emitWarning(message, 'EmbeddedEngineWarning'))
    const compactAfter = options.compactAfterBytes ?? 64 * 1024 * 1024
    try {
      engine.journal = await Journal.open(path.join(dataDir, JOURNAL_FILE), {
        shouldCompact: bytes => bytes > compactAfter && bytes > 2 * engine.liveBytes(),
        snapshot: () => engine.snapshot(),
        warn
      }, op => engine.replay(op))
    } catch (error) {
      await engine.releaseLock()
      throw error
    }
    return engine
  }

  /**
   * The store at one consistent point of a data dir's journal, read without
   * the lock so that a running server goes on undisturbed. It refuses writes:
   * it has no journal of its own, and the data dir belongs to the server.
   */
  static async openSnapshot (dataDir: string): Promise<Engine> {
    const engine = new Engine(path.resolve(dataDir), { dataDir })
    engine.readOnly = true
    engine.releaseLock = async () => {}
    await replayJournalSnapshot(path.join(engine.dataDir, JOURNAL_FILE), op => engine.replay(op))
    return engine
  }

  get closed (): boolean {
    return this.closing !== null
  }

  collection (namespace: string): CollectionState | undefined {
    return this.collections.get(namespace)
  }

  ensureCollection (namespace: string): CollectionState {
    let state = this.collections.get(namespace)
    if (!state) {
      state = new CollectionState(namespace, this.slabs)
      this.collections.set(namespace, state)
    }
    return state
  }

  /** Namespaces of one database. */
  namespacesOf (database: string): string[] {
    return [...this.collections.keys()].filter(namespace => namespace.startsWith(database + '.'))
  }

  /**
   * Applies changes to memory now and resolves when they are durable.
   * All changes of one call form one journal entry: after a crash, all or none.
   */
  commit (changes: Change[], durable = true): Promise<void> {
    this.checkOpen()
    if (changes.length === 0) return Promise.resolve()
    return this.append(changes.map(change => this.apply(change)), durable)
  }

  checkOpen (): void {
    if (this.closing) throw new EmbeddedEngineError('the embedded engine is closed')
  }

  /**
   * Writes ops that `apply` returned; resolves once they are durable, or, when `durable` is
   * false (a write concern of `journal: false`), once they are queued ahead of every later write.
   */
  append (ops: Buffer[], durable = true): Promise<void> {
    if (ops.length === 0) return Promise.resolve()
    return this.journal.append(ops, durable)
  }

  /**
   * Calls `listener` after every change applied to memory, before it is durable: what a
   * process keeps because nothing changed since (signed-in people's pages) is forgotten at once.
   * Returns the call that stops it.
   */
  onChange (listener: () => void): () => void {
    this.changeListeners.add(listener)
    return () => { this.changeListeners.delete(listener) }
  }

  /** Applies one change to memory and returns its journal op, for `append`. */
  apply (change: Change): Buffer {
    if (this.readOnly) throw new EmbeddedEngineError('a snapshot of the journal is read-only')
    const op = this.applyToMemory(change)
    for (const listener of this.changeListeners) listener()
    return op
  }

  private applyToMemory (change: Change): Buffer {
    switch (change.code) {
      case OpCode.Put: {
        const { bytes } = change.stored
        const state = this.ensureCollection(change.namespace)
        const indexed = change.indexed ?? state.indexedDocument(bytes)
        state.put(change.documentKey, this.slabs.store(bytes), indexed, change.previous)
        this.compactSlabs()
        return encodeOp(change.code, change.namespace, bytes)
      }
      case OpCode.Delete:
        this.collections.get(change.namespace)?.delete(change.documentKey)
        this.compactSlabs()
        return encodeOp(change.code, change.namespace, encodeDocument({ _id: change.id }))
      case OpCode.CreateIndex:
        // The caller has built and checked the index already (see Collection.createIndex).
        return encodeOp(change.code, change.namespace, encodeDocument(change.spec))
      case OpCode.DropIndex:
        this.collections.get(change.namespace)?.indexes.delete(change.name)
        return encodeOp(change.code, change.namespace, encodeDocument({ name: change.name }))
      case OpCode.DropCollection:
        this.dropCollection(change.namespace)
        return encodeOp(change.code, change.namespace, encodeDocument({}))
      case OpCode.DropDatabase:
        for (const namespace of this.namespacesOf(change.namespace)) this.dropCollection(namespace)
        return encodeOp(change.code, change.namespace, encodeDocument({}))
      case OpCode.CreateCollection:
        this.ensureCollection(change.namespace)
        return encodeOp(change.code, change.namespace, encodeDocument({}))
    }
  }

  private replay (op: JournalOp): void {
    switch (op.code) {
      case OpCode.Put: {
        const state = this.ensureCollection(op.namespace)
        // Copied into a slab: the journal entry's buffer, which holds many documents, can go.
        const stored = this.slabs.store(op.body)
        const document = state.indexedDocument(stored.bytes)
        state.put(indexKey(document._id), stored, document)
        this.compactSlabs()
        break
      }
      case OpCode.Delete:
        this.collections.get(op.namespace)?.delete(indexKey(decodeDocument(op.body)._id))
        this.compactSlabs()
        break
      case OpCode.CreateIndex: {
        const spec = decodeDocument(op.body) as IndexSpec
        const state = this.ensureCollection(op.namespace)
        if (!state.indexes.has(spec.name)) state.addIndex(spec)
        break
      }
      case OpCode.DropIndex:
        this.collections.get(op.namespace)?.indexes.delete(String(decodeDocument(op.body).name))
        break
      case OpCode.DropCollection:
        this.dropCollection(op.namespace)
        break
      case OpCode.DropDatabase:
        for (const namespace of this.namespacesOf(op.namespace)) this.dropCollection(namespace)
        break
      case OpCode.CreateCollection:
        this.ensureCollection(op.namespace)
        break
    }
  }

  private dropCollection (namespace: string): void {
    this.collections.get(namespace)?.releaseAll()
    this.collections.delete(namespace)
  }

  /** Moves the documents of mostly dead slabs on, once enough bytes have died since the last time. */
  private compactSlabs (): void {
    if (!this.slabs.wasteful()) return
    const collections = [...this.collections.values()]
    this.slabs.compact((function * () {
      for (const state of collections) yield * state.documents.values()
    })())
  }

  private liveBytes (): number {
    let total = 0
    for (const state of this.collections.values()) total += state.bytes
    return total
  }

  /**
   * The live state as journal entries: each collection, its indexes, then its
   * documents in order. The stored documents are taken now (their bytes never change,
   * even when a slab compaction moves them), the entries are framed as they are read.
   */
  private snapshot (): Iterable<Buffer[]> {
    const collections = [...this.collections].map(([namespace, state]) => ({
      namespace,
      indexes: [...state.indexes.values()].map(index => index.spec).filter(spec => spec.name !== '_id_'),
      documents: [...state.documents.values()]
    }))
    const documentsPerEntry = 1000
    return (function * () {
      for (const { namespace, indexes, documents } of collections) {
        yield [
          encodeOp(OpCode.CreateCollection, namespace, encodeDocument({})),
          ...indexes.map(spec => encodeOp(OpCode.CreateIndex, namespace, encodeDocument(spec)))
        ]
        for (let start = 0; start < documents.length; start += documentsPerEntry) {
          yield documents.slice(start, start + documentsPerEntry).map(stored => encodeOp(OpCode.Put, namespace, stored.bytes))
        }
      }
    })()
  }

  /** Rewrites the journal as a snapshot now (also done by itself as it grows). */
  async compact (): Promise<void> {
    if (this.readOnly) throw new EmbeddedEngineError('a snapshot of the journal is read-only')
    await this.journal.compact()
  }

  get journalBytes (): number {
    return this.journal.bytes
  }

  close (): Promise<void> {
    if (!this.closing) {
      this.closing = (async () => {
        try {
          if (!this.readOnly) await this.journal.close()
        } finally {
          await this.releaseLock()
        }
      })()
    }
    return this.closing
  }
}

/**
 * A document as it will be stored: its BSON bytes, and its decoded form made only when
 * asked for. An insert or an update needs no more than the fields its collection's
 * indexes read (`CollectionState.indexedDocument`); decoding it whole cost as much as
 * encoding it.
 */
export class PreparedDocument {
  #document: Document | undefined
  constructor (readonly bytes: Buffer) {}

  /** The whole document, as a read would give it. */
  get document (): Document {
    this.#document ??= decodeDocument(this.bytes)
    return this.#document
  }
}

/** The bytes may be a slice of Node's shared pool: the engine copies them into a slab of its own when it stores them. */
export function storedDocument (document: Document): PreparedDocument {
  return new PreparedDocument(encodeDocument(document))
}
