import type { FastifyRequest } from 'fastify'
import { parseSource } from '../markdown/front-matter.ts'
import type { PageDocument } from './model.ts'

/** What other domains read of a page to add to its view: its fields, never its store. */
export type ExtrasPage = Pick<PageDocument, 'slug' | 'title' | 'language' | 'fields' | 'frontMatter' | 'createdAt' | 'updatedAt'>

/**
 * Where the page is shown: as it stands now, or as a text that is not (or no longer) the
 * current one, the editor's preview or an old revision, where links to edit the current
 * page and lists of related pages would mislead.
 */
export type ExtrasView = 'page' | 'snapshot'

/** More for the page view of some pages (a lesson's fact box); an empty object for the rest. */
export type PageExtras = (request: FastifyRequest, page: ExtrasPage, view: ExtrasView) => Promise<Record<string, unknown>>

/**
 * A page as one source text would make it, for the extras of a preview or an old
 * revision. Throws FrontMatterError for front matter the save would refuse.
 */
export function snapshotOf (source: string, around: { slug: string, title: string, language: string, createdAt?: Date, updatedAt?: Date }): ExtrasPage {
  const { data, fields } = parseSource(source)
  const at = around.updatedAt ?? new Date()
  return {
    slug: around.slug,
    title: fields.title ?? around.title,
    language: fields.language ?? around.language,
    fields,
    frontMatter: data,
    createdAt: around.createdAt ?? at,
    updatedAt: at
  }
}

/**
 * Per-request values for a page whose main part is kept (see renderFramed's slots): the main
 * part names a slot, and this gives its value on every view.
 */
export type PageSlots = (request: FastifyRequest, page: PageDocument) => Record<string, string>
