// autocannon in a child process, so the server under test has a core to itself
// instead of sharing the event loop with the client.
import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import type autocannon from 'autocannon'

export interface LoadOptions {
  connections: number
  seconds: number
  headers?: Record<string, string>
}

export interface LoadMeasurement {
  requestsPerSecond: number
  p99: number
  /** CPU time of this process (the server) per answered request, in µs: what the server spends, whatever limits the client. */
  serverMicroseconds: number
  /** Errors, timeouts and answers other than 2xx. */
  errors: number
}

async function load (url: string, options: LoadOptions): Promise<autocannon.Result> {
  const cli = createRequire(import.meta.url).resolve('autocannon/autocannon.js')
  const headerArguments = Object.entries(options.headers ?? {}).flatMap(([name, value]) => ['-H', `${name}=${value}`])
  return await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, '--json', '-c', String(options.connections), '-d', String(options.seconds), '-p', '1', ...headerArguments, url], { stdio: ['ignore', 'pipe', 'ignore'] })
    let output = ''
    child.stdout.on('data', chunk => { output += chunk })
    child.on('error', reject)
    child.on('close', code => {
      try {
        resolve(JSON.parse(output) as autocannon.Result)
      } catch {
        reject(new Error(`autocannon exited with ${code} without a result`))
      }
    })
  })
}

/** Runs autocannon against a server in this process and measures this process's CPU time meanwhile. */
export async function measureLoad (url: string, options: LoadOptions): Promise<LoadMeasurement> {
  const before = process.cpuUsage()
  const result = await load(url, options)
  const cpu = process.cpuUsage(before)
  return {
    requestsPerSecond: result.requests.average,
    p99: result.latency.p99,
    serverMicroseconds: (cpu.user + cpu.system) / Math.max(1, result.requests.total),
    errors: result.errors + result.non2xx + result.timeouts
  }
}

export function median (values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  if (sorted.length === 0) return NaN
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}
