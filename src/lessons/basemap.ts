import { once } from 'node:events'
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { startWorker } from '../threads/start-worker.ts'
import { feature } from 'topojson-client'
import type { GeometryCollection, Topology } from 'topojson-specification'

/**
 * The map's own basemap: country outlines from Natural Earth (public domain), shipped
 * in the world-atlas package as TopoJSON and turned into GeoJSON once at start, so the
 * map needs no tile server and no visitor's address goes to a third party. 1:50 million
 * is detailed enough for regions of a country; coordinates are kept to 0.01° (about 1 km).
 */
const ATLAS = 'world-atlas/countries-50m.json'
const PRECISION = 100

/** The basemap as GeoJSON text, prepared in a worker thread on first use and kept. */
export function createBasemap (): () => Promise<string> {
  let prepared: Promise<string> | null = null
  return () => {
    prepared ??= (async () => {
      const worker = startWorker(new URL('./basemap-worker.ts', import.meta.url))
      try {
        const [text] = await once(worker, 'message') as [string]
        return text
      } finally {
        await worker.terminate()
      }
    })()
    prepared.catch(() => { prepared = null })
    return prepared
  }
}

export async function prepareBasemap (): Promise<string> {
  const path = createRequire(import.meta.url).resolve(ATLAS)
  const topology = JSON.parse(await readFile(path, 'utf8')) as Topology<{ countries: GeometryCollection<{ name: string }> }>
  const countries = feature(topology, topology.objects.countries)
  // Only the outlines travel; names would be in English alone and the page does not show them.
  const features = countries.features.map(country => ({ type: 'Feature', properties: {}, geometry: rounded(country.geometry) }))
  return JSON.stringify({ type: 'FeatureCollection', features })
}

function rounded<T> (value: T): T {
  if (typeof value === 'number') return Math.round(value * PRECISION) / PRECISION as T
  if (Array.isArray(value)) return value.map(rounded) as T
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, rounded(inner)])) as T
  return value
}
