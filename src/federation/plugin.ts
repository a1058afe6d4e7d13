import type { FastifyInstance } from 'fastify'
import fastifyPlugin from 'fastify-plugin'
import type { AppConfig } from '../config/index.ts'
import type { SiteSettings } from '../settings/site-settings.ts'
import type { FederationEventBus } from './events.ts'
import { setupFederation } from './index.ts'

export interface FederationPluginOptions {
  config: AppConfig
  /** The settings as they are now (profile, follow approval, blocked domains). */
  settings: () => Readonly<SiteSettings>
  events: FederationEventBus
  /** Delivery retry schedule; tests shorten it. */
  retryDelaysMs?: number[]
}

/** ActivityPub for the wiki's pages: the organisation actor, inbox, outbox, follows and remote pages. */
export const federationPlugin = fastifyPlugin(async (app: FastifyInstance, options: FederationPluginOptions) => {
  await setupFederation(app, { ...options, wiki: app.wiki, renderer: app.pageRenderer })
}, { name: 'praxiswiki-federation', fastify: '5.x', dependencies: ['praxiswiki-http', 'praxiswiki-auth', 'praxiswiki-wiki', 'praxiswiki-media'] })
