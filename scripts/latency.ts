// Percentiles of latencies and event-loop delays, as the benchmarks print them.
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks'

/** The value below which `share` (0–1) of the values lie; NaN for no values. */
export function percentile (values: number[], share: number): number {
  if (values.length === 0) return NaN
  const sorted = [...values].sort((left, right) => left - right)
  return sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)] ?? NaN
}

export function milliseconds (value: number): string {
  return Number.isNaN(value) ? '–' : value >= 100 ? value.toFixed(0) : value.toFixed(1)
}

/**
 * The delay of this process's event loop, sampled every 10 ms. The server runs in the
 * benchmark's own process, so a handler that blocks shows here as it would in production.
 */
export function eventLoopMonitor (): { histogram: IntervalHistogram, maxMs: () => number, percentileMs: (share: number) => number } {
  const histogram = monitorEventLoopDelay({ resolution: 10 })
  histogram.enable()
  return {
    histogram,
    maxMs: () => histogram.max / 1e6,
    percentileMs: share => histogram.percentile(share * 100) / 1e6
  }
}
