import type { Federation } from '../federation/index.ts'
import type { ActorObject } from '../federation/apex-types.ts'
import { addressingFor, isOutward } from '../federation/articles.ts'
import { conversationIri } from '../federation/conversations.ts'
import { idOf, plainText, sameHost, text as stringOf, webUrl } from '../federation/remote-pages.ts'
import { withoutFragment } from '../federation/signatures.ts'
import { escapeHtml } from '../http/context.ts'
import type { PageDocument } from '../wiki/model.ts'
import type { WikiService } from '../wiki/service.ts'
import { parseCommentId, type CommentDocument } from './model.ts'
import type { CommentService } from './service.ts'

export interface CommentFederationOptions {
  federation: Federation
  comments: CommentService
  wiki: WikiService
  baseUrl: string
  /** Whether replies from organisations this wiki follows appear without a moderator. */
  publishFromFollowed: () => boolean
  log: { info: (message: string) => void, warn: (message: string) => void }
}

/** Where a local comment lives as an ActivityPub object (its page answers JSON for servers). */
export function commentIri (baseUrl: string, id: string): string {
  return `${baseUrl}/comments/${id}`
}

/**
 * Comments across servers: a Note (or Article) from anywhere in reply to one of our Articles or
 * comments becomes a comment held for a moderator; its author's Update and Delete are honoured.
 * Our own comments on public and unlisted pages go out as Notes in reply to the Article, to the
 * followers and to whomever they answer.
 */
export function connectCommentFederation (options: CommentFederationOptions): () => void {
  const { federation, comments, wiki, baseUrl } = options
  const { apex } = federation.core
  const articlePrefix = federation.publisher.articleIdOf('0').replace(/0$/, '')
  const commentPrefix = commentIri(baseUrl, '')

  /** The page and the top-level comment a reply answers, if it answers something of ours. */
  async function targetOf (inReplyTo: string): Promise<{ page: PageDocument, parent: CommentDocument | null } | null> {
    if (inReplyTo.startsWith(articlePrefix)) {
      const page = await wiki.pageById(inReplyTo.slice(articlePrefix.length))
      return page === null ? null : { page, parent: null }
    }
    let parent: CommentDocument | null = null
    if (inReplyTo.startsWith(commentPrefix)) {
      const id = parseCommentId(inReplyTo.slice(commentPrefix.length))
      parent = id === null ? null : await comments.require(id.toHexString()).catch(() => null)
    } else {
      parent = await comments.byObjectId(inReplyTo)
    }
    if (parent === null || parent.deletedAt !== null || parent.status !== 'approved') return null
    const page = await wiki.pageById(parent.pageId)
    return page === null ? null : { page, parent }
  }

  async function received (sender: ActorObject, object: Record<string, any>, isUpdate: boolean): Promise<boolean> {
    const type = String(object.type)
    if (type !== 'Note' && type !== 'Article') return false
    const inReplyTo = idOf(object.inReplyTo)
    if (inReplyTo === '') return false
    const objectId = idOf(object)
    if (isUpdate) {
      // Only an update of a reply we hold is ours; anything else goes on as before.
      const held = await comments.byObjectId(objectId)
      if (held === null) return false
      if (withoutFragment(idOf(object.attributedTo)) !== sender.id) return true
      await comments.updateRemote(objectId, sender.id, stringOf(object.content), options.publishFromFollowed() && await federation.inbox.follows(sender.id))
      return true
    }
    const target = await targetOf(inReplyTo)
    // A reply to someone else's post that only mentions us is not a comment here.
    if (target === null) return false
    const { page, parent } = target
    if (page.deletedAt !== null || !isOutward(page.fields.visibility)) return true
    if (webUrl(objectId) === '' || !sameHost(objectId, sender.id) || withoutFragment(idOf(object.attributedTo)) !== sender.id) {
      options.log.warn(`ignored a reply ${objectId} that ${sender.id} does not own`)
      return true
    }
    const host = new URL(sender.id).host
    const username = plainText(stringOf(sender.preferredUsername), 100)
    const name = plainText(stringOf(sender.name), 200) || username || host
    const published = Date.parse(stringOf(object.published))
    const stored = await comments.receiveRemote({
      pageId: page._id.toHexString(),
      parentId: parent === null ? null : (parent.parentId ?? parent._id),
      objectId,
      author: { name, actorId: sender.id, server: username === '' ? host : `@${username}@${host}`, url: webUrl(idOf(object.url)) || objectId },
      html: stringOf(object.content),
      published: Number.isFinite(published) ? new Date(published) : new Date(),
      publish: options.publishFromFollowed() && await federation.inbox.follows(sender.id)
    })
    if (stored === null) options.log.info(`dropped a reply ${objectId} from ${sender.id} (blocked or too many in an hour)`)
    return true
  }

  async function deleted (sender: ActorObject, objectId: string): Promise<boolean> {
    return await comments.deleteRemote(objectId, sender.id)
  }

  async function send (comment: CommentDocument, kind: 'Create' | 'Update' | 'Delete'): Promise<void> {
    if (comment.kind !== 'local') return
    const page = await wiki.pageById(comment.pageId)
    if (page === null || !isOutward(page.fields.visibility)) return
    const actor = await federation.core.actor()
    const { note, to, cc } = await noteOfComment({ comment, page, federation, comments, baseUrl })
    if (kind === 'Delete') {
      const tombstone = await apex.buildTombstone({ id: note.id as string })
      await apex.addToOutbox(actor, await apex.buildActivity('Delete', actor.id, to, { object: tombstone, cc }))
      return
    }
    const object = await apex.fromJSONLD({ '@context': apex.context, ...note })
    await apex.addToOutbox(actor, await apex.buildActivity(kind, actor.id, to, { object, cc }))
    if (kind === 'Create') await comments.setObjectId(comment._id, note.id as string)
  }

  let chain = Promise.resolve()
  const serially = (work: () => Promise<void>): void => {
    chain = chain.then(work).catch(error => { options.log.warn(`sending a comment failed: ${(error as Error).message}`) })
  }
  federation.inbox.handleReplies({ received, deleted })
  const unsubscribe = [
    comments.events.on('comment.shown', ({ comment, isUpdate }) => { serially(async () => { await send(comment, isUpdate ? 'Update' : 'Create') }) }),
    comments.events.on('comment.hidden', ({ comment }) => { serially(async () => { await send(comment, 'Delete') }) })
  ]
  return () => { for (const off of unsubscribe) off() }
}

/**
 * A local comment as a Note, as it is sent and as other servers fetch it: in reply to the Article
 * or to the comment it answers, addressed like its page plus whoever it answers (with a Mention).
 */
export async function noteOfComment (input: { comment: CommentDocument, page: PageDocument, federation: Federation, comments: CommentService, baseUrl: string }): Promise<{ note: Record<string, unknown>, to: string[], cc: string[] }> {
  const { comment, page, federation, baseUrl } = input
  const actor = await federation.core.actor()
  const id = comment._id.toHexString()
  const parent = comment.parentId === null ? null : await input.comments.require(comment.parentId.toHexString()).catch(() => null)
  const inReplyTo = parent === null
    ? federation.publisher.articleIdOf(page._id.toHexString())
    : parent.kind === 'remote' && parent.objectId !== null ? parent.objectId : commentIri(baseUrl, parent._id.toHexString())
  const addressing = addressingFor(page.fields.visibility, actor.followers[0] as string)
  const answered = parent?.kind === 'remote' ? parent.author.actorId ?? null : null
  const to = answered === null ? addressing.to : [...addressing.to, answered]
  const note: Record<string, unknown> = {
    id: commentIri(baseUrl, id),
    type: 'Note',
    attributedTo: actor.id,
    inReplyTo,
    context: conversationIri(baseUrl, page._id.toHexString()),
    // One organisation actor speaks for everyone here: the person's name leads the text.
    content: `<p><strong>${escapeHtml(comment.author.name)}</strong>:</p>${comment.html}`,
    url: `${baseUrl}/wiki/${page.slug}#comment-${id}`,
    published: comment.createdAt.toISOString(),
    ...(comment.updatedAt.getTime() !== comment.createdAt.getTime() ? { updated: comment.updatedAt.toISOString() } : {}),
    ...(answered !== null ? { tag: [{ type: 'Mention', href: answered, name: parent?.author.server ?? answered }] } : {}),
    to,
    cc: addressing.cc
  }
  return { note, to, cc: addressing.cc }
}
