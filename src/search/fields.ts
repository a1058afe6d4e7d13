import { parseQuery, type ParsedQuery, type QueryClause } from './query.ts'

/** Fields a query can name (`title:pflege`), with how much a match in each counts. */
export const FIELD_BOOSTS = {
  title: 10,
  tags: 5,
  summary: 3,
  programme: 3,
  organisation: 2,
  place: 2,
  field: 2,
  body: 1
} as const
export type FieldName = keyof typeof FIELD_BOOSTS
export const FIELDS = Object.keys(FIELD_BOOSTS) as FieldName[]
export const FIELD_COUNT = FIELDS.length

export function parseForShard (q: string): ParsedQuery {
  return parseQuery(q, FIELDS)
}

/** The numbers of the fields a clause searches: the ones it names, or all. */
export function fieldNumbers (clause: QueryClause): number[] {
  if (clause.fields === undefined) return FIELDS.map((_field, number) => number)
  return clause.fields.map(field => FIELDS.indexOf(field as FieldName)).filter(number => number !== -1)
}
