import { isRecord } from './schema.ts'

/**
 * The lesson vocabulary: every lesson field with its own IRI, published as a versioned
 * JSON-LD context at LESSON_CONTEXT_PATH on every instance and described for people at
 * LESSON_VOCABULARY_PATH. The IRIs are the same on every instance (the namespace below),
 * so lessons from different organisations mean the same; schema.org is used where it fits.
 */
export const LESSON_NAMESPACE = 'https://praxiswiki.org/ns/lesson#'
export const SCHEMA_NAMESPACE = 'https://schema.org/'
export const LESSON_CONTEXT_PATH = '/ns/lesson/v1'
export const LESSON_VOCABULARY_PATH = '/ns/lesson'

type TermDefinition = string | Record<string, unknown>

/**
 * The terms of a lesson node, one line a field: the front matter name is the term.
 * A new scalar lesson field needs only its line here (and its place in LessonSchema):
 * it then travels in Articles and is read back from them.
 */
export const LESSON_TERMS: Record<string, TermDefinition> = {
  programme: 'pwl:programme',
  organisation: 'pwl:organisation',
  field: 'pwl:fieldOfPractice',
  outcome: 'pwl:outcome',
  impactStep: 'pwl:impactStep',
  coProduction: 'pwl:coProduction',
  // How sure, and at what cost: how the result is known, how many took part where, the cost band per participant.
  evidenceDesign: 'pwl:evidenceDesign',
  participants: 'pwl:participants',
  sites: 'pwl:sites',
  costBand: 'pwl:costBand',
  place: { '@id': 'pwl:place', '@context': { name: 'schema:name', geo: 'schema:geo', latitude: 'schema:latitude', longitude: 'schema:longitude' } },
  period: { '@id': 'pwl:period', '@context': { from: 'schema:startDate', to: 'schema:endDate' } },
  evidence: { '@id': 'pwl:evidence', '@container': '@list', '@context': { figure: 'pwl:figure', source: 'pwl:figureSource', caveat: 'pwl:caveat' } }
}

/** Front matter fields that are nodes of their own rather than plain values. */
const STRUCTURED_FIELDS = new Set(['place', 'period', 'evidence'])

/** The context document served at LESSON_CONTEXT_PATH; also inlined in every Article. */
export function lessonContext (): Record<string, unknown> {
  return {
    '@version': 1.1,
    pwl: LESSON_NAMESPACE,
    schema: SCHEMA_NAMESPACE,
    Lesson: 'pwl:Lesson',
    EvidenceFigure: 'pwl:EvidenceFigure',
    GeoCoordinates: 'schema:GeoCoordinates',
    lesson: { '@id': 'pwl:lesson', '@context': LESSON_TERMS },
    ...LESSON_TERMS
  }
}

/** Each IRI of the vocabulary, with the front matter field it carries, for the vocabulary page. */
export function lessonIris (): Array<{ term: string, iri: string }> {
  const expand = (curie: string): string => curie.replace(/^pwl:/, LESSON_NAMESPACE).replace(/^schema:/, SCHEMA_NAMESPACE)
  const iriOf = (definition: TermDefinition): string => expand(typeof definition === 'string' ? definition : String(definition['@id']))
  const rows: Array<{ term: string, iri: string }> = [{ term: 'lesson', iri: expand('pwl:lesson') }, { term: 'Lesson', iri: expand('pwl:Lesson') }]
  for (const [term, definition] of Object.entries(LESSON_TERMS)) {
    rows.push({ term, iri: iriOf(definition) })
    if (typeof definition !== 'string' && isRecord(definition['@context'])) {
      for (const [inner, innerDefinition] of Object.entries(definition['@context'])) rows.push({ term: `${term}.${inner}`, iri: iriOf(innerDefinition as TermDefinition) })
    }
  }
  return rows
}

/**
 * A lesson's front matter as the node an Article carries under `lesson`: the place a
 * schema:Place with geo coordinates, the evidence an ordered list of figures.
 */
export function lessonNode (frontMatter: Record<string, unknown>): Record<string, unknown> | null {
  const node: Record<string, unknown> = { type: 'Lesson' }
  for (const term of Object.keys(LESSON_TERMS)) {
    const value = frontMatter[term]
    if (value === undefined || value === null) continue
    if (!STRUCTURED_FIELDS.has(term)) node[term] = value
  }
  const place = frontMatter.place
  if (isRecord(place) || typeof place === 'string') {
    const name = typeof place === 'string' ? place : place.name
    const geo = isRecord(place) && typeof place.lat === 'number' && typeof place.lon === 'number'
      ? { geo: { type: 'GeoCoordinates', latitude: place.lat, longitude: place.lon } }
      : {}
    node.place = { type: 'schema:Place', ...(typeof name === 'string' ? { name } : {}), ...geo }
  }
  if (isRecord(frontMatter.period)) {
    const { from, to } = frontMatter.period
    node.period = { ...(typeof from === 'string' ? { from } : {}), ...(typeof to === 'string' ? { to } : {}) }
  }
  if (Array.isArray(frontMatter.evidence)) {
    node.evidence = frontMatter.evidence.filter(isRecord).map(row => ({
      type: 'EvidenceFigure',
      ...(row.figure === undefined ? {} : { figure: row.figure }),
      ...(row.source === undefined ? {} : { source: row.source }),
      ...(row.caveat === undefined || row.caveat === null ? {} : { caveat: row.caveat })
    }))
  }
  return Object.keys(node).length > 1 ? node : null
}
