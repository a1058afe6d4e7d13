import { parentPort } from 'node:worker_threads'
import { prepareBasemap } from './basemap.ts'

// Preparing the outlines takes about a second of CPU: done here, the server keeps answering meanwhile.
parentPort?.postMessage(await prepareBasemap())
