import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Negotiator from 'negotiator'
import { LessonQuery, selectionOf } from './browse.ts'
import { lessonsCsvInChunks, lessonsGeoJson, lessonsJsonLd, type ExportContext } from './exports.ts'
import type { Lesson } from './schema.ts'
import type { LessonService } from './service.ts'
import { exportableLessons } from './visible-lessons.ts'

export interface ExportRoutesOptions {
  lessons: LessonService
  baseUrl: string
  /** Asked per request: an admin may rename the site at any time. */
  siteName: () => string
}

/** The published lessons as open data: CSV, JSON-LD and GeoJSON, filtered like the list. */
export async function exportRoutes (parent: FastifyInstance, options: ExportRoutesOptions): Promise<void> {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>()
  const { lessons } = options
  const exportContext = (): ExportContext => ({ baseUrl: options.baseUrl, siteName: options.siteName() })

  app.get('/lessons.csv', { schema: { querystring: LessonQuery } }, async (request, reply) => {
    const csv = await lessonsCsvInChunks(await exportableLessons(lessons, selectionOf(request.query)), exportContext())
    return reply
      .type('text/csv; charset=utf-8; header=present')
      .header('Content-Disposition', 'attachment; filename="lessons.csv"')
      .send(csv)
  })

  app.get('/lessons.jsonld', { schema: { querystring: LessonQuery } }, async (request, reply) => {
    return await sendJsonLd(reply, await exportableLessons(lessons, selectionOf(request.query)), exportContext())
  })

  app.get('/api/lessons.geojson', { schema: { querystring: LessonQuery } }, async (request, reply) => {
    return reply.type('application/geo+json; charset=utf-8').send(JSON.stringify(lessonsGeoJson(await exportableLessons(lessons, selectionOf(request.query)), exportContext())))
  })
}

export async function sendJsonLd (reply: FastifyReply, list: Lesson[], context: ExportContext): Promise<FastifyReply> {
  return await reply.type('application/ld+json; charset=utf-8').header('Vary', 'Accept, Accept-Language').send(JSON.stringify(lessonsJsonLd(list, context)))
}

/** Whether the client ranks JSON-LD above HTML; HTML is offered first, so an Accept of any type, or none, gets the page. */
export function prefersJsonLd (request: FastifyRequest): boolean {
  return new Negotiator(request).mediaType(['text/html', 'application/ld+json']) === 'application/ld+json'
}
