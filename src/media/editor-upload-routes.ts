import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { formTokenCheck } from '../auth/index.ts'
import { authorOf } from '../auth/visibility.ts'
import { render } from '../http/context.ts'
import { AppError } from '../http/errors.ts'
import type { MediaStore } from './media-store.ts'
import { requireFile, type ReceivedForm } from './multipart.ts'
import { multipartReader } from './routes.ts'
import { storeUpload } from './upload.ts'

export interface EditorUploadOptions {
  store: MediaStore
  maxUploadBytes: () => number
}

/** Which editor sent the form: the new-page form (`/wiki`) or a page's (`/wiki/<slug>`). */
const EditorQuery = Type.Object({ for: Type.String({ pattern: '^/wiki(/[a-z0-9-]{1,200})?$' }) })
/** The editor's fields as they are posted with the file (the token is taken off before). */
const EditorFields = Type.Object({
  title: Type.Optional(Type.String({ maxLength: 200 })),
  source: Type.String({ maxLength: 500_000 }),
  baseRevision: Type.Optional(Type.String({ maxLength: 100 })),
  message: Type.Optional(Type.String({ maxLength: 500 })),
  confirmPublication: Type.Optional(Type.String({ maxLength: 10 })),
  confirmConsent: Type.Optional(Type.String({ maxLength: 10 })),
  mediaAlt: Type.Optional(Type.String({ maxLength: 2000 })),
  action: Type.Optional(Type.String({ maxLength: 20 }))
}, { additionalProperties: false })

/**
 * The editor's "upload and insert" button, which works without JavaScript: the whole editor
 * form comes along with the file, the file is stored, its Markdown is added to the end of
 * the text, and the editor is shown again with everything the person had typed. A refused
 * file leaves the text as it was and says why at the file field.
 */
export async function editorUploadRoutes (parent: FastifyInstance, options: EditorUploadOptions): Promise<void> {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>()
  const { store, maxUploadBytes } = options
  const preValidation = [multipartReader(maxUploadBytes), formTokenCheck(app)]

  app.post('/media/editor', { config: { formTokenAfterParsing: true }, preValidation, schema: { querystring: EditorQuery, body: EditorFields } }, async (request, reply) => {
    const fields = request.body
    const action = request.query.for
    let source = fields.source
    let notice: string | null = null
    let mediaError: string | null = null
    try {
      const file = requireFile(request.mediaForm as ReceivedForm, maxUploadBytes())
      const result = await storeUpload(store, { ...file, alt: fields.mediaAlt ?? '', uploadedBy: authorOf(request) })
      source = `${source.replace(/\s*$/, '')}\n\n${result.markdown}\n`
      notice = request.t(result.image ? 'media.insertedImage' : 'media.insertedFile', { name: result.name })
    } catch (error) {
      if (!(error instanceof AppError)) throw error
      reply.code(error.statusCode)
      mediaError = request.t(error.messageKey, error.messageParams())
    }
    return await render(request, reply, 'editor', { ...editorView(request, action, fields), source, mediaNotice: notice, mediaError, mediaAlt: mediaError === null ? '' : fields.mediaAlt ?? '' })
  })
}

/** What the editor template needs to show the form again as it was sent. */
function editorView (request: FastifyRequest, action: string, fields: { title?: string, baseRevision?: string, message?: string }) {
  const slug = action === '/wiki' ? null : action.slice('/wiki/'.length)
  const heading = slug === null ? request.t('editor.newHeading') : request.t('editor.editHeading', { title: slug })
  return {
    title: heading,
    heading,
    action,
    askTitle: slug === null,
    titleValue: fields.title ?? '',
    baseRevision: fields.baseRevision ?? '',
    message: fields.message ?? '',
    cancelHref: slug === null ? '/' : `/wiki/${slug}`,
    preview: null,
    noindex: true
  }
}
