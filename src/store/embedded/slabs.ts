/**
 * Stored documents' BSON bytes, packed into shared slabs of memory. A document with memory of
 * its own cost an ArrayBuffer and a Buffer object in the heap and a separate allocation beside
 * them, about 300 bytes on top of its BSON: 120 MB for the 400,000 documents of 100,000 remote
 * lessons, and 400,000 buffers for every garbage collection to look at. A slab holds many
 * documents and is never written over, so a document's bytes stay valid for whoever holds
 * them. The bytes of a replaced or deleted document stay in their slab until a pass over the
 * live documents (`compact`) copies those of the emptier slabs on, and the emptied slabs go
 * with the garbage collector.
 */

const SLAB_BYTES = 512 * 1024
/** A document larger than this gets a slab of its own, which goes as soon as the document does. */
const OWN_SLAB_FROM = SLAB_BYTES / 8
/** A slab with less than this share of its bytes still live has its documents copied on by `compact`. */
const MOVE_BELOW = 0.75
/** Dead bytes that make a pass worth it: this much, and a third of the live bytes, newly dead since the last pass. */
const MIN_NEW_DEAD_BYTES = 16 * 1024 * 1024

export class Slab {
  /** Bytes handed out. */
  used = 0
  /** Bytes of documents still stored. */
  live = 0
  constructor (readonly memory: Buffer) {}
}

/**
 * A stored document is its BSON bytes, decoded where it is read: as a live object it took
 * several times its BSON size in the heap (activitypub-express keeps every property as an
 * array), about 13 KB for each remote lesson. The bytes never change: updates store new ones.
 */
export class StoredDocument {
  /** Position in insertion order, kept across updates: the natural order of a scan. */
  sequence = 0
  constructor (public slab: Slab, public offset: number, readonly length: number) {}

  /**
   * The document's BSON: a view into its slab, whose bytes never change. What bson decodes
   * from it as `Binary` is a view as well, which keeps the whole slab alive while it is held.
   */
  get bytes (): Buffer {
    return this.slab.memory.subarray(this.offset, this.offset + this.length)
  }
}

export class DocumentSlabs {
  private current: Slab | null = null
  /** Bytes in the slabs still held by a stored document (or current), and of those the live ones. */
  private held = 0
  private live = 0
  /** Dead bytes after the last pass: the next pass waits until enough more have died. */
  private deadAfterPass = 0
  /** Passes made, for tests. */
  passes = 0

  /** A stored copy of `bytes`, which the caller may then reuse or let go. */
  store (bytes: Uint8Array): StoredDocument {
    const length = bytes.length
    let slab: Slab
    if (length > OWN_SLAB_FROM) {
      slab = new Slab(Buffer.allocUnsafeSlow(length))
    } else {
      if (this.current === null || this.current.used + length > this.current.memory.length) {
        // A full current slab stays only as long as documents in it do.
        if (this.current !== null && this.current.live === 0) this.held -= this.current.used
        this.current = new Slab(Buffer.allocUnsafeSlow(SLAB_BYTES))
      }
      slab = this.current
    }
    const offset = slab.used
    slab.memory.set(bytes, offset)
    slab.used += length
    slab.live += length
    this.held += length
    this.live += length
    return new StoredDocument(slab, offset, length)
  }

  /** `stored` is no longer a live document (replaced, deleted, or its collection dropped). */
  release (stored: StoredDocument): void {
    const slab = stored.slab
    slab.live -= stored.length
    this.live -= stored.length
    // No live document holds the slab any more: the garbage collector takes it.
    if (slab.live === 0 && slab !== this.current) this.held -= slab.used
  }

  /** Whether enough bytes have died since the last pass for `compact` to be worth a walk over every document. */
  wasteful (): boolean {
    const dead = this.held - this.live
    // Whole slabs that died since count against the baseline, not towards the next pass.
    this.deadAfterPass = Math.min(this.deadAfterPass, dead)
    return dead - this.deadAfterPass > Math.max(MIN_NEW_DEAD_BYTES, this.live / 3)
  }

  /**
   * Copies the live documents of slabs that are mostly dead into the current slab, changing
   * each `StoredDocument` in place; `documents` must be every live one. A document read just
   * before keeps its old bytes, which stay as they were until nothing holds them.
   */
  compact (documents: Iterable<StoredDocument>): void {
    const sparse = (slab: Slab): boolean => slab !== this.current && slab.live < slab.used * MOVE_BELOW
    for (const stored of documents) {
      const from = stored.slab
      if (!sparse(from)) continue
      const moved = this.store(stored.bytes)
      this.release(stored)
      stored.slab = moved.slab
      stored.offset = moved.offset
    }
    this.deadAfterPass = this.held - this.live
    this.passes++
  }

  /** Bytes in slabs that stored documents hold, live or dead. */
  get heldBytes (): number {
    return this.held
  }
}
