import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
/** Praxiswiki's version, as NodeInfo and the User-Agent of every outgoing request give it. */
export const { version } = require('../../package.json') as { version: string }
