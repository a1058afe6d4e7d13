import path from 'node:path'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import fastifyPlugin from 'fastify-plugin'
import formbody from '@fastify/formbody'
import fastifyStatic from '@fastify/static'
import view from '@fastify/view'
import { Eta } from 'eta'
import type { Locale } from '../i18n/index.ts'
import { registerViewContext } from './context.ts'
import { registerErrorHandler } from './error-handler.ts'
import { createBodyCache, type BodyCache } from './body-cache.ts'
import { createReaderCache, type ReaderCache } from './reader-cache.ts'
import { registerSecurityHeaders } from './security-headers.ts'
import { registerTransfer } from './transfer.ts'
import { localeRoutes } from './locale.ts'

export interface HttpLayerOptions {
  /** The project folder, with static/ and views/. */
  root: string
  bodyLimit: number
  /** Asked per request: an admin may rename the site at any time. */
  siteName: () => string
  /** Served over https (directly or through a trusted proxy). */
  secureTransport: boolean
  /** Hosts besides the site itself that images may come from; asked per request, as the map's tile server is a setting. */
  imageSources: () => string[]
  /** Whose kept answer a request may get: a language for anonymous readers, null for everyone else. */
  readerOf: (request: FastifyRequest) => Locale | null
  /** Whose personal kept answer a signed-in request may get (see createReaderCache); absent when no write signal tells when to forget them. */
  personalOf?: (request: FastifyRequest) => string | null
  /** Whether a personal answer, once ready, was someone's and may be kept. */
  keepsPersonal?: (request: FastifyRequest) => boolean
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Whole pages kept for readers without credentials; domains clear it when what they show changes. */
    readerCache: ReaderCache
    /** Main parts of pages per reader (signed in too); cleared with the reader cache. */
    bodyCache: BodyCache
  }
}

/**
 * The shared HTTP layer, which knows no domain: the reader cache, compression and ETags,
 * forms, static files, templates with their shared context, security headers, and the
 * one error handler. Registered first; every domain plugin depends on it.
 */
export const httpLayer = fastifyPlugin(async (app: FastifyInstance, options: HttpLayerOptions) => {
  // Its hook comes first, so a kept page goes out before sessions, security headers or handlers are at work.
  const readerCache = createReaderCache({ readerOf: options.readerOf, personalOf: options.personalOf, keepsPersonal: options.keepsPersonal })
  app.addHook('onRequest', readerCache.serve)
  app.decorate('readerCache', readerCache)
  app.decorate('bodyCache', createBodyCache())

  await registerTransfer(app)
  await app.register(formbody, { bodyLimit: options.bodyLimit })
  await app.register(fastifyStatic, {
    root: path.join(options.root, 'static'),
    prefix: '/static/',
    // The stylesheet URL carries a content hash, so browsers may keep it for a year.
    maxAge: '365d',
    immutable: true,
    index: false,
    dotfiles: 'deny'
  })
  await app.register(view, {
    engine: { eta: new Eta({ autoEscape: true, cache: true }) },
    root: path.join(options.root, 'views'),
    production: true
  })
  registerViewContext(app, { siteName: options.siteName, stylesheetPath: path.join(options.root, 'static', 'style.css') })
  registerErrorHandler(app)
  await registerSecurityHeaders(app, { secureTransport: options.secureTransport, imageSources: options.imageSources })
  await app.register(localeRoutes)
}, { name: 'praxiswiki-http', fastify: '5.x' })
