import type { FastifyInstance } from 'fastify'
import fastifyPlugin from 'fastify-plugin'
import type { AuditLog } from '../auth/audit.ts'
import { settingsRoutes } from './routes.ts'
import type { SiteSettingsService } from './site-settings.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** The settings an admin changes in the browser; read `current()` per request. */
    settings: SiteSettingsService
  }
}

/** The settings page and API, after auth (whose access checks cover them). */
export const settingsPlugin = fastifyPlugin(async (app: FastifyInstance, options: { settings: SiteSettingsService, audit: AuditLog }) => {
  app.decorate('settings', options.settings)
  await app.register(settingsRoutes, options)
}, { name: 'praxiswiki-settings', fastify: '5.x', dependencies: ['praxiswiki-http', 'praxiswiki-auth'] })
