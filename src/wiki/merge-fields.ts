import { mergeLines } from './merge-lines.ts'

export type FieldPath = Array<string | number>

/** A field both sides changed differently; `undefined` stands for a field one side removed or never had. */
export interface FieldConflict {
  path: FieldPath
  base: unknown
  theirs: unknown
  yours: unknown
}

export interface FieldMerge {
  /** The merged value; at each conflict's path it holds their value until someone decides. */
  value: unknown
  conflicts: FieldConflict[]
}

/**
 * Merges structured values (front matter) three-way, field by field:
 * - a field changed on one side only takes that side; the same change on both sides is taken once;
 * - fields holding fields (`place`, `period`) are merged field by field in turn;
 * - lists (tags, evidence rows) are merged item by item as a sequence: an item changed or
 *   removed on one side takes that side; items both sides added at the same place are all kept,
 *   theirs first (two colleagues adding a figure each both keep theirs); the same item changed
 *   on both sides is merged field by field when it holds fields (row 2's figure from one side,
 *   its source from the other);
 * - anything else changed differently on both sides is a conflict of that field.
 */
export function mergeValues (base: unknown, theirs: unknown, yours: unknown, path: FieldPath = []): FieldMerge {
  if (same(theirs, yours) || same(base, yours)) return { value: theirs, conflicts: [] }
  if (same(base, theirs)) return { value: yours, conflicts: [] }
  if (isRecord(theirs) && isRecord(yours) && (isRecord(base) || base === undefined)) return mergeRecords(base ?? {}, theirs, yours, path)
  if (Array.isArray(theirs) && Array.isArray(yours) && (Array.isArray(base) || base === undefined)) return mergeLists(base ?? [], theirs, yours, path)
  return { value: theirs, conflicts: [{ path, base, theirs, yours }] }
}

function mergeRecords (base: Record<string, unknown>, theirs: Record<string, unknown>, yours: Record<string, unknown>, path: FieldPath): FieldMerge {
  const value: Record<string, unknown> = {}
  const conflicts: FieldConflict[] = []
  const keys = [...Object.keys(theirs), ...Object.keys(yours).filter(key => !(key in theirs)), ...Object.keys(base).filter(key => !(key in theirs) && !(key in yours))]
  for (const key of keys) {
    const merged = mergeValues(base[key], theirs[key], yours[key], [...path, key])
    conflicts.push(...merged.conflicts)
    if (merged.value !== undefined) value[key] = merged.value
  }
  return { value, conflicts }
}

function mergeLists (base: unknown[], theirs: unknown[], yours: unknown[], path: FieldPath): FieldMerge {
  // Items are compared by their JSON text, so the line merge can pair them.
  const text = (items: unknown[]): string[] => items.map(item => JSON.stringify(item) ?? 'null')
  const merge = mergeLines(text(base), text(theirs), text(yours))
  if (merge.coarse) return { value: theirs, conflicts: [{ path, base, theirs, yours }] }
  const value: unknown[] = []
  const conflicts: FieldConflict[] = []
  for (const run of merge.runs) {
    if ('lines' in run) {
      value.push(...run.lines.map(item => JSON.parse(item) as unknown))
      continue
    }
    const { conflict } = run
    const [baseItems, theirItems, yourItems] = [conflict.base, conflict.theirs, conflict.yours].map(items => items.map(item => JSON.parse(item) as unknown)) as [unknown[], unknown[], unknown[]]
    if (baseItems.length === 0) {
      value.push(...theirItems, ...yourItems.filter(item => !theirItems.some(their => same(their, item))))
    } else if (baseItems.length === theirItems.length && baseItems.length === yourItems.length) {
      baseItems.forEach((item, offset) => {
        const merged = mergeValues(item, theirItems[offset], yourItems[offset], [...path, value.length])
        conflicts.push(...merged.conflicts)
        value.push(merged.value)
      })
    } else {
      return { value: theirs, conflicts: [{ path, base, theirs, yours }] }
    }
  }
  return { value, conflicts }
}

export function same (one: unknown, other: unknown): boolean {
  if (one === other) return true
  if (typeof one !== 'object' || typeof other !== 'object' || one === null || other === null) return false
  return JSON.stringify(one) === JSON.stringify(other)
}

function isRecord (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** The value at a path, or undefined where the path leads nowhere. */
export function valueAt (value: unknown, path: FieldPath): unknown {
  let current = value
  for (const step of path) {
    if (typeof current !== 'object' || current === null) return undefined
    current = (current as Record<string | number, unknown>)[step]
  }
  return current
}

/** A copy of a value with the value at a path replaced (removed when undefined). */
export function withValueAt (value: unknown, path: FieldPath, replacement: unknown): unknown {
  const [step, ...rest] = path
  if (step === undefined) return replacement
  if (Array.isArray(value) && typeof step === 'number') {
    const copy = [...value]
    copy[step] = withValueAt(copy[step], rest, replacement)
    return copy
  }
  const copy: Record<string, unknown> = isRecord(value) ? { ...value } : {}
  const inner = withValueAt(copy[step], rest, replacement)
  if (inner === undefined) delete copy[String(step)]
  else copy[String(step)] = inner
  return copy
}
