import type { FastifyRequest } from 'fastify'
import { stringify } from 'yaml'
import type { Translate } from '../i18n/index.ts'
import { diffTexts } from './diff.ts'
import { fieldName, mergeSources, type MergeConflict, type SourceMerge } from './merge.ts'
import type { PageDocument, RevisionDocument } from './model.ts'

export type PartChoice = 'theirs' | 'yours' | 'edited'

/** One conflicting part as the conflict view shows it: both versions, and what to start the own text with. */
export interface ConflictPart {
  number: number
  legend: string
  theirs: string
  yours: string
  /** The text box's content: the person's own text when sent back, else their version. */
  edited: string
  editedLabel: string
  choice: PartChoice | null
  missing: boolean
}

export interface ConflictState {
  page: PageDocument
  current: RevisionDocument
  /** The three-way merge; null when no base was known, and then the view compares the two texts. */
  merge: SourceMerge | null
  /** The revision the merge started from, sent back with the decisions; '' for none. */
  mergeBase: string
  proposedSource: string
  message: string
  /** What was sent back, when the view is shown again (a part left undecided, YAML that cannot be read). */
  choices?: Array<PartChoice | null>
  texts?: Array<string | undefined>
  missing?: number[]
  error?: string
}

/** The merge the view and the decisions work on: without a known base, the two texts against an empty one. */
export function conflictMerge (state: Pick<ConflictState, 'merge' | 'current' | 'proposedSource'>): SourceMerge {
  return state.merge ?? mergeSources('', state.current.source, state.proposedSource)
}

/** What views/conflict.eta shows: each conflicting part with both versions and the three ways to decide it. */
export function conflictView (request: FastifyRequest, state: ConflictState): Record<string, unknown> & { title: string } {
  const t = request.t
  const merge = conflictMerge(state)
  const author = state.current.author ?? t('conflict.someone')
  const count = merge.conflicts.length
  const parts = merge.conflicts.map((conflict, index): ConflictPart => {
    const number = index + 1
    const yours = shown(t, conflict, 'yours')
    return {
      number,
      legend: conflict.kind === 'field'
        ? t('conflict.partField', { number, count, field: fieldName(conflict.path) })
        : t('conflict.partText', { number, count, line: conflict.baseStart + 1 }),
      theirs: shown(t, conflict, 'theirs'),
      yours,
      edited: state.texts?.[index] ?? editable(conflict, 'yours'),
      editedLabel: t(conflict.kind === 'field' ? 'conflict.editedFieldLabel' : 'conflict.editedLabel'),
      choice: state.choices?.[index] ?? null,
      missing: state.missing?.includes(number) ?? false
    }
  })
  const errors = [
    ...(state.error === undefined ? [] : [{ href: '#conflict-parts', text: state.error }]),
    ...(state.missing ?? []).map(number => ({ href: `#part-${number}-theirs`, text: t('conflict.choose', { number }) }))
  ]
  return {
    title: t('conflict.title'),
    page: state.page,
    current: state.current,
    author,
    parts,
    coarse: merge.coarse,
    count,
    mergeBase: state.mergeBase,
    proposedSource: state.proposedSource,
    message: state.message,
    errors,
    diff: diffTexts(state.current.source, state.proposedSource),
    noindex: true
  }
}

/** A side of a conflict as text to read: the lines, or a field's value in YAML. */
function shown (t: Translate, conflict: MergeConflict, side: 'theirs' | 'yours'): string {
  if (conflict.kind === 'field' && conflict[side] === undefined) return t('conflict.fieldRemoved')
  const text = editable(conflict, side)
  return text.trim() === '' ? t('conflict.empty') : text
}

function editable (conflict: MergeConflict, side: 'theirs' | 'yours'): string {
  if (conflict.kind === 'text') return conflict[side].join('\n')
  const value = conflict[side]
  return value === undefined ? '' : stringify(value, { lineWidth: 0 }).replace(/\n$/, '')
}
