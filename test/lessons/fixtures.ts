import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Lesson } from '../../src/lessons/schema.ts'

export const contentDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../content')

/** Every starter page as [file, source]. */
export async function starterPages (): Promise<Array<[string, string]>> {
  const pages: Array<[string, string]> = []
  for (const language of ['de', 'en']) {
    for (const name of (await readdir(path.join(contentDir, language))).sort()) {
      pages.push([`${language}/${name}`, await readFile(path.join(contentDir, language, name), 'utf8')])
    }
  }
  return pages
}

export function validLessonSource (extra: Partial<Record<string, string>> = {}, body = '\n## Kontext\n\nText.\n'): string {
  const fields: Record<string, string> = {
    title: 'Elternkurs am Abend',
    language: 'de',
    type: 'lesson',
    summary: 'Die Familien kamen nicht.',
    programme: 'Elternkurs',
    organisation: 'Familienzentrum Nord e. V.',
    place: '{ name: "Halle", lat: 51.48, lon: 11.97 }',
    field: 'Familienhilfe',
    period: '{ from: "2023-01", to: "2023-12" }',
    outcome: 'fails',
    impactStep: '2',
    coProduction: 'consulted',
    tags: '[familie, abendkurs]',
    visibility: 'local',
    ...extra
  }
  const lines = Object.entries(fields).filter(([, value]) => value !== undefined && value !== '').map(([key, value]) => `${key}: ${value}`)
  return `---\n${lines.join('\n')}\n---\n${body}`
}

export function lesson (overrides: Partial<Lesson> = {}): Lesson {
  return {
    slug: 'lesson',
    title: 'A lesson',
    language: 'en',
    summary: 'Summary',
    programme: 'Programme',
    organisation: 'Organisation',
    place: { name: 'Leipzig', lat: 51.34, lon: 12.37 },
    field: 'Altenhilfe',
    period: { from: '2023-01', to: '2023-06' },
    outcome: 'works',
    evidence: [],
    tags: [],
    licence: 'CC-BY-SA-4.0',
    visibility: 'public',
    createdAt: new Date('2024-01-01T00:00:00Z'),
    updatedAt: new Date('2024-01-01T00:00:00Z'),
    origin: 'local',
    path: `/wiki/${overrides.slug ?? 'lesson'}`,
    ...overrides
  }
}
