/** A small RFC 4180 reader, to check the CSV export by reading it back. */
export function parseCsv (text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let quoted = false
  for (let index = 0; index < text.length; index++) {
    const character = text[index]
    if (quoted) {
      if (character === '"' && text[index + 1] === '"') { field += '"'; index++ } else if (character === '"') quoted = false
      else field += character
    } else if (character === '"') quoted = true
    else if (character === ',') { row.push(field); field = '' } else if (character === '\r' && text[index + 1] === '\n') { row.push(field); rows.push(row); row = []; field = ''; index++ } else field += character
  }
  return rows
}

/** The CSV's rows as records by column name; the byte order mark is dropped. */
export function csvRecords (text: string): Array<Record<string, string>> {
  const [header = [], ...rows] = parseCsv(text.replace(/^\uFEFF/, ''))
  return rows.map(row => Object.fromEntries(header.map((name, index) => [name, row[index] ?? ''])))
}
