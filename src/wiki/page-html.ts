import type { FastifyRequest } from 'fastify'
import type { PageRenderer } from '../markdown/page-renderer.ts'
import type { RenderedMarkdown } from '../markdown/render.ts'
import type { PageDocument } from './model.ts'

/** A page's (or one revision's) text as HTML for this reader; the create-link tooltip is localised. */
export async function renderPageHtml (renderer: PageRenderer, request: FastifyRequest, page: Pick<PageDocument, 'revisionId' | 'source' | 'language'>, revisionId = page.revisionId): Promise<RenderedMarkdown> {
  return await renderer.render({
    revisionId: revisionId.toHexString(),
    source: page.source,
    language: page.language,
    locale: request.locale,
    missingPageTitle: request.t('page.missingLink')
  })
}
