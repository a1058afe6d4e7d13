/** The longest image description and address looked at; longer ones are not images a person wrote. */
const MAX_ALT = 1000
const MAX_ADDRESS = 2000

/**
 * The addresses of the images a Markdown text shows: `![alt](address)` and `<img src=…>`.
 * One pass over the text (each `](` looks back only to the bracket before it), so a page of
 * half a megabyte of brackets costs no more than its length.
 */
export function imagesShown (source: string): string[] {
  const found = new Set<string>()
  let at = source.indexOf('](')
  while (at !== -1) {
    if (opensImage(source, at)) {
      const address = /^\s*<?([^\s)>]{1,2000})/.exec(source.slice(at + 2, at + 2 + MAX_ADDRESS + 2))?.[1]
      if (address !== undefined) found.add(address)
    }
    at = source.indexOf('](', at + 2)
  }
  for (const match of source.matchAll(/<img\b[^>]{0,2000}?\bsrc\s*=\s*["']?([^"'\s>]{1,2000})/gi)) found.add(match[1] ?? '')
  return [...found].filter(address => address !== '')
}

/** Whether the `]` at `close` ends an image's description: a `![` before it on its line, with no other bracket between. */
function opensImage (source: string, close: number): boolean {
  for (let index = close - 1; index >= 0 && index >= close - MAX_ALT; index--) {
    const character = source[index]
    if (character === '\n' || character === ']') return false
    if (character === '[') return source[index - 1] === '!'
  }
  return false
}
