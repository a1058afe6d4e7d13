import { Type } from '@sinclair/typebox'
import { MAX_AUTHOR_NAME, MAX_COMMENT_MARKDOWN } from './model.ts'

const strict = { additionalProperties: false }
// A little room over the limit, so an over-long text gets the comment's own clear message.
const Text = Type.String({ maxLength: MAX_COMMENT_MARKDOWN * 2 })

export const CommentIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 24 }) }, strict)
export const PageIdParams = Type.Object({ pageId: Type.String({ minLength: 1, maxLength: 24 }) }, strict)
export const CommentBody = Type.Object({ text: Text, parent: Type.Optional(Type.String({ maxLength: 24 })) }, strict)
export const EditBody = Type.Object({ text: Text }, strict)
export const ExperienceBody = Type.Object({
  text: Text,
  name: Type.Optional(Type.String({ maxLength: MAX_AUTHOR_NAME * 2 })),
  /** The honeypot: hidden from people, filled in by robots. */
  website: Type.Optional(Type.String({ maxLength: 500 })),
  started: Type.String({ maxLength: 200 })
}, strict)
export const CommentsQuery = Type.Object({ status: Type.Optional(Type.Union([Type.Literal('approved'), Type.Literal('pending')])) }, strict)
