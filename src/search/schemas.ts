import { Type } from '@sinclair/typebox'

/** Longer queries are refused with a clear message (see SearchQueryTooLongError). */
export const MAX_QUERY_LENGTH = 1000
export const MAX_PAGE = 50
export const MAX_PAGE_SIZE = 50
export const DEFAULT_PAGE_SIZE = 20

const FacetValue = Type.Optional(Type.String({ maxLength: 200 }))

/** `/search` and `/api/search`; the query's own length is checked in the handler, for a message people understand. */
export const SearchQuerystring = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 100_000 })),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE })),
  size: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE })),
  outcome: Type.Optional(Type.Union([Type.Literal('works'), Type.Literal('fails'), Type.Literal('mixed'), Type.Literal('open'), Type.Literal('')])),
  field: FacetValue,
  place: FacetValue,
  tag: FacetValue,
  year: Type.Optional(Type.String({ pattern: '^(\\d{4})?$' })),
  origin: FacetValue,
  language: Type.Optional(Type.String({ pattern: '^([a-z]{2,3}(-[A-Za-z0-9]{2,8})*)?$' }))
})
