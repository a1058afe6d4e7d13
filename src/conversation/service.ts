import { ObjectId, type Db } from 'mongodb'
import { EventBus } from '../events/index.ts'
import {
  commentsCollection, MAX_AUTHOR_NAME, MAX_COMMENT_MARKDOWN, parseCommentId,
  type CommentAuthor, type CommentDocument, type CommentStatus
} from './model.ts'
import { CommentForbiddenError, CommentInvalidError, CommentNotFoundError } from './errors.ts'
import { renderCommentMarkdown, sanitizeReplyHtml } from './text.ts'

/** Said after the store write; federation sends local comments out, the page cache forgets the page. */
export interface CommentEvents extends Record<string, unknown> {
  /** A comment became visible or changed while visible. */
  'comment.shown': { comment: CommentDocument, isUpdate: boolean }
  /** A visible comment went away (deleted or rejected after approval). */
  'comment.hidden': { comment: CommentDocument }
  /** Something waits for a moderator. */
  'comment.pending': { comment: CommentDocument }
}

/** Remote replies one actor may send per hour before the rest are dropped. */
export const REMOTE_REPLIES_PER_HOUR = 20

export interface Deciding {
  username: string
  moderator: boolean
}

export type CommentService = ReturnType<typeof createCommentService>

export function createCommentService (options: { db: Db, onError?: (error: unknown) => void }) {
  const comments = commentsCollection(options.db)
  const blockedAuthors = options.db.collection<{ _id: string, blockedAt: Date, by: string }>('commentAuthorBlocks')
  const events = new EventBus<CommentEvents>({ onError: options.onError })

  async function require (id: string): Promise<CommentDocument> {
    const _id = parseCommentId(id)
    const found = _id === null ? null : await comments.findOne({ _id })
    if (found === null) throw new CommentNotFoundError(id)
    return found
  }

  function checkedMarkdown (markdown: string): string {
    const text = markdown.replace(/\r\n?/g, '\n').trim()
    if (text === '') throw new CommentInvalidError('empty')
    if (text.length > MAX_COMMENT_MARKDOWN) throw new CommentInvalidError('tooLong')
    return text
  }

  /** Replies attach to a visible top-level comment of the same page: one level deep. */
  async function parentFor (pageId: string, parentId: string | undefined): Promise<ObjectId | null> {
    if (parentId === undefined || parentId === '') return null
    const parent = await require(parentId).catch(() => null)
    if (parent === null || parent.pageId !== pageId || parent.status !== 'approved' || parent.deletedAt !== null) throw new CommentInvalidError('parent')
    return parent.parentId ?? parent._id
  }

  async function insert (fields: Omit<CommentDocument, '_id' | 'createdAt' | 'updatedAt' | 'deletedAt' | 'decidedBy'>, at = new Date()): Promise<CommentDocument> {
    const comment: CommentDocument = { _id: new ObjectId(), ...fields, createdAt: at, updatedAt: at, deletedAt: null, decidedBy: null }
    await comments.insertOne(comment)
    events.emit(comment.status === 'approved' ? 'comment.shown' : 'comment.pending', comment.status === 'approved' ? { comment, isUpdate: false } : { comment })
    return comment
  }

  return {
    events,
    require,

    /** A signed-in person's comment or reply: shown at once. */
    async addLocal (input: { pageId: string, username: string, markdown: string, parentId?: string }): Promise<CommentDocument> {
      const markdown = checkedMarkdown(input.markdown)
      const parentId = await parentFor(input.pageId, input.parentId)
      return await insert({
        pageId: input.pageId,
        parentId,
        kind: 'local',
        status: 'approved',
        author: { name: input.username, username: input.username },
        markdown,
        html: renderCommentMarkdown(markdown),
        objectId: null,
        flags: []
      })
    },

    /** An experience from someone without an account: always waits for a moderator. */
    async addExperience (input: { pageId: string, name: string, markdown: string, flags: string[] }): Promise<CommentDocument> {
      const markdown = checkedMarkdown(input.markdown)
      const name = input.name.replace(/[\p{Cc}\p{Cf}]/gu, '').trim()
      if (name.length > MAX_AUTHOR_NAME) throw new CommentInvalidError('name')
      return await insert({
        pageId: input.pageId,
        parentId: null,
        kind: 'experience',
        status: 'pending',
        author: { name },
        markdown,
        html: renderCommentMarkdown(markdown),
        objectId: null,
        flags: input.flags.slice(0, 50)
      })
    },

    async edit (id: string, by: Deciding, markdownInput: string): Promise<CommentDocument> {
      const comment = await require(id)
      if (comment.kind !== 'local' || comment.author.username !== by.username || comment.deletedAt !== null) throw new CommentForbiddenError()
      const markdown = checkedMarkdown(markdownInput)
      const updated = await comments.findOneAndUpdate({ _id: comment._id, deletedAt: null }, { $set: { markdown, html: renderCommentMarkdown(markdown), updatedAt: new Date() } }, { returnDocument: 'after' })
      if (updated === null) throw new CommentNotFoundError(id)
      if (updated.status === 'approved') events.emit('comment.shown', { comment: updated, isUpdate: true })
      return updated
    },

    /** Authors delete their own local comments; moderators any. The text goes; replies to it stay. */
    async remove (id: string, by: Deciding): Promise<CommentDocument> {
      const comment = await require(id)
      const own = comment.kind === 'local' && comment.author.username === by.username
      if (!own && !by.moderator) throw new CommentForbiddenError()
      if (comment.deletedAt !== null) return comment
      const removed = await comments.findOneAndUpdate({ _id: comment._id, deletedAt: null }, { $set: { deletedAt: new Date(), markdown: '', html: '', decidedBy: own ? comment.decidedBy : by.username } }, { returnDocument: 'after' })
      if (removed === null) return comment
      if (comment.status === 'approved') events.emit('comment.hidden', { comment: removed })
      return removed
    },

    async decide (id: string, by: Deciding, status: Exclude<CommentStatus, 'pending'>): Promise<CommentDocument> {
      if (!by.moderator) throw new CommentForbiddenError()
      const comment = await require(id)
      if (comment.deletedAt !== null) throw new CommentNotFoundError(id)
      const decided = await comments.findOneAndUpdate({ _id: comment._id, deletedAt: null }, { $set: { status, decidedBy: by.username } }, { returnDocument: 'after' })
      if (decided === null) throw new CommentNotFoundError(id)
      if (status === 'approved' && comment.status !== 'approved') events.emit('comment.shown', { comment: decided, isUpdate: false })
      if (status === 'rejected' && comment.status === 'approved') events.emit('comment.hidden', { comment: decided })
      return decided
    },

    /** Visible comments of a page (or, for moderators, those waiting), oldest first. */
    async forPage (pageId: string, status: CommentStatus = 'approved'): Promise<CommentDocument[]> {
      return await comments.find({ pageId, status, deletedAt: null }, { sort: { createdAt: 1 }, limit: 1000 }).toArray()
    },

    async queue (limit = 200): Promise<CommentDocument[]> {
      return await comments.find({ status: 'pending', deletedAt: null }, { sort: { createdAt: 1 }, limit }).toArray()
    },

    async countPending (): Promise<number> {
      return await comments.countDocuments({ status: 'pending', deletedAt: null })
    },

    async byObjectId (objectId: string): Promise<CommentDocument | null> {
      return await comments.findOne({ objectId })
    },

    /**
     * A reply from another server. Held for a moderator unless `publish`; an author who sends
     * more than REMOTE_REPLIES_PER_HOUR in an hour, or whom a moderator blocked, is dropped.
     */
    async receiveRemote (input: { pageId: string, parentId: ObjectId | null, objectId: string, author: CommentAuthor & { actorId: string }, html: string, published: Date, publish: boolean }): Promise<CommentDocument | null> {
      if (await blockedAuthors.findOne({ _id: input.author.actorId }) !== null) return null
      const existing = await comments.findOne({ objectId: input.objectId })
      if (existing !== null) return existing
      const since = new Date(Date.now() - 60 * 60 * 1000)
      if (await comments.countDocuments({ 'author.actorId': input.author.actorId, createdAt: { $gte: since } }) >= REMOTE_REPLIES_PER_HOUR) return null
      return await insert({
        pageId: input.pageId,
        parentId: input.parentId,
        kind: 'remote',
        status: input.publish ? 'approved' : 'pending',
        author: input.author,
        markdown: '',
        html: sanitizeReplyHtml(input.html),
        objectId: input.objectId,
        flags: []
      })
    },

    /** The author changed their reply: the new text waits for a moderator again unless `publish`. */
    async updateRemote (objectId: string, actorId: string, html: string, publish: boolean): Promise<CommentDocument | null> {
      const comment = await comments.findOne({ objectId, 'author.actorId': actorId, deletedAt: null })
      if (comment === null) return null
      const status: CommentStatus = publish && comment.status === 'approved' ? 'approved' : comment.status === 'rejected' ? 'rejected' : 'pending'
      const updated = await comments.findOneAndUpdate({ _id: comment._id }, { $set: { html: sanitizeReplyHtml(html), status, updatedAt: new Date() } }, { returnDocument: 'after' })
      if (updated === null) return null
      if (comment.status === 'approved' && status !== 'approved') events.emit('comment.hidden', { comment: updated })
      else if (status === 'approved') events.emit('comment.shown', { comment: updated, isUpdate: true })
      else events.emit('comment.pending', { comment: updated })
      return updated
    },

    /** The author deleted their reply at home: gone here too. */
    async deleteRemote (objectId: string, actorId: string): Promise<boolean> {
      const removed = await comments.findOneAndUpdate({ objectId, 'author.actorId': actorId, deletedAt: null }, { $set: { deletedAt: new Date(), html: '' } }, { returnDocument: 'after' })
      if (removed === null) return false
      events.emit('comment.hidden', { comment: removed })
      return true
    },

    /** Records the ActivityPub id a local comment went out with. */
    async setObjectId (id: ObjectId, objectId: string): Promise<void> {
      await comments.updateOne({ _id: id, objectId: null }, { $set: { objectId } })
    },

    /** A moderator blocks a remote author: their waiting replies are rejected, later ones dropped. */
    async blockAuthor (actorId: string, by: Deciding): Promise<number> {
      if (!by.moderator) throw new CommentForbiddenError()
      await blockedAuthors.updateOne({ _id: actorId }, { $setOnInsert: { blockedAt: new Date(), by: by.username } }, { upsert: true })
      const result = await comments.updateMany({ 'author.actorId': actorId, status: 'pending' }, { $set: { status: 'rejected', decidedBy: by.username } })
      return result.modifiedCount
    },

    /** Approved replies to a top-level item (the Article: null), for the `replies` collection. */
    async approvedReplies (pageId: string, parentId: ObjectId | null): Promise<CommentDocument[]> {
      return await comments.find({ pageId, parentId, status: 'approved', deletedAt: null }, { sort: { createdAt: 1 }, limit: 1000 }).toArray()
    }
  }
}
