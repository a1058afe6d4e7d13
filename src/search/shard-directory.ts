import { readdir, rm } from 'node:fs/promises'
import path from 'node:path'

const SHARD_FILE = /^shard-(\d{4,})\.bin$/
/** Shard files of format 1, which held whole pages as JSON; they are replaced at start. */
export const LEGACY_SHARD_FILE = /^shard-(\d{4,})\.json$/

export function shardFileName (shard: number): string {
  return `shard-${String(shard).padStart(4, '0')}.bin`
}

/** Deletes every shard file, so the next start builds the index from the sources. */
export async function removeShardFiles (dir: string): Promise<number> {
  let names: string[]
  try {
    names = await readdir(dir)
  } catch {
    return 0
  }
  const files = names.filter(name => SHARD_FILE.test(name) || LEGACY_SHARD_FILE.test(name) || name.endsWith('.tmp'))
  for (const name of files) await rm(path.join(dir, name), { force: true })
  return files.length
}

/** The numbers of the shards that have a file in `dir`. */
export async function shardsOnDisk (dir: string): Promise<number[]> {
  const names = await readdir(dir)
  return names.map(name => SHARD_FILE.exec(name)?.[1]).filter((value): value is string => value !== undefined).map(Number)
}
