import { isMap, parseDocument, stringify, type Document } from 'yaml'
import { FrontMatterError, parseSource, splitFrontMatter } from '../markdown/front-matter.ts'
import { mergeValues, same, valueAt, withValueAt, type FieldConflict, type FieldPath } from './merge-fields.ts'
import { mergeLines, type LineConflict, type LineMerge } from './merge-lines.ts'

export type { FieldConflict } from './merge-fields.ts'
export type { LineConflict } from './merge-lines.ts'

/** One part both sides changed differently: a field of the front matter or a stretch of the text. */
export type MergeConflict =
  | ({ kind: 'field' } & FieldConflict)
  | ({ kind: 'text' } & LineConflict)

/** A three-way merge of page sources: the merged source, or the conflicts that stop it. */
export interface SourceMerge {
  /** The merged source; null while conflicts wait for a decision. */
  source: string | null
  /** Field conflicts first, in the order of the front matter, then the text's, top to bottom. */
  conflicts: MergeConflict[]
  /** The text changed too much on a side to be merged line by line (see mergeLines). */
  coarse: boolean
  frontMatter: FrontMatterMerge
  body: LineMerge
}

interface FrontMatterMerge {
  /** Their front matter block as written (delimiters included), the start of the merged one. */
  theirsBlock: string
  /** Both sides' data, and the merged data with their values where conflicts are. */
  theirs: Record<string, unknown>
  merged: Record<string, unknown>
  /** Set when only one side changed the front matter: that side's block, as written. */
  verbatim: string | null
  conflicts: FieldConflict[]
}

/** What a person decided for one conflict: one side, or text of their own (YAML for a field). */
export type ConflictChoice = { take: 'theirs' | 'yours' } | { text: string }

/**
 * Merges what someone saved meanwhile (theirs) with a save made on an older base (yours):
 * the body line by line (mergeLines), the front matter field by field (mergeValues), keeping
 * their YAML as written and changing only the fields that the merge changes.
 */
export function mergeSources (base: string, theirs: string, yours: string): SourceMerge {
  const [baseParts, theirParts, yourParts] = [base, theirs, yours].map(sourceParts) as [SourceParts, SourceParts, SourceParts]
  const frontMatter = mergeFrontMatter(baseParts, theirParts, yourParts)
  const body = mergeLines(baseParts.body, theirParts.body, yourParts.body)
  const conflicts: MergeConflict[] = [
    ...frontMatter.conflicts.map(conflict => ({ kind: 'field' as const, ...conflict })),
    ...body.conflicts.map(conflict => ({ kind: 'text' as const, ...conflict }))
  ]
  const merge: SourceMerge = { source: null, conflicts, coarse: body.coarse, frontMatter, body }
  if (conflicts.length === 0) merge.source = resolveMerge(merge, [])
  return merge
}

/**
 * The source with each conflict decided, in the order of `merge.conflicts`. A field's own
 * text is read as YAML (empty removes the field); throws FrontMatterError when it cannot be.
 */
export function resolveMerge (merge: SourceMerge, choices: readonly ConflictChoice[]): string {
  let index = 0
  const next = (): ConflictChoice => choices[index++] ?? { take: 'theirs' }
  const { frontMatter } = merge
  let block = frontMatter.verbatim
  if (block === null) {
    let data: unknown = frontMatter.merged
    for (const conflict of frontMatter.conflicts) data = withValueAt(data, conflict.path, fieldChoice(conflict, next()))
    block = frontMatterBlock(frontMatter.theirsBlock, frontMatter.theirs, data as Record<string, unknown>)
  }
  const lines = merge.body.runs.flatMap(run => {
    if ('lines' in run) return run.lines
    const choice = next()
    if ('text' in choice) return choice.text.replace(/\r\n?/g, '\n').split('\n')
    return choice.take === 'theirs' ? run.conflict.theirs : run.conflict.yours
  })
  return `${block}${lines.join('\n')}`
}

/** A conflict's path as people read it: `place.lat`, `evidence.2.figure` (rows counted from 1). */
export function fieldName (path: FieldPath): string {
  return path.map(step => typeof step === 'number' ? String(step + 1) : step).join('.')
}

function fieldChoice (conflict: FieldConflict, choice: ConflictChoice): unknown {
  if (!('text' in choice)) return choice.take === 'theirs' ? conflict.theirs : conflict.yours
  if (choice.text.trim() === '') return undefined
  const document = parseDocument(choice.text, { schema: 'core', uniqueKeys: true })
  const error = document.errors[0]
  if (error !== undefined) throw new FrontMatterError(2, `${fieldName(conflict.path)}: ${error.message.split('\n')[0] ?? ''}`)
  return document.toJS({ maxAliasCount: 50 }) as unknown
}

interface SourceParts {
  /** The front matter block as written, delimiters and line ends included; '' without one. */
  block: string
  data: Record<string, unknown>
  body: string[]
}

/** A source cut into its front matter (as text and as data) and its body lines. */
function sourceParts (source: string): SourceParts {
  const { yaml, body } = splitFrontMatter(source)
  const text = source.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n')
  const block = yaml === null ? '' : text.slice(0, text.length - body.length)
  let data: Record<string, unknown> = {}
  try {
    data = parseSource(source).data
  } catch (error) {
    // A stored revision from before a rule was tightened: its fields count as absent.
    if (!(error instanceof FrontMatterError)) throw error
  }
  return { block, data, body: body.split('\n') }
}

function mergeFrontMatter (base: SourceParts, theirs: SourceParts, yours: SourceParts): FrontMatterMerge {
  const start = { theirsBlock: theirs.block, theirs: theirs.data, conflicts: [] }
  if (yours.block === base.block || yours.block === theirs.block) return { ...start, merged: theirs.data, verbatim: theirs.block }
  if (theirs.block === base.block) return { ...start, merged: yours.data, verbatim: yours.block }
  const merged = mergeValues(base.data, theirs.data, yours.data)
  return { ...start, merged: merged.value as Record<string, unknown>, verbatim: null, conflicts: merged.conflicts }
}

/**
 * Their front matter with the merged data written in: each field whose value differs is set
 * (or removed), so comments and the formatting of fields nobody changed stay as they were.
 */
function frontMatterBlock (theirsBlock: string, theirs: Record<string, unknown>, merged: Record<string, unknown>): string {
  if (same(theirs, merged)) return theirsBlock
  if (theirsBlock === '') return Object.keys(merged).length === 0 ? '' : `---\n${stringify(merged, { lineWidth: 0 })}---\n`
  const yaml = theirsBlock.split('\n').slice(1, -2).join('\n')
  const document = parseDocument(yaml, { schema: 'core' })
  if (!isMap(document.contents)) return `---\n${stringify(merged, { lineWidth: 0 })}---\n`
  writeChanges(document, [], theirs, merged)
  return `---\n${document.toString({ lineWidth: 0 })}---\n`
}

function writeChanges (document: Document, path: FieldPath, theirs: unknown, merged: unknown): void {
  if (same(theirs, merged)) return
  const bothRecords = [theirs, merged].every(value => typeof value === 'object' && value !== null && !Array.isArray(value))
  if (!bothRecords || (path.length > 0 && !isMap(document.getIn(path, true)))) {
    if (merged === undefined) document.deleteIn(path)
    else document.setIn(path, merged)
    return
  }
  const keys = new Set([...Object.keys(theirs as object), ...Object.keys(merged as object)])
  for (const key of keys) writeChanges(document, [...path, key], valueAt(theirs, [key]), valueAt(merged, [key]))
}
