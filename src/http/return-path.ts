/** Any base will do: only whether a path stays on it matters. */
const BASE = new URL('http://praxiswiki.invalid')

/**
 * A path on this site to send someone back to (after signing in, after choosing a language),
 * or `/`, so a crafted link cannot send people elsewhere. Browsers drop tabs and newlines and
 * read `\` as `/`, so `/\t/evil.example` or `/\evil.example` would leave the site: such
 * characters are refused outright, raw or percent-encoded, and what remains must keep this
 * site's origin once parsed as a browser parses it, and not start with `//`.
 */
export function sameSitePath (value: string | undefined): string {
  if (value === undefined || !value.startsWith('/') || hasUnsafeCharacter(value)) return '/'
  let url: URL
  try {
    url = new URL(value, BASE)
  } catch {
    return '/'
  }
  const path = `${url.pathname}${url.search}${url.hash}`
  if (url.origin !== BASE.origin || path.startsWith('//') || hasUnsafeCharacter(path)) return '/'
  return path
}

function hasUnsafeCharacter (text: string): boolean {
  let decoded: string
  try {
    decoded = decodeURIComponent(text)
  } catch {
    return true
  }
  // eslint-disable-next-line no-control-regex -- control characters are what this refuses
  return [text, decoded].some(form => /[\\\u0000-\u001f\u007f]/.test(form)) || decoded.startsWith('//')
}
