import type { FastifyRequest } from 'fastify'
import { formatDate } from '../i18n/index.ts'
import { setNotice } from '../http/notice.ts'
import type { MergedWith, PageDocument } from './model.ts'
import type { SaveResult } from './saving.ts'

/** The note a merged revision's message ends with, in the saver's language. */
export function mergeNoteFor (request: FastifyRequest): (merged: MergedWith) => string {
  return merged => request.t('merge.note', { number: merged.number, author: merged.author ?? request.t('conflict.someone') })
}

/** Tells the person, on the page they land on, what their save did: saved, merged, nothing to save, or waiting for review. */
export function noticeAfterSave (request: FastifyRequest, result: Pick<SaveResult, 'page' | 'changed' | 'created' | 'merged'>): void {
  const { page, merged } = result
  if (!result.changed) {
    setNotice(request, { key: 'notice.unchanged' })
  } else if (page.review?.revisionId.equals(page.revisionId) === true) {
    setNotice(request, { key: 'notice.waitsForReview', params: reviewParams(request, page) })
  } else if (merged !== null) {
    setNotice(request, { key: 'notice.merged', params: { title: page.title, number: merged.number, author: merged.author ?? request.t('conflict.someone') } })
  } else {
    setNotice(request, { key: result.created ? 'notice.created' : 'notice.saved', params: { title: page.title } })
  }
}

/** After a revert: which version is back. */
export function noticeAfterRevert (request: FastifyRequest, revertedTo: Date): void {
  setNotice(request, { key: 'notice.reverted', params: { date: formatDate(revertedTo, request.locale) } })
}

/** After an approval: what the page is now. */
export function noticeAfterApproval (request: FastifyRequest, page: PageDocument): void {
  setNotice(request, { key: 'notice.approved', params: { title: page.title, visibility: request.t(`visibility.${page.fields.visibility}`) } })
}

/**
 * For the page view: when the reader's own save asked for a wider visibility that still
 * waits for a reviewer, what it asked for and what the page stays until then; else null.
 */
export function reviewWaitingFor (request: FastifyRequest, page: PageDocument): { requested: string, current: string } | null {
  const account = request.account?.username
  if (account === undefined || page.review === null || page.review === undefined || page.review.requestedBy !== account) return null
  return reviewParams(request, page)
}

function reviewParams (request: FastifyRequest, page: PageDocument): { requested: string, current: string } {
  return { requested: request.t(`visibility.${page.review?.requested ?? page.fields.visibility}`), current: request.t(`visibility.${page.fields.visibility}`) }
}
