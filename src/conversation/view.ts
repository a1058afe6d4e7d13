import type { CommentDocument } from './model.ts'

export interface CommentView {
  id: string
  kind: CommentDocument['kind']
  author: { name: string, server: string | null, url: string | null }
  html: string
  createdAt: Date
  edited: boolean
  flags: string[]
  mine: boolean
  markdown: string
  replies: CommentView[]
}

function viewOf (comment: CommentDocument, username: string | null): CommentView {
  return {
    id: comment._id.toHexString(),
    kind: comment.kind,
    author: { name: comment.author.name, server: comment.author.server ?? null, url: comment.author.url ?? null },
    html: comment.html,
    createdAt: comment.createdAt,
    edited: comment.updatedAt.getTime() !== comment.createdAt.getTime(),
    flags: comment.flags,
    mine: comment.kind === 'local' && username !== null && comment.author.username === username,
    markdown: comment.kind === 'local' && username !== null && comment.author.username === username ? comment.markdown : '',
    replies: []
  }
}

/** Top-level comments with their replies; replies whose parent is gone are shown at the top level. */
export function threads (comments: CommentDocument[], username: string | null): CommentView[] {
  const top = new Map<string, CommentView>()
  const orphans: CommentView[] = []
  for (const comment of comments) if (comment.parentId === null) top.set(comment._id.toHexString(), viewOf(comment, username))
  for (const comment of comments) {
    if (comment.parentId === null) continue
    const parent = top.get(comment.parentId.toHexString())
    if (parent !== undefined) parent.replies.push(viewOf(comment, username))
    else orphans.push(viewOf(comment, username))
  }
  return [...top.values(), ...orphans].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
}

/** A comment as the API shows it. */
export function commentJson (comment: CommentDocument): Record<string, unknown> {
  return {
    id: comment._id.toHexString(),
    parentId: comment.parentId?.toHexString() ?? null,
    kind: comment.kind,
    status: comment.status,
    author: { name: comment.author.name, server: comment.author.server ?? null, url: comment.author.url ?? null },
    html: comment.html,
    objectId: comment.objectId,
    flags: comment.flags,
    createdAt: comment.createdAt.toISOString(),
    updatedAt: comment.updatedAt.toISOString()
  }
}
