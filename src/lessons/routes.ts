import type { FastifyInstance } from 'fastify'
import { browseRoutes, type BrowseRoutesOptions } from './browse-routes.ts'
import { exportRoutes, type ExportRoutesOptions } from './export-routes.ts'
import { formRoutes, type FormRoutesOptions } from './form-routes.ts'
import { overviewRoutes, type OverviewRoutesOptions } from './overview-routes.ts'

export type LessonRoutesOptions = BrowseRoutesOptions & ExportRoutesOptions & OverviewRoutesOptions & FormRoutesOptions

/** Browsing, exports, overview, map and the guided form for lessons. */
export async function lessonRoutes (app: FastifyInstance, options: LessonRoutesOptions): Promise<void> {
  await app.register(browseRoutes, options)
  await app.register(exportRoutes, options)
  await app.register(overviewRoutes, options)
  await app.register(formRoutes, options)
}
