import { open, rename, readFile, unlink, type FileHandle } from 'node:fs/promises'
import path from 'node:path'
import { setImmediate as yieldToEventLoop } from 'node:timers/promises'
import { EmbeddedEngineError } from './errors.ts'
import { FILE_MAGIC, frameEntry, replay, type JournalOp } from './journal-format.ts'

/*
 * Writing the journal (its format and replay are in journal-format.ts): entries are appended
 * in order and acknowledged after fsync, many to one fsync; compaction rewrites it beside them.
 */

/** A compaction catches up outside the flush loop until no more than this is left for the loop to add. */
const CATCH_UP_BYTES = 256 * 1024
const MAX_CATCH_UP_ROUNDS = 10

interface Waiter { resolve: () => void, reject: (error: Error) => void }

/**
 * A rewrite of the journal under way. Its snapshot is written to the temporary file beside
 * the flush loop, which goes on appending to the journal and remembers what it appended
 * since the snapshot was taken; once the snapshot is on disk, the flush loop adds those
 * entries to the temporary file and renames it over the journal, between two of its writes.
 */
interface Compaction {
  readonly waiters: Waiter[]
  /** Entries appended to the journal since the snapshot was taken. */
  readonly since: Buffer[]
  /** The temporary file, once the whole snapshot is written and synced to it, with the first `carried` entries of `since`. */
  written: { handle: FileHandle, size: number, carried: number } | null
  /** Settles when the compaction has ended, having replaced the journal or not. */
  readonly ended: Promise<void>
  readonly end: () => void
}

export interface JournalHooks {
  /** Called after a flush; answers whether the journal has grown worth rewriting. */
  shouldCompact: (journalBytes: number) => boolean
  /** The whole current state as entries of ops, captured synchronously when compaction starts. */
  snapshot: () => Iterable<Buffer[]>
  warn: (message: string) => void
}

export class Journal {
  private pending: Buffer[] = []
  private waiters: Waiter[] = []
  /** Callers of `compact` waiting for a rewrite that starts after their call. */
  private compactionWaiters: Waiter[] = []
  private compaction: Compaction | null = null
  private flushing: Promise<void> | null = null
  private failure: Error | null = null
  private closed = false

  private constructor (
    readonly file: string,
    private handle: FileHandle,
    private size: number,
    private readonly hooks: JournalHooks
  ) {}

  /** Opens (or creates) the journal and replays every intact entry through `apply`. */
  static async open (file: string, hooks: JournalHooks, apply: (op: JournalOp) => void): Promise<Journal> {
    await removeLeftoverTemporary(file)
    let contents: Buffer
    try {
      contents = await readFile(file)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
      await writeNewFile(file, [FILE_MAGIC])
      contents = FILE_MAGIC
    }
    const goodLength = replay(file, contents, hooks.warn, apply)
    const handle = await open(file, 'r+')
    if (goodLength < contents.length) {
      await handle.truncate(goodLength)
      await handle.datasync()
    }
    return new Journal(file, handle, goodLength, hooks)
  }

  get bytes (): number {
    return this.size
  }

  /**
   * Appends one entry; resolves once it is on disk. Entries submitted together share one fsync.
   * An entry that need not be durable on its own (`durable` false) resolves as soon as it is
   * queued: the file is written in order, so the next durable entry's fsync covers it, and
   * if it cannot be written the journal fails and that later entry is refused.
   */
  append (ops: Buffer[], durable = true): Promise<void> {
    if (this.failure) return Promise.reject(this.failure)
    if (this.closed) return Promise.reject(new EmbeddedEngineError('the embedded engine is closed'))
    this.pending.push(frameEntry(ops))
    this.wake()
    if (!durable) return Promise.resolve()
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject })
    })
  }

  private wake (): void {
    if (!this.flushing) this.flushing = this.flushLoop()
  }

  /** The only code that writes to the journal file or replaces it. */
  private async flushLoop (): Promise<void> {
    // Let every operation submitted in this turn of the event loop join the batch.
    await yieldToEventLoop()
    try {
      while (!this.failure && (this.pending.length > 0 || this.compaction?.written || (this.compactionWaiters.length > 0 && !this.compaction))) {
        const entries = this.pending
        const waiters = this.waiters
        this.pending = []
        this.waiters = []
        if (entries.length > 0) {
          try {
            await this.write(entries)
          } catch (error) {
            this.fail(error, waiters)
            return
          }
          // One at a time: a batch can be too large to spread as arguments.
          for (const entry of entries) this.compaction?.since.push(entry)
          for (const waiter of waiters) waiter.resolve()
        }
        const compaction = this.compaction
        if (compaction?.written) {
          try {
            await this.replaceWithCompacted(compaction.written, compaction.since.slice(compaction.written.carried))
          } catch (error) {
            this.fail(error, [])
            return
          }
          this.compaction = null
          compaction.end()
          for (const waiter of compaction.waiters) waiter.resolve()
        }
        if (!this.compaction && (this.compactionWaiters.length > 0 || this.hooks.shouldCompact(this.size))) this.startCompaction()
      }
    } finally {
      this.flushing = null
    }
  }

  private async write (entries: Buffer[]): Promise<void> {
    let written = 0
    const total = entries.reduce((sum, entry) => sum + entry.length, 0)
    while (written < total) {
      const remaining = written === 0 ? entries : [Buffer.concat(entries).subarray(written)]
      const { bytesWritten } = await this.handle.writev(remaining, this.size + written)
      written += bytesWritten
    }
    await this.handle.datasync()
    this.size += total
  }

  /**
   * Rewrites the journal as a snapshot of the live state: written to a
   * temporary file and fsynced while writes go on being acknowledged, then
   * completed with the entries appended meanwhile and renamed over the journal.
   * Resolves once a rewrite that started after this call has replaced the journal.
   */
  compact (): Promise<void> {
    if (this.failure) return Promise.reject(this.failure)
    if (this.closed) return Promise.reject(new EmbeddedEngineError('the embedded engine is closed'))
    return new Promise((resolve, reject) => {
      this.compactionWaiters.push({ resolve, reject })
      this.wake()
    })
  }

  /**
   * Takes the snapshot now, between two writes of the flush loop: every entry written so far
   * is in it. Entries queued but not yet written are in it too (memory changes first), and
   * are appended after it again, which changes nothing: each op stores a whole document or
   * index, so replaying the latest ops once more on a state that has them leaves it as it is.
   */
  private startCompaction (): void {
    const snapshot = this.hooks.snapshot()
    const waiters = this.compactionWaiters
    this.compactionWaiters = []
    let end!: () => void
    const ended = new Promise<void>(resolve => { end = resolve })
    const compaction: Compaction = { waiters, since: [], written: null, ended, end }
    this.compaction = compaction
    void this.writeCompacted(compaction, snapshot)
  }

  /** Writes the snapshot, then catches up beside the flush loop with what it appended meanwhile, so that little is left for the loop to add. */
  private async writeCompacted (compaction: Compaction, snapshot: Iterable<Buffer[]>): Promise<void> {
    let handle: FileHandle | null = null
    try {
      const written = await writeSnapshot(this.file + '.compact', snapshot)
      handle = written.handle
      let size = written.size
      let carried = 0
      for (let round = 0; round < MAX_CATCH_UP_ROUNDS && !this.failure; round++) {
        const backlog = compaction.since.slice(carried)
        const bytes = backlog.reduce((sum, entry) => sum + entry.length, 0)
        if (bytes <= CATCH_UP_BYTES) break
        await writeAll(handle, Buffer.concat(backlog, bytes), size)
        await handle.datasync()
        size += bytes
        carried += backlog.length
      }
      if (this.failure) {
        await handle.close()
        compaction.end()
        return
      }
      compaction.written = { handle, size, carried }
      this.wake()
    } catch (error) {
      await handle?.close().catch(() => {})
      this.fail(error, [])
      compaction.end()
    }
  }

  /**
   * Appends the entries written since the snapshot that the file lacks, syncs it and
   * renames it over the journal. Runs inside the flush loop, so nothing is appended
   * to the old journal meanwhile; until the rename, that journal holds everything.
   */
  private async replaceWithCompacted (written: { handle: FileHandle, size: number }, remaining: Buffer[]): Promise<void> {
    const appended = Buffer.concat(remaining)
    try {
      await writeAll(written.handle, appended, written.size)
      await written.handle.sync()
    } finally {
      await written.handle.close()
    }
    await rename(this.file + '.compact', this.file)
    await syncDirectory(path.dirname(this.file))
    const previous = this.handle
    this.handle = await open(this.file, 'r+')
    this.size = written.size + appended.length
    await previous.close()
  }

  /** Waits for every pending entry, then closes the file. */
  async close (): Promise<void> {
    if (this.closed) return
    while (this.flushing || this.compaction) {
      await this.flushing
      const compaction = this.compaction
      if (compaction === null) continue
      await compaction.ended
      if (this.compaction === compaction) break // ended by a failure, which close reports below
    }
    this.closed = true
    await this.handle.close()
    if (this.failure) throw this.failure
  }

  private fail (error: unknown, waiters: Waiter[]): void {
    if (this.failure) return
    this.failure = new EmbeddedEngineError(`journal ${this.file} could not be written; the engine stopped accepting writes: ${(error as Error).message}`, { cause: error })
    for (const waiter of [...waiters, ...this.waiters, ...this.compactionWaiters, ...(this.compaction?.waiters ?? [])]) waiter.reject(this.failure)
    this.waiters = []
    this.compactionWaiters = []
    this.pending = []
    // A snapshot still being written ends by itself; a finished one is not put in place now.
    const written = this.compaction?.written
    if (written) {
      const compaction = this.compaction as Compaction
      void written.handle.close().catch(() => {}).finally(compaction.end)
    }
  }
}

/**
 * Replays the journal as it stands at one moment, without the lock, so a
 * backup can run beside the server. The file is opened once and only the
 * bytes it held then are read: a compaction renaming a new journal into
 * place meanwhile leaves this descriptor on the old file, whole up to the
 * compaction; an entry still being appended at the end is left out.
 */
export async function replayJournalSnapshot (file: string, apply: (op: JournalOp) => void): Promise<number> {
  let handle: FileHandle
  try {
    handle = await open(file, 'r')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    throw new EmbeddedEngineError(`there is no journal at ${file}: the data dir holds no store`)
  }
  let contents: Buffer
  try {
    const { size } = await handle.stat()
    contents = Buffer.alloc(size)
    let filled = 0
    while (filled < size) {
      const { bytesRead } = await handle.read(contents, filled, size - filled, filled)
      if (bytesRead === 0) break
      filled += bytesRead
    }
    contents = contents.subarray(0, filled)
  } finally {
    await handle.close()
  }
  return replay(file, contents, () => {}, apply)
}

/** The snapshot in a new file, synced; the file is left open for the entries written meanwhile. */
async function writeSnapshot (file: string, snapshot: Iterable<Buffer[]>): Promise<{ handle: FileHandle, size: number }> {
  const handle = await open(file, 'w')
  try {
    await writeAll(handle, FILE_MAGIC, 0)
    let size = FILE_MAGIC.length
    let sinceYield = 0
    for (const ops of snapshot) {
      if (ops.length === 0) continue
      const entry = frameEntry(ops)
      await writeAll(handle, entry, size)
      size += entry.length
      // Encoding a large store takes a while: let requests run in between.
      if ((sinceYield += ops.length) >= 5000) {
        sinceYield = 0
        await yieldToEventLoop()
      }
    }
    await handle.sync()
    return { handle, size }
  } catch (error) {
    await handle.close()
    throw error
  }
}

async function writeAll (handle: FileHandle, data: Buffer, position: number): Promise<void> {
  let written = 0
  while (written < data.length) {
    const { bytesWritten } = await handle.write(data, written, data.length - written, position + written)
    written += bytesWritten
  }
}

async function writeNewFile (file: string, chunks: Buffer[]): Promise<number> {
  const handle = await open(file, 'w')
  let size = 0
  try {
    for (const chunk of chunks) {
      await handle.write(chunk, 0, chunk.length, size)
      size += chunk.length
    }
    await handle.sync()
  } finally {
    await handle.close()
  }
  await syncDirectory(path.dirname(file))
  return size
}

async function syncDirectory (directory: string): Promise<void> {
  const handle = await open(directory, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

async function removeLeftoverTemporary (file: string): Promise<void> {
  // A crash during compaction leaves the temporary file; the journal itself is still whole.
  await unlink(file + '.compact').catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error
  })
}
