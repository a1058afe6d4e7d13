import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { render } from '../http/context.ts'
import { uploadFromForm, uploadRoute, type UploadSettings } from './upload-forms.ts'

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
export async function editorUploadRoutes (parent: FastifyInstance, options: UploadSettings): Promise<void> {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>()

  app.post('/media/editor', { ...uploadRoute(app, options.maxUploadBytes), schema: { querystring: EditorQuery, body: EditorFields } }, async (request, reply) => {
    const fields = request.body
    const action = request.query.for
    const upload = await uploadFromForm(request, reply, options, fields.mediaAlt ?? '')
    if ('error' in upload) {
      return await render(request, reply, 'editor', { ...editorView(request, action, fields), source: fields.source, mediaNotice: null, mediaError: upload.error, mediaAlt: fields.mediaAlt ?? '' })
    }
    const { result } = upload
    const source = `${fields.source.replace(/\s*$/, '')}\n\n${result.markdown}\n`
    const notice = request.t(result.image ? 'media.insertedImage' : 'media.insertedFile', { name: result.name })
    return await render(request, reply, 'editor', { ...editorView(request, action, fields), source, mediaNotice: notice, mediaError: null, mediaAlt: '' })
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
