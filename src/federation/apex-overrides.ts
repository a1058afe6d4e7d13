import type { Db } from 'mongodb'
import { signerFor } from './actor.ts'
import type { Apex } from './apex-types.ts'
import { createContextLoader } from './context-loader.ts'
import type { DeliveryWorker } from './delivery.ts'
import { RemoteFetchError, type RemoteHttp } from './http.ts'
import type { JsonLdPool } from './jsonld-pool.ts'
import { sameHost } from './remote-pages.ts'
import { version } from './version.ts'

export interface ApexOverridesOptions {
  http: RemoteHttp
  db: Db
  actorId: string
  siteName: string
  delivery: DeliveryWorker
  jsonld: JsonLdPool
}

/**
 * Replaces apex's network edges: fetching, delivering and context loading go through
 * the guarded HTTP client, and the delivery loop is this instance's own.
 */
export function overrideApex (apex: Apex, options: ApexOverridesOptions): void {
  const { http, db, actorId, delivery, jsonld } = options

  // apex's own User-Agent says "(+http://undefined)" when baseUrl is set.
  apex.makeUserAgentString = () => http.userAgent

  // apex names the software after the site ("Wiki Nord"), which NodeInfo's schema refuses
  // (lower-case letters, digits and hyphens), and counts no posts.
  apex.generateNodeInfo = async (schemaVersion: string): Promise<Record<string, unknown>> => ({
    version: schemaVersion === '2.0' ? '2.0' : '2.1',
    software: { name: 'praxiswiki', version },
    protocols: ['activitypub'],
    services: { inbound: [], outbound: ['atom1.0'] },
    openRegistrations: false,
    usage: {
      users: { total: 1 },
      localPosts: await db.collection('objects').countDocuments({ type: 'Article', attributedTo: actorId })
    },
    metadata: { nodeName: options.siteName }
  })

  apex.jsonldContextLoader = createContextLoader(apex.store, http)

  apex.requestObject = async (id: string): Promise<Record<string, unknown>> => {
    const document = await http.getJson(id, apex.systemUser === undefined ? undefined : signerFor(apex.systemUser))
    // A server may only speak for its own objects: a foreign id would poison the cache.
    if (typeof document.id !== 'string' || !sameHost(document.id, id)) {
      throw new RemoteFetchError(`${id} answered with an object from elsewhere (${String(document.id).slice(0, 200)})`)
    }
    const compacted = await jsonld.fromJSONLD(document).catch((error: Error) => {
      throw new RemoteFetchError(`${id} is not valid JSON-LD: ${error.message}`)
    })
    if (!compacted) throw new RemoteFetchError(`${id} is not valid JSON-LD`)
    return compacted
  }

  // Replaces apex's module-wide delivery loop with this instance's worker.
  apex.startDelivery = () => delivery.kick()
  apex.runDelivery = () => delivery.kick()
}
