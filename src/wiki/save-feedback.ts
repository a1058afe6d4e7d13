import type { FastifyRequest } from 'fastify'
import { AppError } from '../http/errors.ts'
import { ImageConsentError, PersonalDataError } from '../publishing/errors.ts'

export interface SaveFeedback {
  status: number
  error: string
  details: string[]
  findings: string[]
  /** Images whose publication the author is asked to confirm (everyone shown agreed). */
  consentImages: string[]
}

/**
 * What the editor shows when a save check refuses the page: the publishing warning with
 * its findings (to confirm or remove), or the problems a check listed. Null for other errors.
 */
export function saveFeedback (request: FastifyRequest, error: unknown): SaveFeedback | null {
  const t = request.t
  if (error instanceof PersonalDataError) {
    return { status: error.statusCode, error: t(error.messageKey), details: [], findings: error.details(t), consentImages: [] }
  }
  if (error instanceof ImageConsentError) {
    return { status: error.statusCode, error: t(error.messageKey), details: [], findings: [], consentImages: error.images }
  }
  if (!(error instanceof AppError)) return null
  const details = error.details(t)
  if (details === undefined) return null
  return { status: error.statusCode, error: t(error.messageKey, error.messageParams()), details, findings: [], consentImages: [] }
}
