import MarkdownIt from 'markdown-it'
import sanitizeHtml from 'sanitize-html'
import { escapeHtml } from '../http/context.ts'
import { htmlWithinBounds } from '../federation/remote-pages.ts'

/** What a comment may contain: paragraphs, emphasis, links, lists, quotes and code; no headings, images or tables. */
const ALLOWED: sanitizeHtml.IOptions = {
  allowedTags: ['p', 'br', 'em', 'strong', 'a', 'ul', 'ol', 'li', 'blockquote', 'code', 'pre', 'span'],
  allowedAttributes: { a: ['href', 'rel'], span: ['class'] },
  allowedClasses: { span: ['h-card', 'mention', 'hashtag'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  // Links from comments lead elsewhere: nobody's ranking should gain from them.
  transformTags: { a: sanitizeHtml.simpleTransform('a', { rel: 'nofollow ugc noopener' }) },
  disallowedTagsMode: 'discard'
}

/** Remote replies are short notes; longer ones are cut (their text stays readable at the original). */
export const MAX_REMOTE_HTML = 20_000

const markdown = new MarkdownIt({ html: false, linkify: true, breaks: true })
  .disable(['heading', 'lheading', 'table', 'image', 'hr', 'reference', 'html_block', 'html_inline'])

/** A comment's Markdown as HTML, in the allowed subset. */
export function renderCommentMarkdown (source: string): string {
  return sanitizeHtml(markdown.render(source), ALLOWED).trim()
}

/** A reply from another server, reduced to the allowed subset and bounded in size. */
export function sanitizeReplyHtml (html: string): string {
  const bounded = html.slice(0, MAX_REMOTE_HTML)
  // Nesting too deep to parse safely: its text, as one paragraph.
  if (!htmlWithinBounds(bounded)) return `<p>${escapeHtml(bounded.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim())}</p>`
  return sanitizeHtml(bounded, ALLOWED)
}
