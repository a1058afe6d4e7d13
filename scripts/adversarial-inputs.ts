// Inputs that cost the server far more than they cost the sender: one builder per class of
// issue 14, each at the largest size the limits allow (BODY_LIMIT, the API's 500,000
// characters of source, the search's 1,000 characters of query). `scale` below 1 makes
// them smaller, so the soak's test can run every class in a few seconds.

/** Stays under the API's MAX_SOURCE_LENGTH (500,000) with room for the front matter. */
const SOURCE_BUDGET = 490_000

function sized (count: number, scale: number): number {
  return Math.max(1, Math.round(count * scale))
}

function publicPage (title: string, body: string, extra = ''): string {
  return `---\ntitle: ${title}\nvisibility: public\n${extra}---\n${body}`
}

/**
 * Two revisions of one page of ~6,000 lines where every line differs by one word: the
 * line diff finds no common line, and every removed line pairs with an added one for the word diff.
 */
export function diffRevisionSources (scale = 1): { before: string, after: string } {
  const lines = sized(6000, scale)
  const line = (index: number, word: string): string => `Zeile ${index} des Berichts über den Besuchsdienst, Woche ${index % 52}, ${word} Ende.`
  const body = (word: string): string => Array.from({ length: lines }, (_, index) => line(index, word)).join('\n') + '\n'
  return { before: publicPage('Langer Vergleich', body('vorher')), after: publicPage('Langer Vergleich', body('nachher')) }
}

/**
 * Tables with a 1,000-column header whose rows give one cell each: markdown-it fills in
 * the missing cells, so each three bytes of source become a thousand `<td></td>`. About
 * 165 kB of source; the row count per table keeps the output to tens of megabytes.
 */
export function tableBlowUpSource (scale = 1): string {
  const columns = 1000
  const rows = 40
  const table = `|${'h|'.repeat(columns)}\n|${'-|'.repeat(columns)}\n${'x\n'.repeat(rows)}\n`
  const tables = sized(Math.floor(165_000 / table.length), scale)
  return publicPage('Breite Tabellen', table.repeat(tables))
}

/** About 490 kB of one e-mail address a line on a public page: the publishing check must refuse it (422). */
export function personalDataSource (scale = 1): string {
  const lines = sized(Math.floor(SOURCE_BUDGET / 'a@b.de\n'.length), scale)
  return publicPage('Adressen', 'a@b.de\n'.repeat(lines))
}

/** The longest title and slug the API takes (200 characters), with umlauts that the slug rules must transliterate. */
export function longTitle (): string {
  return 'Überörtliche Förderung '.repeat(10).slice(0, 200).trim()
}

/** A page whose body is distinct wiki links to 200-character titles, each a target to look up and a link to render. */
export function longWikiLinksSource (scale = 1): string {
  const target = (index: number): string => `${index} ${'Äußerst lange Seitenüberschrift '.repeat(7)}`.slice(0, 200).trim()
  const links: string[] = []
  let length = 0
  const limit = sized(SOURCE_BUDGET, scale)
  for (let index = 0; length < limit && index < 100_000; index++) {
    const link = `[[${target(index)}]]\n`
    links.push(link)
    length += link.length
  }
  return publicPage(longTitle(), links.join(''))
}

/** About 480 kB of one short wiki link after another: 24,000 links to one target, whose HTML passes the rendered limit. */
export function manyWikiLinksSource (scale = 1): string {
  return publicPage('Verweise', '[[Noch eine Seite]] '.repeat(sized(24_000, scale)))
}

/** About 490 kB of equal headings as a public page: markdown-it takes seconds to parse them. */
export function sameHeadingsPage (scale = 1): string {
  return publicPage('Überschriften', sameHeadingsSource(sized(SOURCE_BUDGET, scale)))
}

/**
 * "Billion laughs" in the front matter: each alias level repeats the one below ten
 * times, nine levels deep, so expanding every alias would make 10^9 strings.
 */
export function yamlAliasBombSource (scale = 1): string {
  const levels = sized(9, scale)
  const lines = ['l0: &l0 "lol"']
  for (let level = 1; level <= levels; level++) lines.push(`l${level}: &l${level} [${Array.from({ length: 10 }, () => `*l${level - 1}`).join(', ')}]`)
  return `---\ntitle: Gelächter\nvisibility: public\n${lines.join('\n')}\n---\nText.\n`
}

/** Front matter nested as deep as the source allows: a flow sequence inside a flow sequence, ~240,000 levels. */
export function deepYamlSource (scale = 1): string {
  const depth = sized(Math.floor(SOURCE_BUDGET / 2), scale)
  return `---\ntitle: Tief\nvisibility: public\nnested: ${'['.repeat(depth)}${']'.repeat(depth)}\n---\nText.\n`
}

/** A search query at the longest allowed length (1,000 characters) of leading and trailing wildcards with fuzzy edits. */
export function wildcardQuery (scale = 1): string {
  const terms: string[] = []
  const limit = sized(1000, scale)
  const letters = 'abcdefghijklmnopqrstuvwxyzäöü'
  for (let index = 0; terms.join(' ').length < limit - 8; index++) {
    terms.push(`*${letters[index % letters.length]}${letters[(index * 7) % letters.length]}*~2`)
  }
  return terms.join(' ').slice(0, limit)
}

/** A public lesson with every field filled, many of which make many rows of the CSV export. */
export function exportLessonSource (index: number): string {
  const evidence = Array.from({ length: 5 }, (_, item) => `  - figure: "${item + 1} von ${index + 10} Teilnehmenden, \\"zitiert\\", mit Komma"\n    source: "Zählung ${index}"\n    caveat: "Kleine Zahl; ${'Vorbehalt '.repeat(20)}"`).join('\n')
  return `---
title: Lektion ${index} für den Export
type: lesson
summary: "${'Eine Zusammenfassung mit "Anführungszeichen", Kommas und; Semikolons. '.replace(/"/g, '\\"').repeat(6).slice(0, 480)}"
programme: Programm ${index}
organisation: Verein ${index % 50}
place: { name: "Ort ${index % 200}", lat: ${(47 + (index % 80) / 10).toFixed(1)}, lon: ${(6 + (index % 90) / 10).toFixed(1)} }
field: Quartiersarbeit
period: { from: "2023-01", to: "2024-06" }
outcome: ${['works', 'fails', 'mixed', 'open'][index % 4] ?? 'open'}
impactStep: ${1 + (index % 7)}
evidence:
${evidence}
tags: [export, lektion${index % 30}, quartier]
visibility: public
---
${'Was wir taten und was wir annahmen. '.repeat(40)}
`
}

/** Remote HTML nested as deep as the inbox's 1 MiB allows, for an Article's `content`: the sanitiser must walk it. */
export function nestedRemoteHtml (scale = 1): string {
  const depth = sized(Math.floor(900_000 / '<div><b></b></div>'.length), scale)
  return `${'<div><b>'.repeat(depth)}Text<script>alert(1)</script>${'</b></div>'.repeat(depth)}`
}

// Sized for the tests of the bounded-work limits (a fixed size, no scale).

/** Two revisions of `lines` lines with no line in common: the worst case for a line diff. */
export function longDiffRevisions (lines = 6000): { from: string, to: string } {
  const from = Array.from({ length: lines }, (_, index) => `Zeile ${index} der alten Fassung`).join('\n')
  const to = Array.from({ length: lines }, (_, index) => `Zeile ${index} der neuen Fassung, ganz anders`).join('\n')
  return { from, to }
}

/** Tables whose header has `columns` columns and whose rows have one cell each, for Markdown to fill in. */
export function wideTableSource (columns = 1000, targetLength = 165_000): string {
  const table = [
    `|${'a|'.repeat(columns)}`,
    `|${'-|'.repeat(columns)}`,
    ...Array.from({ length: 60 }, () => '|x|')
  ].join('\n') + '\n\n'
  return table.repeat(Math.max(1, Math.floor(targetLength / table.length)))
}

/** A different e-mail address on each line, about `length` characters of them: each is a finding of its own. */
export function manyEmailsSource (length = 490_000): string {
  const lines: string[] = []
  for (let total = 0, index = 0; total < length; index++) {
    const line = `p${index}@b.de`
    lines.push(line)
    total += line.length + 1
  }
  return lines.join('\n')
}

/** Headings that all have the same text, so each needs a numbered id. */
export function sameHeadingsSource (length = 490_000): string {
  return '## a\n\n'.repeat(Math.floor(length / 6))
}

/** Front matter of `fields` short fields: the YAML parser compares each name with every other. */
export function manyFieldsSource (fields = 2200): string {
  return `---\ntitle: Felder\n${Array.from({ length: fields }, (_, index) => `k${index}: v`).join('\n')}\n---\nText\n`
}
