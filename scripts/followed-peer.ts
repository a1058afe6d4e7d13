// Another organisation on loopback that the wiki under test follows (its Follow accepted),
// so that the Articles it sends are stored as remote pages, as a real peer's are.
import type { FastifyInstance } from 'fastify'
import { makeKeyPair, mastodonActor, signedPost, startFakeServer, type FakeServer } from '../test/federation/peer.ts'
import { articleCreate } from './network-lessons.ts'

export interface FollowedPeer {
  actorId: string
  /** Where and how it signs what it sends, for requests made ahead (see poster-process.ts). */
  signing: { inbox: string, keyId: string, privateKeyPem: string }
  /** Signs and posts an activity from the peer to the wiki's inbox; the wiki's status and answer and, once handled, resolves `handled`. */
  post: (activity: Record<string, unknown>) => Promise<{ status: number, text: string, handled: Promise<boolean> }>
  /** A Create of a public Article with this HTML, under an id of the peer's own. */
  createArticle: (name: string, html: string) => Record<string, unknown>
  close: () => Promise<void>
}

/** Resolves true once the wiki has handled the activity, false after `timeoutMs`: never waits unbounded. */
function whenHandled (app: FastifyInstance, activityId: string, timeoutMs: number): Promise<boolean> {
  return new Promise(resolve => {
    const timer = setTimeout(() => { off(); resolve(false) }, timeoutMs)
    const off = app.federation.inbox.handled.on('handled', event => {
      if (event.activityId !== activityId) return
      clearTimeout(timer)
      off()
      resolve(true)
    })
  })
}

async function waitFor<T> (check: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (let attempt = 0; attempt < 10_000 && Date.now() < deadline; attempt++) {
    const value = check()
    if (value !== undefined) return value
    await new Promise(resolve => setTimeout(resolve, 50))
  }
  throw new Error(`timed out waiting for ${what}`)
}

export async function followPeer (app: FastifyInstance, wikiUrl: string, handledTimeoutMs = 120_000): Promise<FollowedPeer> {
  const fake: FakeServer = await startFakeServer()
  const keys = makeKeyPair()
  // A Praxiswiki organisation consents to search (its FEDERATION_INDEXABLE defaults to true).
  fake.documents.set('/users/verein', { ...mastodonActor(fake, 'verein', keys), indexable: true })
  const actorId = `${fake.url}/users/verein`
  const inbox = `${wikiUrl}/ap/inbox/wiki`
  const signing = { inbox, keyId: `${actorId}#main-key`, privateKeyPem: keys.privateKeyPem }
  let sent = 0
  const post: FollowedPeer['post'] = async (activity) => {
    const handled = whenHandled(app, String(activity.id), handledTimeoutMs)
    const body = JSON.stringify({ '@context': 'https://www.w3.org/ns/activitystreams', ...activity })
    const answer = await signedPost(inbox, body, signing)
    return { status: answer.status, text: answer.text, handled: answer.status < 300 ? handled : Promise.resolve(false) }
  }
  await app.federation.follows.follow(actorId, 'pages')
  const follow = await waitFor(() => fake.received.find(entry => JSON.parse(entry.body).type === 'Follow'), 30_000, 'the Follow at the peer')
  const accepted = await post({ id: `${actorId}#accept-1`, type: 'Accept', actor: actorId, object: JSON.parse(follow.body) })
  if (accepted.status >= 300 || !await accepted.handled) throw new Error(`the peer's Accept answered ${accepted.status}`)
  return {
    actorId,
    signing,
    post,
    createArticle: (name, html) => articleCreate(actorId, `${Date.now()}-${++sent}`, name, html),
    close: fake.close
  }
}
