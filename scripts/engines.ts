// Which installed packages would not run on every Node.js version the project declares.
// npm ci only warns about the Node it runs on; this reads the lockfile for all of them.
import semver from 'semver'

export interface EngineProblem {
  /** The package's place in the tree, as the lockfile names it. */
  location: string
  version: string
  /** The package's own engines.node. */
  wants: string
  /** The supported versions it refuses. */
  refuses: string[]
}

interface LockedPackage {
  version?: string
  engines?: Record<string, string> | string[]
  optional?: boolean
  cpu?: string[]
}

/** Processors a deployment runs on; optional binaries built only for others (sharp's win32-ia32) are not installed there. */
const SERVED_CPUS = ['x64', 'arm64']

/**
 * The first release of each line the range allows (`^20.19.0 || >=24` gives 20.19.0 and 24.0.0):
 * ranges only ever raise their lower bounds, so the oldest release of a line is where a
 * dependency's requirement bites first.
 */
export function lowestSupported (range: string): string[] {
  const versions = new semver.Range(range).set.map(comparators => semver.minVersion(comparators.map(comparator => comparator.value).join(' ')))
  return versions.filter(version => version !== null).map(version => version.version)
}

/** Every package in a package-lock.json (lockfileVersion 2 or 3) whose engines.node refuses one of `versions`. */
export function engineProblems (lock: { packages?: Record<string, LockedPackage> }, versions: string[]): EngineProblem[] {
  const problems: EngineProblem[] = []
  for (const [location, locked] of Object.entries(lock.packages ?? {})) {
    // The root is the project itself; its range is the one being checked against.
    if (location === '') continue
    if (locked.optional === true && locked.cpu !== undefined && !locked.cpu.some(cpu => SERVED_CPUS.includes(cpu))) continue
    const wants = Array.isArray(locked.engines) ? undefined : locked.engines?.node
    if (wants === undefined) continue
    const refuses = versions.filter(version => !semver.satisfies(version, wants))
    if (refuses.length > 0) problems.push({ location, version: locked.version ?? '?', wants, refuses })
  }
  return problems
}
