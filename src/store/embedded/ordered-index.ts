import type { Document } from 'mongodb'
import { compareValues } from './sort.ts'
import { valuesAtPath } from './values.ts'

/*
 * The order a compound index keeps after its first field. activitypub-express reads
 * every page of a stream as `{ '_meta.collection': X }` sorted by `_id: -1` with a
 * limit, over its index `{ '_meta.collection': 1, _id: -1 }`. Without an order the
 * engine had to test and sort every document of the collection for each page, so a
 * page cost grew with the stream; walking this order and stopping after `limit`
 * matches keeps it flat, as a B-tree does on a server.
 */

interface Entry {
  readonly keys: unknown[]
  readonly documentKey: string
}

export type SortDirections = Array<[string, 1 | -1]>

/**
 * The range a filter puts on an index's last field, as `{ _id: { $lt: after } }` does
 * for the next page of a stream: a walk in the index's order may start at its bound.
 */
export type LastFieldRange = Partial<Record<'$lt' | '$lte' | '$gt' | '$gte', unknown>>

export class OrderedTail {
  /**
   * Per first-field key, the documents in the index's order of its other fields, or in
   * the reverse of it when the last field descends (`flipped`): new documents, with the
   * greatest `_id`, then go to the end of the list. At the front, each insert moved every
   * entry of the stream, 0.2–0.5 ms per incoming activity at 40,000–100,000 of them.
   */
  private readonly lists = new Map<string, Entry[]>()
  private readonly flipped: boolean
  /**
   * A document with an array in one of the other fields sorts by a different element
   * ascending than descending; once one is seen, this order no longer answers sorts.
   */
  private holdsArrays = false

  constructor (private readonly tail: SortDirections) {
    this.flipped = (tail.at(-1)?.[1] ?? 1) === -1
  }

  private keysOf (document: Document): unknown[] {
    return this.tail.map(([path]) => {
      const values = valuesAtPath(document, path)
      if (values.length > 1 || Array.isArray(values[0])) this.holdsArrays = true
      return values[0]
    })
  }

  private compare (left: Entry, right: Entry): number {
    for (let index = 0; index < this.tail.length; index++) {
      const result = compareValues(left.keys[index], right.keys[index]) * (this.tail[index] as [string, 1 | -1])[1]
      if (result !== 0) return result
    }
    return left.documentKey < right.documentKey ? -1 : left.documentKey > right.documentKey ? 1 : 0
  }

  /** Where `entry` belongs in `list`, as the list is kept: the first position whose entry is not before it. */
  private position (list: Entry[], entry: Entry): number {
    const sign = this.flipped ? -1 : 1
    let low = 0
    let high = list.length
    while (low < high) {
      const middle = (low + high) >> 1
      if (this.compare(list[middle] as Entry, entry) * sign < 0) low = middle + 1
      else high = middle
    }
    return low
  }

  add (firstKeys: string[], documentKey: string, document: Document): void {
    if (firstKeys.length === 0) return
    const entry = { keys: this.keysOf(document), documentKey }
    for (const firstKey of firstKeys) {
      let list = this.lists.get(firstKey)
      if (list === undefined) {
        list = []
        this.lists.set(firstKey, list)
      }
      list.splice(this.position(list, entry), 0, entry)
    }
  }

  remove (firstKeys: string[], documentKey: string, document: Document): void {
    if (firstKeys.length === 0) return
    const entry = { keys: this.tail.map(([path]) => valuesAtPath(document, path)[0]), documentKey }
    for (const firstKey of firstKeys) {
      const list = this.lists.get(firstKey)
      if (list === undefined) continue
      const at = this.position(list, entry)
      if (list[at]?.documentKey === documentKey) list.splice(at, 1)
      else {
        // Not where its values say (it cannot happen, but an index must never keep a removed document).
        const found = list.findIndex(item => item.documentKey === documentKey)
        if (found >= 0) list.splice(found, 1)
      }
      if (list.length === 0) this.lists.delete(firstKey)
    }
  }

  /**
   * The documents with this first-field key in the order `sort` asks, or null when this
   * order cannot give it: `sort` must name the index's other fields, all in the index's
   * directions or all reversed, and end with `_id`, so no two documents tie.
   */
  walk (firstKey: string, sort: SortDirections, range: LastFieldRange = {}): Iterable<string> | null {
    if (this.holdsArrays || sort.length !== this.tail.length || sort.at(-1)?.[0] !== '_id') return null
    let reversed: boolean | null = null
    for (const [index, [path, direction]] of sort.entries()) {
      const [indexPath, indexDirection] = this.tail[index] as [string, 1 | -1]
      if (path !== indexPath) return null
      const flipped = direction !== indexDirection
      if (reversed !== null && reversed !== flipped) return null
      reversed = flipped
    }
    const list = this.lists.get(firstKey) ?? []
    if (reversed === true) return this.flipped ? forwards(list, 0) : backwards(list, list.length - 1)
    const start = this.start(list, range)
    return this.flipped ? backwards(list, (start ?? list.length) - 1) : forwards(list, start ?? 0)
  }

  /**
   * Where a walk in the index's order may start: every entry it would pass before lies
   * outside `range`, so the page after `after` costs as much as the first, not as many
   * tests as there are newer entries. The caller still tests every entry it walks. It is a
   * position in the list as kept: a flipped list is walked back from the entry before it.
   * Null when the range sets no such bound.
   */
  private start (list: Entry[], range: LastFieldRange): number | null {
    if (this.tail.length !== 1) return null
    const [, direction] = this.tail[0] as [string, 1 | -1]
    const bound = direction === -1 ? range.$lt ?? range.$lte : range.$gt ?? range.$gte
    if (bound === undefined) return null
    return this.position(list, { keys: [bound], documentKey: '' })
  }
}

function * forwards (list: Entry[], start: number): Iterable<string> {
  for (let index = start; index < list.length; index++) yield (list[index] as Entry).documentKey
}

function * backwards (list: Entry[], start: number): Iterable<string> {
  for (let index = start; index >= 0; index--) yield (list[index] as Entry).documentKey
}
