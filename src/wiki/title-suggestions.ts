import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { Collection, Filter } from 'mongodb'
import { seesLocalPages } from '../auth/visibility.ts'
import type { PageDocument } from './model.ts'

/** Titles offered at most, and titles read to pick them from (prefix matches first). */
export const MAX_SUGGESTIONS = 10
const CANDIDATES = 50

export const TitleSuggestionQuery = Type.Object({
  q: Type.String({ minLength: 1, maxLength: 100 }),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_SUGGESTIONS }))
})

export interface TitleSuggestion { title: string, slug: string }

function escapeRegExp (text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/**
 * Live pages whose title has a word starting with what was typed, titles starting with it
 * first: what the editor offers after `[[`. Local pages only for those who may read them.
 */
export async function suggestTitles (pages: Collection<PageDocument>, typed: string, options: { includeLocal: boolean, limit: number }): Promise<TitleSuggestion[]> {
  const text = typed.normalize('NFC').trim()
  if (text === '') return []
  const wordStart = new RegExp(`(^|[\\s\\-–(/])${escapeRegExp(text)}`, 'i')
  const filter: Filter<PageDocument> = { deletedAt: null, title: { $regex: wordStart } }
  if (!options.includeLocal) filter['fields.visibility'] = { $ne: 'local' }
  const found = await pages.find(filter, { sort: { title: 1 }, limit: CANDIDATES, projection: { title: 1, slug: 1 } }).toArray()
  const lower = text.toLowerCase()
  return found
    .map(page => ({ title: page.title, slug: page.slug }))
    .sort((a, b) => Number(!a.title.toLowerCase().startsWith(lower)) - Number(!b.title.toLowerCase().startsWith(lower)))
    .slice(0, options.limit)
}

/** `GET /api/page-titles?q=`: titles for the editor's `[[link]]` completion, bounded and by visibility. */
export async function titleSuggestionRoutes (parent: FastifyInstance, options: { wiki: { suggestTitles: (typed: string, query: { includeLocal: boolean, limit: number }) => Promise<TitleSuggestion[]> } }): Promise<void> {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>()
  app.get('/api/page-titles', { schema: { querystring: TitleSuggestionQuery } }, async (request, reply) => {
    const titles = await options.wiki.suggestTitles(request.query.q, { includeLocal: seesLocalPages(request), limit: request.query.limit ?? MAX_SUGGESTIONS })
    // What a person may see differs between people; nobody in between may keep it.
    reply.header('Cache-Control', 'private, no-store')
    return { titles }
  })
}
