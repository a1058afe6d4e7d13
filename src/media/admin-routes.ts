import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { render } from '../http/context.ts'
import { CLEANUP_GRACE_MS, removeFiles, unreferencedFiles } from './cleanup.ts'
import type { MediaStore, StoredMedia } from './media-store.ts'
import { MEDIA_PATH } from './upload.ts'

export interface MediaAdminOptions {
  store: MediaStore
  /** Every text that may refer to a stored file: all revisions, remote pages' HTML. */
  referencingTexts: () => AsyncIterable<string>
}

const NoForm = Type.Union([Type.Object({}, { additionalProperties: false }), Type.Null()])
/** How old an unreferenced file must be to go; 24 hours unless a script says otherwise. */
const CleanBody = Type.Union([Type.Object({ minAgeHours: Type.Optional(Type.Integer({ minimum: 0, maximum: 24 * 365 })) }, { additionalProperties: false }), Type.Null()])

/** The admin page of stored files, and the same as JSON: which are unreferenced, and removing them. */
export async function mediaAdminRoutes (parent: FastifyInstance, options: MediaAdminOptions): Promise<void> {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>()
  const { store, referencingTexts } = options
  const unreferenced = async (graceMs = CLEANUP_GRACE_MS) => await unreferencedFiles(store, referencingTexts, new Date(Date.now() - graceMs))

  const page = async (request: FastifyRequest, reply: FastifyReply, removed: number | null) => {
    const files = await unreferenced()
    return await render(request, reply, 'admin-media', {
      title: request.t('mediaAdmin.title'),
      files: files.map(file => ({ ...listed(file), size: request.t('mediaAdmin.kilobytes', { size: Math.ceil(file.size / 1024) }) })),
      removed,
      noindex: true
    })
  }

  app.get('/admin/media', async (request, reply) => await page(request, reply, null))

  app.post('/admin/media/clean', { schema: { body: NoForm } }, async (request, reply) => {
    const removed = await removeFiles(store, await unreferenced())
    return await page(request, reply, removed.length)
  })

  app.get('/api/media/unreferenced', async () => ({ files: (await unreferenced()).map(listed) }))

  app.post('/api/media/clean', { schema: { body: CleanBody } }, async (request) => {
    const hours = request.body?.minAgeHours
    const removed = await removeFiles(store, await unreferenced(hours === undefined ? CLEANUP_GRACE_MS : hours * 60 * 60 * 1000))
    return { removed: removed.map(name => `${MEDIA_PATH}${name}`) }
  })
}

function listed (file: StoredMedia) {
  return { path: `${MEDIA_PATH}${file.name}`, name: file.metadata.originalName, type: file.metadata.type, size: file.size, uploadedAt: file.uploadDate.toISOString(), source: file.metadata.source }
}
