import { ObjectId, type Collection, type Db } from 'mongodb'

/** Where a comment comes from: a signed-in person, a reply from another server, or someone without an account. */
export type CommentKind = 'local' | 'remote' | 'experience'

/** Replies from elsewhere and experiences wait for a moderator; local comments appear at once. */
export type CommentStatus = 'pending' | 'approved' | 'rejected'

export interface CommentAuthor {
  /** Shown name: the account's, the remote actor's, or what a person without an account chose. */
  name: string
  /** Local comments: the account. */
  username?: string
  /** Remote replies: the actor, its server and where the reply can be read there. */
  actorId?: string
  server?: string
  url?: string
}

export interface CommentDocument {
  _id: ObjectId
  pageId: string
  /** One level of replies: a reply's parent is always a top-level comment. */
  parentId: ObjectId | null
  kind: CommentKind
  status: CommentStatus
  author: CommentAuthor
  /** Markdown as written (local comments and experiences); '' for remote replies. */
  markdown: string
  /** Sanitised HTML as shown. */
  html: string
  /** The ActivityPub id: the remote Note's, or ours for a local comment once it went out. */
  objectId: string | null
  /** What the personal-data check found in an experience, for the moderator. */
  flags: string[]
  createdAt: Date
  updatedAt: Date
  /** Set when the author or a moderator deleted it; the text is gone, the place in a thread stays. */
  deletedAt: Date | null
  decidedBy: string | null
}

export const MAX_COMMENT_MARKDOWN = 5000
export const MAX_AUTHOR_NAME = 80

export function commentsCollection (db: Db): Collection<CommentDocument> {
  return db.collection<CommentDocument>('comments')
}

export async function ensureCommentIndexes (db: Db): Promise<void> {
  const comments = commentsCollection(db)
  await comments.createIndex({ pageId: 1, status: 1, createdAt: 1 }, { name: 'page-status' })
  await comments.createIndex({ status: 1, createdAt: 1 }, { name: 'queue' })
  await comments.createIndex({ objectId: 1 }, { name: 'object' })
  await comments.createIndex({ 'author.actorId': 1, createdAt: -1 }, { name: 'remote-author' })
}

export function parseCommentId (value: string): ObjectId | null {
  return /^[0-9a-f]{24}$/.test(value) ? new ObjectId(value) : null
}
