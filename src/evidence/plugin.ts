import type { FastifyInstance } from 'fastify'
import fastifyPlugin from 'fastify-plugin'
import { createLessonSnapshot } from './lesson-snapshot.ts'
import { evidenceRoutes } from './routes.ts'

/** Changes that can add, change or remove a lesson of any origin (declared by wiki/ and federation/). */
const LESSON_CHANGES = ['page.saved', 'page.deleted', 'remote.saved', 'remote.deleted'] as const

export interface EvidencePluginOptions {
  /** The app's event bus; only whether a lesson may have changed matters here. */
  events: { on: (name: typeof LESSON_CHANGES[number], listener: () => void) => unknown }
  lessonFields: readonly string[]
  baseUrl: string
  siteName: () => string
}

/** /evidence and /api/evidence: what works across every organisation this instance knows. */
export const evidencePlugin = fastifyPlugin(async (app: FastifyInstance, options: EvidencePluginOptions) => {
  const snapshot = createLessonSnapshot({ list: () => app.lessons.all() })
  for (const change of LESSON_CHANGES) options.events.on(change, () => { snapshot.invalidate() })
  await app.register(evidenceRoutes, { snapshot, lessonFields: options.lessonFields, baseUrl: options.baseUrl, siteName: options.siteName })
}, { name: 'praxiswiki-evidence', fastify: '5.x', dependencies: ['praxiswiki-http', 'praxiswiki-auth', 'praxiswiki-lessons'] })
