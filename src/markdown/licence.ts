/** SPDX ids name licences; a URL lets machines that do not know SPDX follow them. */
export function licenceUrl (licence: string): string {
  const creativeCommons = /^CC-(BY(?:-SA|-NC|-ND|-NC-SA|-NC-ND)?)-(\d\.\d)$/i.exec(licence)
  if (creativeCommons !== null) return `https://creativecommons.org/licenses/${(creativeCommons[1] ?? '').toLowerCase()}/${creativeCommons[2] ?? ''}/`
  if (/^CC0-1\.0$/i.test(licence)) return 'https://creativecommons.org/publicdomain/zero/1.0/'
  return `https://spdx.org/licenses/${encodeURIComponent(licence)}.html`
}
