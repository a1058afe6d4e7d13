import { Type } from '@sinclair/typebox'
import { LessonFormBody } from './form-body.ts'

/**
 * The lesson conflict view's form: the whole guided form, the fields that were in conflict,
 * and per field `choice-<field>`: keep the current value (theirs) or one's own (yours).
 */
export const LessonResolveBody = Type.Object({
  ...LessonFormBody.properties,
  conflictFields: Type.String({ maxLength: 2000 })
}, {
  additionalProperties: false,
  patternProperties: { '^choice-[A-Za-z-]{1,40}$': { type: 'string', enum: ['theirs', 'yours'] } }
})
