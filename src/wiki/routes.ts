import type { FastifyInstance } from 'fastify'
import { conflictRoutes } from './conflict-routes.ts'
import { historyRoutes } from './history-routes.ts'
import { pageRoutes, type PageRoutesOptions } from './page-routes.ts'

export type WikiRoutesOptions = PageRoutesOptions

/** The wiki's pages under /wiki: the pages themselves, their history, and deciding edit conflicts. */
export async function wikiRoutes (app: FastifyInstance, options: WikiRoutesOptions): Promise<void> {
  await pageRoutes(app, options)
  await historyRoutes(app, options)
  await conflictRoutes(app, options)
}
