import { link, readFile, unlink, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { DataDirInUseError, EmbeddedEngineError } from './errors.ts'

// Data dirs this process holds: a second open from the same process is refused too.
const heldHere = new Set<string>()

function processIsAlive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Takes the data dir's lock file. The lock names the owning process; a lock
 * left by a process that no longer runs (after a crash or `kill -9`) is taken over.
 */
export async function lockDataDir (dataDir: string): Promise<() => Promise<void>> {
  const directory = path.resolve(dataDir)
  const lockFile = path.join(directory, 'LOCK')
  if (heldHere.has(directory)) {
    throw new EmbeddedEngineError(`data dir ${directory} is already open in this process; close it first`)
  }
  const owner = { pid: process.pid, host: os.hostname(), since: new Date().toISOString() }
  const candidate = `${lockFile}.${process.pid}.${Date.now()}`
  await writeFile(candidate, JSON.stringify(owner) + '\n')
  try {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await link(candidate, lockFile)
        heldHere.add(directory)
        return async () => {
          heldHere.delete(directory)
          await unlink(lockFile).catch(() => {})
        }
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      }
      const holder = await readHolder(lockFile)
      const sameHost = holder?.host === undefined || holder.host === os.hostname()
      if (holder && (!sameHost || (holder.pid !== process.pid && processIsAlive(holder.pid)))) {
        throw new DataDirInUseError(`data dir ${directory} is in use by process ${holder.pid} on ${holder.host ?? 'this host'} (since ${holder.since ?? 'unknown'}); two processes must never open one data dir — stop the other process, or remove ${lockFile} if it is certainly not running`)
      }
      // The holder is gone: remove its stale lock and try once more.
      await unlink(lockFile).catch(() => {})
    }
    throw new EmbeddedEngineError(`could not take the lock ${lockFile}: another process took it at the same moment`)
  } finally {
    await unlink(candidate).catch(() => {})
  }
}

async function readHolder (lockFile: string): Promise<{ pid: number, host?: string, since?: string } | null> {
  try {
    const parsed = JSON.parse(await readFile(lockFile, 'utf8'))
    return typeof parsed?.pid === 'number' ? parsed : null
  } catch {
    return null
  }
}
