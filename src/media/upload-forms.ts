import type { FastifyInstance, FastifyReply, FastifyRequest, preValidationHookHandler } from 'fastify'
import multipart from '@fastify/multipart'
import { formTokenCheck } from '../auth/index.ts'
import { authorOf } from '../auth/visibility.ts'
import { AppError } from '../http/errors.ts'
import { MalformedUploadError, NotMultipartError } from './errors.ts'
import type { MediaStore } from './media-store.ts'
import { readMultipartForm, requireFile, type ReceivedForm } from './multipart.ts'
import { storeUpload, type UploadResult } from './upload.ts'

declare module 'fastify' {
  interface FastifyRequest {
    /** The multipart form of an upload route, read before validation. */
    mediaForm: ReceivedForm | null
  }
}

/** Where uploads go and how large they may be; given to every domain whose forms take a file. */
export interface UploadSettings {
  store: MediaStore
  /** The upload limit in bytes, a setting asked for per request. */
  maxUploadBytes: () => number
}

/**
 * Registers routes that take a form with a file. Multipart bodies are parsed only inside their
 * scope; a file over the limit is read to its end and answered by the route (a form keeps what was
 * typed), not thrown mid-body.
 */
export async function withUploads (app: FastifyInstance, routes: (scoped: FastifyInstance) => Promise<void>): Promise<void> {
  await app.register(async scoped => {
    await scoped.register(multipart, { throwFileSizeLimit: false })
    scoped.decorateRequest('mediaForm', null)
    await routes(scoped)
  })
}

/** A route's options for a form with a file: the body is read first, then its CSRF token is checked. */
export function uploadRoute (app: FastifyInstance, maxUploadBytes: () => number) {
  return { config: { formTokenAfterParsing: true }, preValidation: [multipartReader(maxUploadBytes), formTokenCheck(app)] }
}

/** Reads the multipart body into `request.mediaForm` and its text fields into `request.body`. */
function multipartReader (maxUploadBytes: () => number): preValidationHookHandler {
  return async (request) => {
    if (!request.isMultipart()) throw new NotMultipartError()
    let form: ReceivedForm
    try {
      form = await readMultipartForm(request, maxUploadBytes())
    } catch (error) {
      // The parser's own limits say 413 or 400; anything else it throws is a body it could not read.
      const status = (error as { statusCode?: unknown }).statusCode
      if (typeof status === 'number' && status >= 400 && status < 500) throw error
      throw new MalformedUploadError((error as Error).message)
    }
    request.mediaForm = form
    request.body = form.fields
  }
}

/**
 * Stores the file a form (the editor, the guided lesson form) sent along with its fields. A
 * refused file stores nothing and answers, in the reader's language, why; the reply gets the
 * refusal's status, and the form is shown again as it was sent.
 */
export async function uploadFromForm (request: FastifyRequest, reply: FastifyReply, settings: UploadSettings, alt: string): Promise<{ result: UploadResult } | { error: string }> {
  try {
    const file = requireFile(request.mediaForm as ReceivedForm, settings.maxUploadBytes())
    return { result: await storeUpload(settings.store, { ...file, alt, uploadedBy: authorOf(request) }) }
  } catch (error) {
    if (!(error instanceof AppError)) throw error
    reply.code(error.statusCode)
    return { error: request.t(error.messageKey, error.messageParams()) }
  }
}
