import type { FastifyInstance } from 'fastify'
import fastifyPlugin from 'fastify-plugin'
import { evidenceRoutes } from './routes.ts'

export interface EvidencePluginOptions {
  lessonFields: readonly string[]
  baseUrl: string
  siteName: () => string
}

/** /evidence and /api/evidence: what works across every organisation this instance knows. */
export const evidencePlugin = fastifyPlugin(async (app: FastifyInstance, options: EvidencePluginOptions) => {
  // The lessons domain keeps the listing up to date lesson by lesson; the evidence view reads it as it is.
  await app.register(evidenceRoutes, { list: async () => await app.lessons.all(), lessonFields: options.lessonFields, baseUrl: options.baseUrl, siteName: options.siteName })
}, { name: 'praxiswiki-evidence', fastify: '5.x', dependencies: ['praxiswiki-http', 'praxiswiki-auth', 'praxiswiki-lessons'] })
