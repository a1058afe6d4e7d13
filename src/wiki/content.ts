import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { WikiService } from './service.ts'
import { slugProblem } from '../markdown/slug.ts'

/**
 * The content directory: one Markdown file with YAML front matter per page, at
 * `<dir>/<language>/<slug>.md`. Files are read and written byte for byte, so an
 * export followed by an import gives back the same pages.
 */
export interface ContentFile {
  language: string
  slug: string
  file: string
  source: string
}

export interface ContentProblem {
  file: string
  message: string
}

export interface ImportResult {
  created: number
  updated: number
  unchanged: number
  problems: ContentProblem[]
}

const LANGUAGE_DIRECTORY = /^[a-z]{2,3}$/

export async function readContentDir (dir: string): Promise<{ files: ContentFile[], problems: ContentProblem[] }> {
  const files: ContentFile[] = []
  const problems: ContentProblem[] = []
  const languages = await readdir(dir, { withFileTypes: true })
  for (const entry of languages.sort((a, b) => a.name.localeCompare(b.name))) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue
    const languageDir = path.join(dir, entry.name)
    if (!LANGUAGE_DIRECTORY.test(entry.name)) {
      problems.push({ file: languageDir, message: 'not a language directory such as "de" or "en"' })
      continue
    }
    const names = (await readdir(languageDir, { withFileTypes: true }))
      .filter(item => item.isFile() && item.name.endsWith('.md'))
      .map(item => item.name)
      .sort()
    for (const name of names) {
      const file = path.join(languageDir, name)
      const slug = name.slice(0, -'.md'.length)
      const problem = slugProblem(slug)
      if (problem !== null) {
        problems.push({ file, message: `"${slug}" is not a valid page name (${problem})` })
        continue
      }
      files.push({ language: entry.name, slug, file, source: await readFile(file, 'utf8') })
    }
  }
  return { files, problems }
}

/** Creates missing pages and updates changed ones; a bad file is reported and skipped. */
export async function importContent (
  wiki: WikiService,
  dir: string,
  options: { onProgress?: (done: number, total: number) => void, author?: string } = {}
): Promise<ImportResult> {
  const { files, problems } = await readContentDir(dir)
  const result: ImportResult = { created: 0, updated: 0, unchanged: 0, problems }
  const seen = new Map<string, string>()
  let done = 0
  for (const file of files) {
    try {
      const earlier = seen.get(file.slug)
      if (earlier !== undefined) throw new Error(`the page name "${file.slug}" is already used by ${earlier}`)
      seen.set(file.slug, file.file)
      const found = await wiki.resolve(file.slug)
      const message = `import ${path.relative(dir, file.file)}`
      if (found.kind === 'page') {
        // Imported files are trusted: the publishing check is confirmed on the importer's behalf.
        const saved = await wiki.savePage(file.slug, { source: file.source, baseRevisionId: found.page.revisionId.toHexString(), message, author: options.author ?? null, confirmPublication: true })
        if (saved.changed) result.updated++
        else result.unchanged++
      } else if (found.kind === 'deleted') {
        throw new Error(`the page "${file.slug}" exists but is deleted; restore it first`)
      } else {
        await wiki.createPage({ slug: file.slug, source: file.source, title: file.slug, language: file.language, message, author: options.author ?? null, confirmPublication: true })
        result.created++
      }
    } catch (error) {
      result.problems.push({ file: file.file, message: error instanceof Error ? error.message : String(error) })
    }
    options.onProgress?.(++done, files.length)
  }
  return result
}

/** On first start the wiki is empty; fill it from the starter content if there is any. */
export async function importContentIfEmpty (wiki: WikiService, dir: string): Promise<number> {
  if (await wiki.countPages() > 0) return 0
  try {
    await readdir(dir)
  } catch {
    return 0
  }
  const result = await importContent(wiki, dir)
  return result.created
}

/** Writes every live page to `<dir>/<language>/<slug>.md`; each file is replaced atomically. */
export async function exportContent (
  wiki: WikiService,
  dir: string,
  options: { onProgress?: (done: number, total: number) => void } = {}
): Promise<number> {
  const pages = await wiki.allPages()
  let done = 0
  for (const page of pages) {
    const language = LANGUAGE_DIRECTORY.test(page.language) ? page.language : page.language.split('-')[0] ?? 'und'
    const languageDir = path.join(dir, LANGUAGE_DIRECTORY.test(language) ? language : 'und')
    await mkdir(languageDir, { recursive: true })
    const file = path.join(languageDir, `${page.slug}.md`)
    const temporary = `${file}.${process.pid}.tmp`
    await writeFile(temporary, page.source, 'utf8')
    await rename(temporary, file)
    options.onProgress?.(++done, pages.length)
  }
  return pages.length
}
