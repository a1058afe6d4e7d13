import { ObjectId } from 'mongodb'
import { diffTexts, type TextDiff } from './diff.ts'
import { RevisionNotFoundError } from './errors.ts'
import type { PageDocument, RevisionDocument, RevisionSummary } from './model.ts'
import type { PageStore } from './page-store.ts'

export type PageHistory = ReturnType<typeof createPageHistory>

/** Reading a page's revisions: the history list, one revision, the diff between two. */
export function createPageHistory (store: PageStore) {
  const { revisions, requireAnyPage } = store

  /**
   * Revisions of a page, newest first. The list follows the parent chain from the
   * current revision, so a revision left behind by a lost race never shows up.
   */
  async function history (slug: string): Promise<{ page: PageDocument, revisions: RevisionSummary[] }> {
    const page = await requireAnyPage(slug)
    const all = await revisions.find({ pageId: page._id }, { projection: { source: 0 } }).toArray() as RevisionSummary[]
    const byId = new Map(all.map(revision => [revision._id.toHexString(), revision]))
    const chain: RevisionSummary[] = []
    let next: ObjectId | null = page.revisionId
    while (next !== null && chain.length < all.length) {
      const revision = byId.get(next.toHexString())
      if (revision === undefined) break
      chain.push(revision)
      next = revision.parentId
    }
    return { page, revisions: chain }
  }

  async function getRevision (slug: string, revisionId: string): Promise<RevisionDocument> {
    const page = await requireAnyPage(slug)
    if (!ObjectId.isValid(revisionId) || !/^[0-9a-f]{24}$/i.test(revisionId)) throw new RevisionNotFoundError(slug, revisionId)
    const revision = await revisions.findOne({ _id: new ObjectId(revisionId), pageId: page._id })
    if (revision === null) throw new RevisionNotFoundError(slug, revisionId)
    return revision
  }

  async function diff (slug: string, fromId: string, toId: string): Promise<{ from: RevisionDocument, to: RevisionDocument, diff: TextDiff }> {
    const from = await getRevision(slug, fromId)
    const to = await getRevision(slug, toId)
    return { from, to, diff: diffTexts(from.source, to.source) }
  }

  return { history, getRevision, diff }
}
