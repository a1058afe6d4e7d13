// The lessons bench:network's fake peers send: a Create of a lesson Article as a Praxiswiki peer
// sends it, built the same way in the bench and in the process that signs and posts for the peers.
import { PRAXISWIKI_CONTEXT } from '../src/federation/contexts.ts'
import { DEFAULT_LESSON_FIELDS } from '../src/lessons/index.ts'
import { lessonNode } from '../src/lessons/linked-data.ts'

const OUTCOMES = ['works', 'fails', 'mixed', 'open']
const PUBLIC = 'https://www.w3.org/ns/activitystreams#Public'

/**
 * Lesson `n` of an organisation's actor, under an id of the actor's own server (`serial` makes
 * it unique), with the lesson vocabulary inlined and the lesson as its own node, as a Praxiswiki
 * peer's publisher sends them: without them JSON-LD drops the lesson on the way in. `probe` is a
 * word of its own (and its tag) to find this one lesson by.
 */
export function lessonCreate (actorId: string, organisation: number, n: number, serial: string, probe: string | null): Record<string, unknown> {
  const field = DEFAULT_LESSON_FIELDS[n % DEFAULT_LESSON_FIELDS.length] as string
  const word = probe ?? `lektion${organisation}x${n}`
  const objectId = `${new URL(actorId).origin}/articles/${serial}`
  const article = {
    id: objectId,
    type: 'Article',
    name: `Lektion ${n} der Organisation ${organisation} ${word}`,
    content: `<p>Was wir gelernt haben: ${word}.</p>`,
    attributedTo: actorId,
    url: objectId,
    to: [PUBLIC],
    tag: [{ type: 'Hashtag', name: `#${probe ?? 'netz'}` }],
    lesson: lessonNode({
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
  }
  return {
    '@context': ['https://www.w3.org/ns/activitystreams', PRAXISWIKI_CONTEXT],
    id: `${objectId}/create`,
    type: 'Create',
    actor: actorId,
    object: article,
    to: [PUBLIC]
  }
}
