import { createHash } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { FrontMatterError } from '../markdown/front-matter.ts'
import { authorOf } from '../auth/visibility.ts'
import { render } from '../http/context.ts'
import { wantsHtml } from '../http/error-handler.ts'
import type { Translate } from '../i18n/index.ts'
import type { PageRenderer } from '../markdown/page-renderer.ts'
import { EditConflictError } from '../wiki/errors.ts'
import { mergeNoteFor, noticeAfterSave } from '../wiki/save-notices.ts'
import type { WikiService } from '../wiki/service.ts'
import type { PageDocument } from '../wiki/model.ts'
import { uploadFromForm, uploadRoute, withUploads, type UploadSettings } from '../media/index.ts'
import { lessonConflictView } from './form-conflict.ts'
import { FORM_FIELDS, type FormField } from './form-check.ts'
import { fieldValue, mergeFormValues, withField } from './form-merge.ts'
import { LessonValidationError } from './errors.ts'
import { findingTexts, ImageConsentError, PersonalDataError } from '../publishing/errors.ts'
import type { PersonalDataFinding } from '../publishing/personal-data.ts'
import { formPlaceOfLine } from './finding-fields.ts'
import { formValues, LessonFormBody, type LessonFormBodyType } from './form-body.ts'
import { MEDIA_BOXES, withMedia } from './form-media.ts'
import { checkForm, formProblemsOf, type FormProblem } from './form-check.ts'
import { LessonResolveBody } from './form-resolve-body.ts'
import { blankValues, valuesFromSource, type LessonFormValues } from './form-values.ts'
import { lessonOfPage } from './schema.ts'
import { evidenceRows, formLabel, formMessages, lessonView, sectionFields, vocabularyChoices } from './view.ts'

export interface FormRoutesOptions {
  wiki: WikiService
  renderer: PageRenderer
  lessonFields: readonly string[]
  /** The visibility a new lesson starts with (a setting). */
  defaultVisibility: () => string
  /** Where files uploaded from the form are stored, and how large they may be. */
  upload: UploadSettings
}

const SlugParams = Type.Object({ slug: Type.String({ minLength: 1, maxLength: 200 }) })

type FormMode = { kind: 'new' } | { kind: 'edit', slug: string, title: string, baseRevision: string, baseSource: string }
/** The form's "insert an image or file" box as it is shown again: what happened to the upload, and what was typed into it. */
interface MediaState { notice?: string, error?: string, alt: string, section: string }

/** Editing a page: on the revision and text the form was opened on, which it carries along. */
function editMode (page: PageDocument, body: { baseRevision?: string, baseSource?: string }): FormMode {
  return { kind: 'edit', slug: page.slug, title: page.title, baseRevision: body.baseRevision ?? page.revisionId.toHexString(), baseSource: body.baseSource ?? page.source }
}

/** The guided form. Both steps (preview, save) post the whole form back, so it works without JavaScript. */
export async function formRoutes (parent: FastifyInstance, options: FormRoutesOptions): Promise<void> {
  const app = parent.withTypeProvider<TypeBoxTypeProvider>()
  const { wiki, renderer, lessonFields } = options

  app.get('/lessons/new', async (request, reply) => {
    return await showForm(request, reply, { values: { ...blankValues(request.locale, lessonFields), visibility: options.defaultVisibility() }, mode: { kind: 'new' } })
  })

  app.post('/lessons/new', { schema: { body: LessonFormBody } }, async (request, reply) => {
    return await handleForm(request, reply, request.body, { kind: 'new' })
  })

  app.get('/lessons/:slug/edit', { schema: { params: SlugParams } }, async (request, reply) => {
    const page = await wiki.requirePage(request.params.slug)
    let values: LessonFormValues
    try {
      values = valuesFromSource(page.source, page.language)
    } catch (error) {
      // Front matter the form cannot read is for the plain editor, which shows the line.
      if (error instanceof FrontMatterError) return reply.redirect(`/wiki/${page.slug}/edit`, 303)
      throw error
    }
    return await showForm(request, reply, {
      values,
      mode: { kind: 'edit', slug: page.slug, title: page.title, baseRevision: page.revisionId.toHexString(), baseSource: page.source }
    })
  })

  app.post('/lessons/:slug/edit', { schema: { params: SlugParams, body: LessonFormBody } }, async (request, reply) => {
    const page = await wiki.requirePage(request.params.slug)
    return await handleForm(request, reply, request.body, editMode(page, request.body))
  })

  // "Upload and insert" posts the whole form with the file, so it works without JavaScript.
  await withUploads(app, async scoped => {
    const uploads = scoped.withTypeProvider<TypeBoxTypeProvider>()
    const route = uploadRoute(scoped, options.upload.maxUploadBytes)
    uploads.post('/lessons/new/upload', { ...route, schema: { body: LessonFormBody } }, async (request, reply) => {
      return await handleUpload(request, reply, request.body, { kind: 'new' })
    })
    uploads.post('/lessons/:slug/upload', { ...route, schema: { params: SlugParams, body: LessonFormBody } }, async (request, reply) => {
      const page = await wiki.requirePage(request.params.slug)
      return await handleUpload(request, reply, request.body, editMode(page, request.body))
    })
  })

  /**
   * The conflict view's form: each field both changed comes with a choice, theirs or the
   * person's own value; their values are read from the revision the view showed, and the
   * whole form is then saved on that revision as the form would be.
   */
  app.post('/lessons/:slug/resolve', { schema: { params: SlugParams, body: LessonResolveBody } }, async (request, reply) => {
    const page = await wiki.requirePage(request.params.slug)
    const body = request.body
    const current = await wiki.getRevision(page.slug, body.baseRevision ?? '')
    const theirs = valuesFromSource(current.source, page.language)
    const conflicts = FORM_FIELDS.filter(field => body.conflictFields.split(',').includes(field))
    const chosen = body as Record<string, unknown>
    const choices: Partial<Record<FormField, 'theirs' | 'yours'>> = {}
    for (const field of conflicts) {
      const choice = chosen[`choice-${field}`]
      if (choice === 'theirs' || choice === 'yours') choices[field] = choice
    }
    const yours = formValues(body, request.locale)
    const missing = conflicts.filter(field => choices[field] === undefined)
    if (missing.length > 0) {
      reply.code(400)
      return await render(request, reply, 'lesson-conflict', lessonConflictView(request.t, { slug: page.slug, title: page.title, current, values: yours, theirs, conflicts, message: body.message ?? '', choices, missing, lessonFields }))
    }
    let values = yours
    for (const field of conflicts) if (choices[field] === 'theirs') values = withField(values, field, fieldValue(theirs, field))
    return await handleForm(request, reply, body, { kind: 'edit', slug: page.slug, title: page.title, baseRevision: current._id.toHexString(), baseSource: current.source }, values)
  })

  async function handleForm (request: FastifyRequest, reply: FastifyReply, body: LessonFormBodyType, mode: FormMode, given?: LessonFormValues): Promise<FastifyReply> {
    const values = given ?? formValues(body, request.locale)
    const baseSource = mode.kind === 'edit' ? mode.baseSource : null
    const checked = checkForm(values, baseSource, { fields: lessonFields })
    const message = body.message ?? ''
    if (checked.problems.length > 0 || checked.source === null) {
      reply.code(400)
      return await showForm(request, reply, { values, mode, problems: checked.problems, message })
    }
    if (body.action !== 'save') {
      const rendered = await renderer.render({
        revisionId: `preview:${createHash('sha256').update(checked.source).digest('hex')}`,
        source: checked.source,
        language: values.language,
        locale: request.locale,
        missingPageTitle: request.t('page.missingLink')
      })
      const lesson = lessonOfPage({
        slug: mode.kind === 'edit' ? mode.slug : '',
        title: values.title.trim(),
        language: values.language,
        frontMatter: checked.parsed?.data ?? {},
        fields: checked.parsed?.fields ?? { tags: [], licence: '', visibility: 'local' },
        createdAt: new Date(),
        updatedAt: new Date()
      })
      return await showForm(request, reply, { values, mode, message, preview: { html: rendered.html, lesson: lesson === null ? null : lessonView(request.t, lesson) } })
    }
    const confirmPublication = body.confirmPublication === 'yes'
    const confirmConsent = body.confirmConsent === 'yes'
    try {
      const result = mode.kind === 'new'
        ? { page: await wiki.createPage({ source: checked.source, title: values.title.trim(), message, author: authorOf(request), language: values.language, confirmPublication, confirmConsent }), changed: true, created: true, merged: null }
        : await wiki.savePage(mode.slug, { source: checked.source, baseRevisionId: mode.baseRevision, message, author: authorOf(request), confirmPublication, confirmConsent, mergeNote: mergeNoteFor(request) })
      noticeAfterSave(request, result)
      return reply.redirect(`/wiki/${result.page.slug}`, 303)
    } catch (error) {
      // A program posting the form gets the conflict's JSON from the error handler, as from the API.
      if (error instanceof EditConflictError && mode.kind === 'edit' && wantsHtml(request)) return await showConflict(request, reply, error, mode, values, message)
      if (error instanceof PersonalDataError) {
        reply.code(422)
        return await showForm(request, reply, { values, mode, message, findings: { list: error.findings, source: checked.source } })
      }
      if (error instanceof ImageConsentError) {
        reply.code(422)
        return await showForm(request, reply, { values, mode, message, consentImages: error.images })
      }
      if (error instanceof LessonValidationError) {
        reply.code(400)
        return await showForm(request, reply, { values, mode, message, problems: formProblemsOf(error.problems) })
      }
      throw error
    }
  }

  /**
   * Stores the file and shows the form again with everything typed and the file's Markdown at
   * the end of the chosen box. A refused file changes nothing but the message at the file field.
   */
  async function handleUpload (request: FastifyRequest, reply: FastifyReply, body: LessonFormBodyType, mode: FormMode): Promise<FastifyReply> {
    const values = formValues(body, request.locale)
    const message = body.message ?? ''
    const alt = body.mediaAlt ?? ''
    const section = body.mediaSection ?? ''
    const upload = await uploadFromForm(request, reply, options.upload, alt)
    if ('error' in upload) return await showForm(request, reply, { values, mode, message, media: { error: upload.error, alt, section } })
    const inserted = withMedia(values, section, upload.result.markdown)
    const notice = request.t(upload.result.image ? 'media.insertedImageInto' : 'media.insertedFileInto', { name: upload.result.name, section: formLabel(request.t, inserted.box) })
    return await showForm(request, reply, { values: inserted.values, mode, message, media: { notice, alt: '', section } })
  }

  /** Someone saved meanwhile and both changed some of the same fields: those fields, as the form shows them, to decide. */
  async function showConflict (request: FastifyRequest, reply: FastifyReply, error: EditConflictError, mode: Extract<FormMode, { kind: 'edit' }>, yours: LessonFormValues, message: string): Promise<FastifyReply> {
    const current = error.current.revision
    let merged
    try {
      merged = mergeFormValues(valuesFromSource(mode.baseSource, error.current.page.language), valuesFromSource(current.source, error.current.page.language), yours)
    } catch (readError) {
      // A text the form cannot read goes to the plain editor's conflict view.
      if (readError instanceof FrontMatterError) throw error
      throw readError
    }
    reply.code(409)
    const theirs = valuesFromSource(current.source, error.current.page.language)
    return await render(request, reply, 'lesson-conflict', lessonConflictView(request.t, { slug: error.current.page.slug, title: error.current.page.title, current, values: merged.values, theirs, conflicts: merged.conflicts, message, lessonFields }))
  }

  async function showForm (
    request: FastifyRequest,
    reply: FastifyReply,
    state: { values: LessonFormValues, mode: FormMode, problems?: FormProblem[], message?: string, findings?: { list: PersonalDataFinding[], source: string }, consentImages?: string[], preview?: { html: string, lesson: ReturnType<typeof lessonView> | null }, media?: MediaState }
  ): Promise<FastifyReply> {
    const t = request.t
    const { values, mode } = state
    const messages = formMessages(t, state.problems ?? [])
    const fields = lessonFields.includes(values.field) || values.field === '' ? lessonFields : [...lessonFields, values.field]
    return await render(request, reply, 'lesson-form', {
      title: mode.kind === 'new' ? t('lessonForm.newHeading') : t('lessonForm.editHeading', { title: mode.title }),
      heading: mode.kind === 'new' ? t('lessonForm.newHeading') : t('lessonForm.editHeading', { title: mode.title }),
      action: mode.kind === 'new' ? '/lessons/new' : `/lessons/${mode.slug}/edit`,
      cancelHref: mode.kind === 'new' ? '/lessons' : `/wiki/${mode.slug}`,
      plainEditorHref: mode.kind === 'new' ? '/wiki/new' : `/wiki/${mode.slug}/edit`,
      baseRevision: mode.kind === 'edit' ? mode.baseRevision : '',
      baseSource: mode.kind === 'edit' ? mode.baseSource : '',
      values,
      evidence: evidenceRows(values),
      sections: sectionFields(t, values),
      choices: vocabularyChoices(t, fields),
      errors: messages.byField,
      errorList: messages.list,
      findings: findingTexts(t, state.findings?.list ?? [], finding => findingPlace(t, state.findings?.source ?? '', finding.line)),
      consentImages: state.consentImages ?? [],
      preview: state.preview ?? null,
      message: state.message ?? '',
      mediaAction: mode.kind === 'new' ? '/lessons/new/upload' : `/lessons/${mode.slug}/upload`,
      mediaSections: [{ value: '', label: t('media.sectionEnd') }, ...MEDIA_BOXES.map(box => ({ value: box, label: formLabel(t, box) }))],
      mediaSection: state.media?.section ?? '',
      mediaNotice: state.media?.notice ?? null,
      mediaError: state.media?.error ?? null,
      mediaAlt: state.media?.alt ?? '',
      noindex: true
    })
  }
}

/** The form field a finding is in, named as the form labels it; evidence by its row. */
function findingPlace (t: Translate, source: string, line: number): string | null {
  const place = formPlaceOfLine(source, line)
  if (place === null) return null
  return place.row === undefined ? formLabel(t, place.field) : t('lessonForm.evidenceRow', { row: place.row })
}
