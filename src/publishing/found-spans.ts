/**
 * The stretches of a text where something was already found, asked whether an offset
 * falls inside one. Each pattern's matches come in order of their offsets, so the spans
 * of the pattern being run stay in a list of their own, sorted by the way they arrive;
 * when the next pattern starts over at the beginning, they join the others in one merge.
 * Both questions are a binary search, so checking n matches costs n log n, not n².
 */
export class FoundSpans {
  /** Earlier patterns' spans by start, and the furthest end of any span up to each. */
  private starts: number[] = []
  private ends: number[] = []
  private reach: number[] = []
  /** The current pattern's spans: they neither overlap nor go back. */
  private pendingStarts: number[] = []
  private pendingEnds: number[] = []

  covers (offset: number): boolean {
    const settled = lastAtOrBefore(this.starts, offset)
    if (settled >= 0 && (this.reach[settled] ?? 0) > offset) return true
    const pending = lastAtOrBefore(this.pendingStarts, offset)
    return pending >= 0 && (this.pendingEnds[pending] ?? 0) > offset
  }

  add (from: number, to: number): void {
    const last = this.pendingStarts[this.pendingStarts.length - 1]
    if (last !== undefined && from < last) this.settle()
    this.pendingStarts.push(from)
    this.pendingEnds.push(to)
  }

  private settle (): void {
    const starts: number[] = []
    const ends: number[] = []
    let left = 0
    let right = 0
    while (left < this.starts.length || right < this.pendingStarts.length) {
      const takeLeft = right >= this.pendingStarts.length || (left < this.starts.length && (this.starts[left] ?? 0) <= (this.pendingStarts[right] ?? 0))
      if (takeLeft) {
        starts.push(this.starts[left] ?? 0)
        ends.push(this.ends[left++] ?? 0)
      } else {
        starts.push(this.pendingStarts[right] ?? 0)
        ends.push(this.pendingEnds[right++] ?? 0)
      }
    }
    let furthest = 0
    this.reach = ends.map(end => (furthest = Math.max(furthest, end)))
    this.starts = starts
    this.ends = ends
    this.pendingStarts = []
    this.pendingEnds = []
  }
}

/** The index of the last value at or before `offset` in an ascending list, or -1. */
function lastAtOrBefore (values: number[], offset: number): number {
  let low = 0
  let high = values.length
  while (low < high) {
    const middle = (low + high) >> 1
    if ((values[middle] ?? 0) <= offset) low = middle + 1
    else high = middle
  }
  return low - 1
}
