import { createHash } from 'node:crypto'
import slugify from '@sindresorhus/slugify'
import { cleanTitle } from './title.ts'

/**
 * Slugs are URL path segments under /wiki/ and file names in content/<lang>/.
 * Only lower-case ASCII letters, digits and single inner hyphens are allowed, so a
 * slug can never contain a dot, a slash or a backslash and so never escape a directory.
 */
const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/
export const MAX_SLUG_LENGTH = 80

/**
 * Names that routes, files or later features use at the top level or under /wiki/.
 * Some can never match SLUG_PATTERN (they contain a dot) and are listed anyway, so
 * the list documents every path the application claims.
 */
export const RESERVED_SLUGS: ReadonlySet<string> = new Set([
  'api', 'wiki', 'lessons', 'search', 'login', 'logout', 'admin', 'static', 'new',
  'recent-changes', 'pages', 'users', 'inbox', 'outbox', 'followers', 'following',
  'nodeinfo', 'feed', 'feed.atom', 'sitemap.xml', 'robots.txt', 'favicon.ico',
  '.well-known'
])

/** Used when a title has no letter or digit at all. */
const FALLBACK_SLUG = 'page'
const HASH_LENGTH = 8

export type SlugProblem = 'empty' | 'too-long' | 'invalid-characters' | 'reserved'

export function slugProblem (slug: string): SlugProblem | null {
  if (slug.length === 0) return 'empty'
  if (slug.length > MAX_SLUG_LENGTH) return 'too-long'
  if (!SLUG_PATTERN.test(slug)) return 'invalid-characters'
  if (RESERVED_SLUGS.has(slug)) return 'reserved'
  return null
}

export function isValidSlug (slug: string): boolean {
  return slugProblem(slug) === null
}

/**
 * A readable ASCII slug for a title. German transliteration (ä → ae, ß → ss) is the
 * default of the library; '&' is spelled in the page's language.
 * The result always satisfies the pattern, but may still be reserved or taken:
 * `slugForTitle` or `uniqueSlug` decide about those.
 */
export function slugifyTitle (title: string, language = 'de'): string {
  const slug = slugify(title, {
    decamelize: false,
    customReplacements: [['&', language === 'de' ? ' und ' : ' and ']]
  })
  return truncate(slug, MAX_SLUG_LENGTH)
}

/** The slug for a title, moved off a reserved name by a suffix. */
export function slugForTitle (title: string, language = 'de'): string {
  const cleaned = cleanTitle(title)
  const slug = slugifyTitle(cleaned, language) || untransliteratedSlug(cleaned)
  return RESERVED_SLUGS.has(slug) ? withSuffix(slug, 2) : slug
}

/**
 * For titles in scripts the transliteration leaves out (Chinese, Japanese, Korean, Hebrew,
 * Devanagari, Thai, …): `page-` and the start of the title's SHA-256. The slug stays within
 * the ASCII pattern (a percent-encoded one would not), is the same for the same title and
 * differs between titles, unlike `page`, `page-2`, … by order of creation.
 */
function untransliteratedSlug (title: string): string {
  if (!/[\p{L}\p{N}]/u.test(title)) return FALLBACK_SLUG
  return `${FALLBACK_SLUG}-${createHash('sha256').update(title).digest('hex').slice(0, HASH_LENGTH)}`
}

/**
 * The first free slug among `base`, `base-2`, `base-3`, … or null when none of them is.
 * The number of attempts is bounded because `isTaken` usually asks the store.
 */
export async function uniqueSlug (
  base: string,
  isTaken: (slug: string) => Promise<boolean>,
  maxAttempts = 100
): Promise<string | null> {
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const candidate = attempt === 1 ? base : withSuffix(base, attempt)
    if (isValidSlug(candidate) && !(await isTaken(candidate))) return candidate
  }
  return null
}

export function withSuffix (slug: string, number: number): string {
  const suffix = `-${number}`
  return truncate(slug, MAX_SLUG_LENGTH - suffix.length) + suffix
}

function truncate (slug: string, length: number): string {
  if (slug.length <= length) return slug
  return slug.slice(0, length).replace(/-+$/, '')
}
