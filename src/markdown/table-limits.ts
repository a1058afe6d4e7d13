import type { MarkdownIt, StateBlock } from 'markdown-it'

/**
 * Markdown fills in the cells a table row leaves out, so a header of 1,000 columns over
 * rows of one cell each turned 165 kB of source into 26 MB of HTML (issue 14). Past these
 * limits a table stays what it was typed as: lines of text with bars in them.
 */
export const MAX_TABLE_COLUMNS = 64
/** All tables of a page together; the table that goes past it, and any after it, show as text. */
export const MAX_TABLE_CELLS = 20_000

type BlockRule = (state: StateBlock, startLine: number, endLine: number, silent: boolean) => boolean

interface TableEnv {
  tableCells?: number
}

export function tableLimitsPlugin (md: MarkdownIt): void {
  // markdown-it gives no other way to wrap a built-in rule than to take it from its list.
  const table = md.block.ruler.__rules__.find(rule => rule.name === 'table')?.fn
  if (table === undefined) return
  const limited: BlockRule = (state, startLine, endLine, silent) => {
    const env = state.env as TableEnv
    if ((env.tableCells ?? 0) >= MAX_TABLE_CELLS || tooWide(state, startLine + 1, endLine)) return false
    const firstToken = state.tokens.length
    if (!table(state, startLine, endLine, silent)) return false
    if (silent) return true
    let cells = 0
    for (let index = firstToken; index < state.tokens.length; index++) {
      const type = state.tokens[index]?.type
      if (type === 'td_open' || type === 'th_open') cells++
    }
    env.tableCells = (env.tableCells ?? 0) + cells
    if (env.tableCells <= MAX_TABLE_CELLS) return true
    // Taken back: the other rules read these lines again, as a paragraph.
    state.tokens.length = firstToken
    state.line = startLine
    return false
  }
  md.block.ruler.at('table', limited, { alt: ['paragraph', 'reference'] })
}

/** The delimiter row says how many columns a table has: one bar more, give or take the outer ones. */
function tooWide (state: StateBlock, line: number, endLine: number): boolean {
  if (line >= endLine) return false
  const end = state.eMarks[line] ?? 0
  let bars = 0
  for (let position = (state.bMarks[line] ?? 0) + (state.tShift[line] ?? 0); position < end; position++) {
    if (state.src.charCodeAt(position) === 0x7c /* | */ && ++bars > MAX_TABLE_COLUMNS + 1) return true
  }
  return false
}
