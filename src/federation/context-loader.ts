import type { ApexStore } from './apex-types.ts'
import { preloadedContexts, type ContextDocument } from './contexts.ts'
import type { RemoteHttp } from './http.ts'

/** A context that could not be loaded: the activity naming it is refused with 400. */
export class ContextUnavailableError extends Error {
  constructor (url: string, reason: string) {
    super(`JSON-LD context ${url} is unavailable: ${reason}`)
    this.name = 'ContextUnavailableError'
  }
}

/**
 * JSON-LD context loading for apex: the contexts shipped with the app first, then those
 * fetched before (kept in the store), and only then the network, through the guarded client.
 */
export function createContextLoader (store: ApexStore, http: RemoteHttp): (url: string) => Promise<ContextDocument> {
  const contexts = preloadedContexts()
  return async (url: string): Promise<ContextDocument> => {
    const known = contexts.get(url)
    if (known) return known
    const cached = await store.getContext(url)
    if (cached) return cached
    let document: Record<string, unknown>
    try {
      document = await http.getJson(url, undefined, 'application/ld+json, application/json')
    } catch (error) {
      throw new ContextUnavailableError(url, (error as Error).message)
    }
    const context: ContextDocument = { contextUrl: null, documentUrl: url, document }
    await store.saveContext(context)
    return context
  }
}
