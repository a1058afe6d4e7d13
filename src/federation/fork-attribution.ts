import type { FastifyRequest } from 'fastify'
import { webUrl } from './remote-pages.ts'

export interface ForkAttribution {
  url: string
  title: string
  organisation: string
  licence: string
}

const textOf = (value: unknown): string => typeof value === 'string' ? value.trim() : ''

/**
 * Where a fork came from, from the front matter the fork wrote (`forkOf`, `originalTitle`,
 * `attribution`, `originalLicence`): CC BY-SA asks that reusers name the original, so the
 * page itself says it, not only its history.
 */
export function forkAttributionOf (page: { title: string, frontMatter: Record<string, unknown>, fields: { licence: string } }): ForkAttribution | null {
  const url = webUrl(textOf(page.frontMatter.forkOf))
  if (url === '') return null
  return {
    url,
    title: textOf(page.frontMatter.originalTitle) || page.title,
    organisation: textOf(page.frontMatter.attribution) || new URL(url).host,
    licence: textOf(page.frontMatter.originalLicence) || page.fields.licence
  }
}

/** The page view's addition for forks. */
export async function forkPageExtras (_request: FastifyRequest, page: Parameters<typeof forkAttributionOf>[0]): Promise<Record<string, unknown>> {
  const fork = forkAttributionOf(page)
  return fork === null ? {} : { fork }
}
