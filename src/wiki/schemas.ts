import { Type, type TNull, type TString, type TUnion } from '@sinclair/typebox'

/** Route input shapes, checked before any handler runs. */
export const MAX_SOURCE_LENGTH = 500_000

export const SlugParams = Type.Object({ slug: Type.String({ minLength: 1, maxLength: 200 }) })
export const RevisionParams = Type.Object({
  slug: Type.String({ minLength: 1, maxLength: 200 }),
  revisionId: Type.String({ minLength: 1, maxLength: 100 })
})
export const TitleQuery = Type.Object({ title: Type.Optional(Type.String({ maxLength: 200 })) })
export const ListQuery = Type.Object({ page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000, default: 1 })) })
export const DiffQuery = Type.Object({
  from: Type.Optional(Type.String({ maxLength: 100 })),
  to: Type.Optional(Type.String({ maxLength: 100 }))
})

/**
 * A string or null. Fastify's Ajv coerces types (query strings need it), and in an anyOf of
 * string and null it would turn a JSON null into '' before the null branch is tried; with
 * both in one `type` list, Ajv coerces only a value that matches neither. Typed as the union
 * it means, which the type provider reads.
 */
const NullableString = (schema: TString) => Type.Unsafe({ ...schema, type: ['string', 'null'] }) as unknown as TUnion<[TString, TNull]>

const Source = Type.String({ maxLength: MAX_SOURCE_LENGTH })
const Message = Type.Optional(Type.String({ maxLength: 500 }))
const BaseRevision = Type.String({ maxLength: 100 })

/** The editor's upload fields come along when it saves or previews; the upload itself has its own button and route (media). */
const EditorUpload = { mediaFile: Type.Optional(Type.String({ maxLength: 1000 })), mediaAlt: Type.Optional(Type.String({ maxLength: 2000 })) }

/** Which button sent the editor: "preview" shows the page without saving; without it, the form saves. */
const EditorAction = Type.Optional(Type.Union([Type.Literal('save'), Type.Literal('preview')]))
export const CreateBody = Type.Object({
  title: Type.String({ maxLength: 200 }),
  source: Source,
  message: Message,
  baseRevision: Type.Optional(BaseRevision),
  confirmPublication: Type.Optional(Type.String({ maxLength: 10 })),
  confirmConsent: Type.Optional(Type.String({ maxLength: 10 })),
  action: EditorAction,
  ...EditorUpload
}, { additionalProperties: false })
export const SaveBody = Type.Object({
  source: Source,
  baseRevision: BaseRevision,
  message: Message,
  title: Type.Optional(Type.String({ maxLength: 200 })),
  confirmPublication: Type.Optional(Type.String({ maxLength: 10 })),
  confirmConsent: Type.Optional(Type.String({ maxLength: 10 })),
  action: EditorAction,
  ...EditorUpload
}, { additionalProperties: false })
/**
 * The conflict view's decisions: the revisions the merge came from, the text that was to be
 * saved, and per part `choice-<n>` (theirs, yours or edited) with `text-<n>` for one's own text.
 */
export const ResolveBody = Type.Object({
  mergeBase: BaseRevision,
  baseRevision: BaseRevision,
  yours: Source,
  message: Message,
  confirmPublication: Type.Optional(Type.String({ maxLength: 10 }))
}, {
  additionalProperties: false,
  patternProperties: {
    '^choice-[0-9]{1,3}$': { type: 'string', enum: ['theirs', 'yours', 'edited'] },
    '^text-[0-9]{1,3}$': { type: 'string', maxLength: MAX_SOURCE_LENGTH }
  }
})
export const RenameBody = Type.Object({ title: Type.String({ minLength: 1, maxLength: 200 }), baseRevision: BaseRevision }, { additionalProperties: false })
export const RevertBody = Type.Object({ revision: Type.String({ maxLength: 100 }), baseRevision: BaseRevision, confirmPublication: Type.Optional(Type.String({ maxLength: 10 })), confirmConsent: Type.Optional(Type.String({ maxLength: 10 })) }, { additionalProperties: false })
/** An approval names the revision the reviewer saw (form field or JSON). */
export const ApproveBody = Type.Object({ revision: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false })
export const MessageBody = Type.Object({ message: Message }, { additionalProperties: false })

/** The JSON API's writes: unknown fields are refused, not ignored, so a typo in a script is noticed. */
export const ApiCreateBody = Type.Object({
  source: Source,
  title: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  slug: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  message: Message,
  confirmPublication: Type.Optional(Type.Boolean()),
  /** Everyone shown in the page's images agreed; needed before a page with new images goes outward. */
  confirmConsent: Type.Optional(Type.Boolean())
}, { additionalProperties: false })
export const ApiSaveBody = Type.Object({
  source: Source,
  /** The revision the change was made on; null to create the page at this slug. */
  baseRevision: NullableString(Type.String({ maxLength: 100 })),
  message: Message,
  confirmPublication: Type.Optional(Type.Boolean()),
  /** Everyone shown in the page's images agreed; needed before a page with new images goes outward. */
  confirmConsent: Type.Optional(Type.Boolean())
}, { additionalProperties: false })
// A missing body reaches validation as null: DELETE may come with or without one.
export const ApiDeleteBody = Type.Union([Type.Object({ message: Message }, { additionalProperties: false }), Type.Null()])
/** Forms that send nothing but their CSRF token (taken off before validation). */
export const NoBody = Type.Union([Type.Object({}, { additionalProperties: false }), Type.Null()])
