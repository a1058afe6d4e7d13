import { Worker, type ResourceLimits } from 'node:worker_threads'

/**
 * Starts a worker thread running `file`. When the server itself runs TypeScript through
 * tsx, a worker does not inherit tsx's loader, so it registers it first.
 */
export function startWorker (file: URL, options: { resourceLimits?: ResourceLimits } = {}): Worker {
  if (!file.pathname.endsWith('.ts')) return new Worker(file, options)
  const loader = import.meta.resolve('tsx/esm/api')
  const bootstrap = `import(${JSON.stringify(loader)}).then(api => { api.register(); return import(${JSON.stringify(file.href)}) })`
  return new Worker(bootstrap, { ...options, eval: true })
}
