import { Type } from '@sinclair/typebox'

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

const Source = Type.String({ maxLength: MAX_SOURCE_LENGTH })
const Message = Type.Optional(Type.String({ maxLength: 500 }))
const BaseRevision = Type.String({ maxLength: 100 })

export const CreateBody = Type.Object({
  title: Type.String({ maxLength: 200 }),
  source: Source,
  message: Message,
  baseRevision: Type.Optional(BaseRevision),
  confirmPublication: Type.Optional(Type.String({ maxLength: 10 }))
})
export const SaveBody = Type.Object({
  source: Source,
  baseRevision: BaseRevision,
  message: Message,
  title: Type.Optional(Type.String({ maxLength: 200 })),
  confirmPublication: Type.Optional(Type.String({ maxLength: 10 }))
})
export const RenameBody = Type.Object({ title: Type.String({ minLength: 1, maxLength: 200 }), baseRevision: BaseRevision })
export const RevertBody = Type.Object({ revision: Type.String({ maxLength: 100 }), baseRevision: BaseRevision })
export const MessageBody = Type.Object({ message: Message })
