import type { FastifyInstance, FastifyRequest, preValidationHookHandler } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { formTokenCheck } from '../auth/index.ts'
import { authorOf } from '../auth/visibility.ts'
import { MalformedUploadError, MediaNotFoundError, NotMultipartError } from './errors.ts'
import type { MediaStore } from './media-store.ts'
import { readMultipartForm, requireFile, type ReceivedForm } from './multipart.ts'
import { mediaHeaders, STORED_NAME } from './serving.ts'
import { storeUpload, type UploadResult } from './upload.ts'

export interface MediaRoutesOptions {
  store: MediaStore
  baseUrl: string
  /** The upload limit in bytes, a setting asked for per request. */
  maxUploadBytes: () => number
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The multipart form of an upload route, read before validation. */
    mediaForm: ReceivedForm | null
  }
}

const ApiUploadFields = Type.Object({ alt: Type.Optional(Type.String({ maxLength: 2000 })) }, { additionalProperties: false })
const NameParams = Type.Object({ name: Type.String({ maxLength: 100 }) })

/** Reads the multipart body into `request.mediaForm` and its text fields into `request.body`. */
export function multipartReader (maxUploadBytes: () => number): preValidationHookHandler {
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

/** `POST /api/media` for scripts and the editor's drag and drop, and the files themselves at `/media/<name>`. */
export async function mediaRoutes (parent: FastifyInstance, options: MediaRoutesOptions): Promise<void> {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>()
  const { store, baseUrl, maxUploadBytes } = options
  app.decorateRequest('mediaForm', null)
  const uploadRoute = { config: { formTokenAfterParsing: true }, preValidation: [multipartReader(maxUploadBytes), formTokenCheck(app)] }

  app.post('/api/media', { ...uploadRoute, schema: { body: ApiUploadFields } }, async (request, reply) => {
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
