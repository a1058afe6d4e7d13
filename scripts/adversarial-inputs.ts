/**
 * Page sources that once made one request hold the event loop for seconds (issue 14),
 * shared by the tests' bounded-work checks and the abuse benchmark. Each stays within
 * what a request may carry: a source of at most 500,000 characters.
 */

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

/** Front matter with brackets nested `depth` deep. */
export function deepYamlSource (depth = 19_990): string {
  return `---\ntitle: Tief\nplace: ${'['.repeat(depth)}\n---\nText\n`
}
