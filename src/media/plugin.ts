import type { FastifyInstance } from 'fastify'
import fastifyPlugin from 'fastify-plugin'
import { createMediaStore, type MediaStore } from './media-store.ts'
import { mediaAdminRoutes } from './admin-routes.ts'
import { editorUploadRoutes } from './editor-upload-routes.ts'
import { mediaRoutes } from './routes.ts'
import { withUploads } from './upload-forms.ts'

export interface MediaPluginOptions {
  baseUrl: string
  /** The upload limit in bytes (a setting, asked per request). */
  maxUploadBytes: () => number
  /** Every text that may refer to a stored file (revisions, remote pages); asked when an admin cleans up. */
  referencingTexts: () => AsyncIterable<string>
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Stored files: uploads and local copies of remote images. */
    media: MediaStore
  }
}

/**
 * Images and attachments: uploads (API and editor), their storage in GridFS and serving.
 * Multipart bodies are parsed only inside this plugin's routes.
 */
export const mediaPlugin = fastifyPlugin(async (app: FastifyInstance, options: MediaPluginOptions) => {
  const store = createMediaStore(app.store.db)
  app.decorate('media', store)
  await withUploads(app, async scoped => {
    await scoped.register(mediaRoutes, { store, baseUrl: options.baseUrl, maxUploadBytes: options.maxUploadBytes })
    await scoped.register(editorUploadRoutes, { store, maxUploadBytes: options.maxUploadBytes })
  })
  await app.register(mediaAdminRoutes, { store, referencingTexts: options.referencingTexts })
}, { name: 'praxiswiki-media', fastify: '5.x', dependencies: ['praxiswiki-http', 'praxiswiki-auth'] })
