// What the fake peers of the benchmarks send: a Create of an Article, and of a lesson Article as a
// Praxiswiki peer sends it, built the same way in the bench and in the process that signs for the peers.
import { PRAXISWIKI_CONTEXT } from '../src/federation/contexts.ts'
import { DEFAULT_LESSON_FIELDS } from '../src/lessons/index.ts'
import { lessonNode } from '../src/lessons/linked-data.ts'

const OUTCOMES = ['works', 'fails', 'mixed', 'open']
const PUBLIC = 'https://www.w3.org/ns/activitystreams#Public'

/** A Create of a public Article under an id of the actor's own server (`serial` makes it unique). */
export function articleCreate (actorId: string, serial: string, name: string, html: string): Record<string, unknown> & { object: Record<string, unknown> } {
  const objectId = `${new URL(actorId).origin}/articles/${serial}`
  const article = { id: objectId, type: 'Article', name, content: html, attributedTo: actorId, url: objectId, to: [PUBLIC] }
  return { id: `${objectId}/create`, type: 'Create', actor: actorId, object: article, to: [PUBLIC] }
}

/**
 * Lesson `n` of an organisation's actor, with the lesson vocabulary inlined and the lesson as
 * its own node, as a Praxiswiki peer's publisher sends them: without them JSON-LD drops the
 * lesson on the way in. `probe` is a word of its own (and its tag) to find this one lesson by.
 */
export function lessonCreate (actorId: string, organisation: number, n: number, serial: string, probe: string | null): Record<string, unknown> {
  const field = DEFAULT_LESSON_FIELDS[n % DEFAULT_LESSON_FIELDS.length] as string
  const word = probe ?? `lektion${organisation}x${n}`
  const create = articleCreate(actorId, serial, `Lektion ${n} der Organisation ${organisation} ${word}`, `<p>Was wir gelernt haben: ${word}.</p>`)
  create.object.tag = [{ type: 'Hashtag', name: `#${probe ?? 'netz'}` }]
  create.object.lesson = lessonNode({
    programme: `Programm ${n}`,
    organisation: `Organisation ${organisation}`,
    place: { name: 'Leipzig', lat: 51.34, lon: 12.37 },
    field,
    period: { from: '2024-01' },
    outcome: OUTCOMES[n % OUTCOMES.length],
    impactStep: 1 + (n % 7),
    evidenceDesign: 'before-after',
    participants: 40 + n,
    sites: 1 + (n % 3),
    costBand: 1 + (n % 5)
  })
  return { '@context': ['https://www.w3.org/ns/activitystreams', PRAXISWIKI_CONTEXT], ...create }
}
