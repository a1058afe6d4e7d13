import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { lessonContext } from '../lessons/linked-data.ts'

/**
 * JSON-LD contexts the fediverse names, shipped with the app so that
 * processing an activity never waits on a context server (see NOTICE in
 * ./contexts). activitypub-express ships ActivityStreams and security/v1.
 */
const folder = path.join(path.dirname(fileURLToPath(import.meta.url)), 'contexts')
const require = createRequire(import.meta.url)
const apexVocabulary = path.join(path.dirname(require.resolve('activitypub-express/package.json')), 'vocab')

const files: Record<string, string> = {
  'https://www.w3.org/ns/activitystreams': path.join(apexVocabulary, 'as.json'),
  'https://w3id.org/security/v1': path.join(apexVocabulary, 'security.json'),
  'https://w3id.org/security/data-integrity/v1': path.join(folder, 'security-data-integrity-v1.json'),
  'https://w3id.org/security/data-integrity/v2': path.join(folder, 'security-data-integrity-v2.json'),
  'https://www.w3.org/ns/did/v1': path.join(folder, 'did-v1.json'),
  'https://w3id.org/security/multikey/v1': path.join(folder, 'security-multikey-v1.json'),
  'https://w3id.org/identity/v1': path.join(folder, 'identity-v1.json'),
  'https://purl.archive.org/socialweb/webfinger': path.join(folder, 'webfinger.json'),
  'https://gotosocial.org/ns': path.join(folder, 'gotosocial.json'),
  'https://w3id.org/fep/5711': path.join(folder, 'fep-5711.json'),
  'https://w3id.org/fep/ef61': path.join(folder, 'fep-ef61.json'),
  'https://www.w3.org/ns/cid/v1': path.join(folder, 'cid-v1.json'),
  'https://join-lemmy.org/context.json': path.join(folder, 'join-lemmy.json'),
  'http://joinmastodon.org/ns': path.join(folder, 'joinmastodon.json'),
  'https://purl.archive.org/miscellany': path.join(folder, 'miscellany.json')
}

export interface ContextDocument {
  contextUrl: null
  documentUrl: string
  document: Record<string, unknown>
}

let loaded: Map<string, ContextDocument> | null = null

export function preloadedContexts (): Map<string, ContextDocument> {
  if (loaded) return loaded
  loaded = new Map()
  for (const [url, file] of Object.entries(files)) {
    loaded.set(url, { contextUrl: null, documentUrl: url, document: JSON.parse(readFileSync(file, 'utf8')) })
  }
  return loaded
}

/**
 * Praxiswiki's own terms, inlined in every document it sends, so no one has
 * to fetch them: the lesson vocabulary (src/lessons/linked-data.ts, also served
 * at /ns/lesson/v1), licence and fork links. `legacyLesson` reads the lesson
 * fields older instances sent as one JSON literal under `pw:lesson`.
 * README.md ("ActivityPub") documents the terms.
 */
export const PRAXISWIKI_NAMESPACE = 'https://praxiswiki.org/ns#'
export const PRAXISWIKI_CONTEXT = {
  ...lessonContext(),
  pw: PRAXISWIKI_NAMESPACE,
  Hashtag: 'as:Hashtag',
  manuallyApprovesFollowers: 'as:manuallyApprovesFollowers',
  legacyLesson: { '@id': 'pw:lesson', '@type': '@json' },
  license: { '@id': 'pw:license', '@type': '@id' },
  licenseName: 'pw:licenseName',
  forkOf: { '@id': 'pw:forkOf', '@type': '@id' },
  // Consent to search (Mastodon, FEP-5feb) and quotes (FEP-044f, as Mastodon 4.5 names them).
  toot: 'http://joinmastodon.org/ns#',
  indexable: 'toot:indexable',
  discoverable: 'toot:discoverable',
  gts: 'https://gotosocial.org/ns#',
  interactionPolicy: { '@id': 'gts:interactionPolicy', '@type': '@id' },
  canQuote: { '@id': 'gts:canQuote', '@type': '@id' },
  automaticApproval: { '@id': 'gts:automaticApproval', '@type': '@id' },
  interactingObject: { '@id': 'gts:interactingObject', '@type': '@id' },
  interactionTarget: { '@id': 'gts:interactionTarget', '@type': '@id' },
  QuoteRequest: 'https://w3id.org/fep/044f#QuoteRequest',
  QuoteAuthorization: 'https://w3id.org/fep/044f#QuoteAuthorization',
  quoteAuthorization: { '@id': 'https://w3id.org/fep/044f#quoteAuthorization', '@type': '@id' }
}
