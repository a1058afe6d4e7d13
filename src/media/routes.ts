import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { authorOf } from '../auth/visibility.ts'
import { MediaNotFoundError } from './errors.ts'
import type { MediaStore } from './media-store.ts'
import { requireFile, type ReceivedForm } from './multipart.ts'
import { mediaHeaders, STORED_NAME } from './serving.ts'
import { storeUpload, type UploadResult } from './upload.ts'
import { uploadRoute } from './upload-forms.ts'

export interface MediaRoutesOptions {
  store: MediaStore
  baseUrl: string
  /** The upload limit in bytes, a setting asked for per request. */
  maxUploadBytes: () => number
}

const ApiUploadFields = Type.Object({ alt: Type.Optional(Type.String({ maxLength: 2000 })) }, { additionalProperties: false })
const NameParams = Type.Object({ name: Type.String({ maxLength: 100 }) })

/** `POST /api/media` for scripts and the editor's drag and drop, and the files themselves at `/media/<name>`. */
export async function mediaRoutes (parent: FastifyInstance, options: MediaRoutesOptions): Promise<void> {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>()
  const { store, baseUrl, maxUploadBytes } = options

  app.post('/api/media', { ...uploadRoute(app, maxUploadBytes), schema: { body: ApiUploadFields } }, async (request, reply) => {
    const limit = maxUploadBytes()
    const file = requireFile(request.mediaForm as ReceivedForm, limit)
    const result = await storeUpload(store, { ...file, alt: request.body.alt ?? '', uploadedBy: authorOf(request) })
    return await reply.code(201).header('Location', result.path).send(apiAnswer(result, baseUrl))
  })

  app.get('/media/:name', { schema: { params: NameParams } }, async (request, reply) => {
    const { name } = request.params
    if (!STORED_NAME.test(name)) throw new MediaNotFoundError(name)
    const file = await store.find(name)
    if (file === null) throw new MediaNotFoundError(name)
    mediaHeaders(reply, file)
    if (notModified(request, file.name)) return await reply.code(304).send()
    return await reply.send(store.open(name))
  })
}

function notModified (request: FastifyRequest, name: string): boolean {
  const tags = request.headers['if-none-match']
  return typeof tags === 'string' && tags.split(',').some(tag => tag.trim().replace(/^W\//, '') === `"${name}"`)
}

/** The API's answer: absolute URLs, as other programs need them. */
export function apiAnswer (result: UploadResult, baseUrl: string) {
  return {
    url: `${baseUrl}${result.path}`,
    path: result.path,
    type: result.type,
    size: result.size,
    width: result.width,
    height: result.height,
    name: result.name,
    alt: result.alt,
    markdown: result.markdown,
    variants: result.variants.map(variant => ({ url: `${baseUrl}${variant.path}`, width: variant.width, height: variant.height, size: variant.size }))
  }
}
