import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { GridFSBucket, type Db, type GridFSFile } from 'mongodb'

/** What is kept with each stored file, in GridFS's `metadata`. */
export interface MediaMetadata {
  type: string
  /** The name it was uploaded under, offered when it is downloaded. */
  originalName: string
  alt: string
  width: number | null
  height: number | null
  /** The file this is a display size of; null for originals. */
  variantOf: string | null
  /** Names of the display sizes, widest last; only on originals. */
  variants: Array<{ name: string, width: number, height: number, size: number }>
  uploadedBy: string | null
  /** Where a copy of a remote image came from; null for uploads. */
  source: string | null
}

export interface StoredMedia {
  name: string
  size: number
  uploadDate: Date
  metadata: MediaMetadata
}

export type MediaStore = ReturnType<typeof createMediaStore>

/**
 * Files in GridFS (`media.files`, `media.chunks`) through the driver's own GridFSBucket,
 * on MongoDB and on the embedded engine alike: the engine answers every call the bucket
 * makes (its indexes, inserts of chunks, the sorted cursor over them), and each insert is
 * acknowledged only after the journal is fsynced. A file's name is its address; the file
 * document is written after all its chunks, so a file is found only once it is whole.
 */
export function createMediaStore (db: Db) {
  const bucket = new GridFSBucket(db, { bucketName: 'media' })

  async function find (name: string): Promise<StoredMedia | null> {
    const file = await bucket.find({ filename: name }, { limit: 1 }).next() as GridFSFile | null
    return file === null ? null : stored(file)
  }

  async function put (name: string, data: Uint8Array, metadata: MediaMetadata): Promise<void> {
    const upload = bucket.openUploadStream(name, { metadata })
    try {
      await pipeline(Readable.from([data]), upload)
    } catch (error) {
      // Chunks written before the failure must not stay behind.
      await upload.abort().catch(() => {})
      throw error
    }
  }

  function open (name: string): Readable {
    return bucket.openDownloadStreamByName(name)
  }

  async function read (name: string): Promise<Buffer> {
    const parts: Buffer[] = []
    for await (const part of open(name)) parts.push(part as Buffer)
    return Buffer.concat(parts)
  }

  /** Removes every version stored under the name (a crash may have left two). */
  async function remove (name: string): Promise<void> {
    const files = await bucket.find({ filename: name }).toArray()
    for (const file of files) await bucket.delete(file._id)
  }

  /** Originals, oldest first, a page at a time (`after` is the last name of the page before). */
  async function originals (limit: number, after: string | null): Promise<StoredMedia[]> {
    const filter: Record<string, unknown> = { 'metadata.variantOf': null }
    if (after !== null) filter.filename = { $gt: after }
    const files = await bucket.find(filter, { sort: { filename: 1 }, limit }).toArray()
    return files.map(stored)
  }

  /** The originals stored under these names (a name stored twice after a crash comes once). */
  async function originalsNamed (names: string[]): Promise<StoredMedia[]> {
    const files = await bucket.find({ filename: { $in: names }, 'metadata.variantOf': null }).toArray()
    return [...new Map(files.map(file => [file.filename, stored(file)])).values()]
  }

  return { find, put, open, read, remove, originals, originalsNamed }
}

function stored (file: GridFSFile): StoredMedia {
  return { name: file.filename, size: file.length, uploadDate: file.uploadDate, metadata: file.metadata as MediaMetadata }
}
