import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { Worker, type ResourceLimits } from 'node:worker_threads'

const require = createRequire(import.meta.url)

/** Each TypeScript worker entry's bundle, made once per process; null when it could not be made. */
const bundles = new Map<string, URL | null>()

/**
 * Starts a worker thread running `file`. When the server runs TypeScript through tsx, a
 * `.ts` entry is first bundled to one plain JavaScript module (its own imports from `src`
 * included, packages left to Node): a worker that registers tsx's loader instead carries a
 * loader thread and tsx's caches of its own, about 22 MB more per worker. Should bundling
 * fail (no esbuild, a read-only `node_modules`), the worker registers tsx's loader as before.
 */
export function startWorker (file: URL, options: { resourceLimits?: ResourceLimits } = {}): Worker {
  if (!file.pathname.endsWith('.ts')) return new Worker(file, options)
  const bundle = bundled(file)
  if (bundle !== null) return new Worker(bundle, options)
  const loader = import.meta.resolve('tsx/esm/api')
  const bootstrap = `import(${JSON.stringify(loader)}).then(api => { api.register(); return import(${JSON.stringify(file.href)}) })`
  return new Worker(bootstrap, { ...options, eval: true })
}

/**
 * The bundle of `file`, written under `node_modules/.cache` so the packages it imports
 * resolve from there as from `src`. Its name carries a hash of its content, so processes
 * running different versions of the code never share one, and it is written whole (a
 * temporary file, then a rename) before any worker reads it. Beside it, a manifest keeps
 * the size and time of every source file it was made from; while those still hold, later
 * processes take the bundle as it is instead of making it again (about 100 ms a worker).
 */
function bundled (file: URL): URL | null {
  const known = bundles.get(file.href)
  // A bundle removed meanwhile (the cache folder emptied) is made again for the next worker.
  if (known !== undefined && (known === null || existsSync(known))) return known
  let bundle: URL | null = null
  try {
    const esbuild = require('esbuild') as typeof import('esbuild')
    const directory = path.join(path.dirname(require.resolve('esbuild/package.json')), '..', '.cache', 'praxiswiki-workers')
    const manifestFile = path.join(directory, `${path.basename(file.pathname, '.ts')}-${hash(file.href)}.json`)
    const made = readManifest(manifestFile, esbuild.version)
    if (made !== null) bundle = pathToFileURL(path.join(directory, made))
    else {
      const started = Date.now()
      const entryDirectory = path.dirname(fileURLToPath(file))
      let result: import('esbuild').BuildResult<{ write: false, metafile: true }>
      try {
        result = esbuild.buildSync({ entryPoints: [fileURLToPath(file)], bundle: true, platform: 'node', format: 'esm', packages: 'external', write: false, metafile: true, absWorkingDir: entryDirectory, logLevel: 'silent' })
      } finally {
        // Its synchronous builds run in a helper thread (and a process) that would stay for good.
        void esbuild.stop()
      }
      const code = result.outputFiles[0]!.contents
      const name = `${path.basename(file.pathname, '.ts')}-${hash(code)}.mjs`
      const inputs = [...Object.keys(result.metafile.inputs).map(input => path.resolve(entryDirectory, input)), ...settingsFiles(entryDirectory)]
      const stamps = inputs.map(input => ({ path: input, ...stamp(input) }))
      mkdirSync(directory, { recursive: true })
      writeWhole(path.join(directory, name), code)
      // A source saved while the build ran may not be in the bundle: this process uses it, the next makes it again.
      if (stamps.every(input => input.modified < started)) writeWhole(manifestFile, JSON.stringify({ bundle: name, esbuild: esbuild.version, inputs: stamps } satisfies Manifest))
      bundle = pathToFileURL(path.join(directory, name))
    }
  } catch {
    bundle = null
  }
  bundles.set(file.href, bundle)
  return bundle
}

interface Manifest { bundle: string, esbuild: string, inputs: Array<{ path: string, size: number, modified: number }> }

/** The `tsconfig.json` files esbuild reads for an entry in `directory`: the nearest one, and what it extends is not followed. */
function settingsFiles (directory: string): string[] {
  for (let current = directory; ; current = path.dirname(current)) {
    const candidate = path.join(current, 'tsconfig.json')
    if (existsSync(candidate)) return [candidate]
    if (path.dirname(current) === current) return []
  }
}

/** The bundle a manifest names, while the same esbuild would make it from source files that are all as they were; null otherwise. */
function readManifest (file: string, esbuildVersion: string): string | null {
  let manifest: Manifest
  try {
    manifest = JSON.parse(readFileSync(file, 'utf8')) as Manifest
    if (manifest.esbuild !== esbuildVersion) return null
    statSync(path.join(path.dirname(file), manifest.bundle))
    for (const input of manifest.inputs) {
      const now = stamp(input.path)
      if (now.size !== input.size || now.modified !== input.modified) return null
    }
  } catch {
    return null
  }
  return manifest.bundle
}

function stamp (file: string): { size: number, modified: number } {
  const stats = statSync(file)
  return { size: stats.size, modified: stats.mtimeMs }
}

function hash (content: string | Uint8Array): string {
  return createHash('sha256').update(content).digest('hex').slice(0, 16)
}

function writeWhole (file: string, content: string | Uint8Array): void {
  const temporary = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`
  writeFileSync(temporary, content)
  renameSync(temporary, file)
}
