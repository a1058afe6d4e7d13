import type { MarkdownIt, Token } from 'markdown-it'
import { slugifyTitle } from './slug.ts'

/** Headings of these levels get an id, for the contents list and for links to a section. */
const LEVELS = new Set(['h2', 'h3', 'h4'])

/**
 * Gives headings ids unique on their page: "ziele", then "ziele-1", "ziele-2", numbered
 * as markdown-it-anchor numbered them. That plugin tried every number from 1 for each
 * heading and searched the token list from its start after each one, so a page of n equal
 * headings cost n² steps (100,000 of "## a" held the server for minutes, issue 14); here
 * each text remembers where its numbering got to, and one pass over the tokens does.
 */
export function headingIdsPlugin (md: MarkdownIt): void {
  md.core.ruler.push('heading_ids', state => {
    const used = new Set<string>()
    const next = new Map<string, number>()
    const tokens = state.tokens
    for (let index = 0; index < tokens.length; index++) {
      const token = tokens[index] as Token
      if (token.type !== 'heading_open' || !LEVELS.has(token.tag)) continue
      const base = slugifyTitle(headingText(tokens[index + 1])) || 'section'
      let id = base
      if (used.has(id)) {
        let number = next.get(base) ?? 1
        while (used.has(`${base}-${number}`)) number++
        next.set(base, number + 1)
        id = `${base}-${number}`
      }
      used.add(id)
      token.attrSet('id', id)
    }
  })
}

// Wiki links and emphasis markers are left out, as markdown-it-anchor left them out.
function headingText (inline: Token | undefined): string {
  return (inline?.children ?? []).filter(child => child.type === 'text' || child.type === 'code_inline').map(child => child.content).join('')
}
