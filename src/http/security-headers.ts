import type { FastifyInstance } from 'fastify'
import helmet from '@fastify/helmet'

export interface SecurityHeaderOptions {
  /** The site is served over https: HSTS and upgrading insecure requests mean something. */
  secureTransport: boolean
  /** Hosts besides the site itself that images may come from (a map's tile server), asked for each answer. */
  imageSources?: () => string[]
}

/** Content-Security-Policy and the other security headers, on every answer. */
export async function registerSecurityHeaders (app: FastifyInstance, options: SecurityHeaderOptions): Promise<void> {
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        // No inline scripts anywhere: the only scripts are files under /static.
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        // Per answer: the map's tile server can change in the settings while the app runs.
        imgSrc: ["'self'", () => ['data:', ...(options.imageSources?.() ?? [])].join(' ')],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        ...(options.secureTransport ? { upgradeInsecureRequests: [] } : {})
      }
    },
    // Strict-Transport-Security only means something over https.
    hsts: options.secureTransport ? { maxAge: 31_536_000 } : false,
    referrerPolicy: { policy: 'same-origin' }
  })
}

/** The origin of a tile URL template, for the image sources; Leaflet fills {s} with a, b or c. */
export function tileSources (tileUrl: string | undefined): string[] {
  if (tileUrl === undefined) return []
  const match = /^((?:https?:)?\/\/[^/]+)/.exec(tileUrl)
  return match === null ? [] : [match[1]!.replace('{s}', '*')]
}
