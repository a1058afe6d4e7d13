// The child process that signs and posts for the fake peers of a benchmark (see poster-process.ts).
import { signedPostHeaders } from '../test/federation/peer.ts'
import { lessonCreate } from './network-lessons.ts'
import type { PosterAnswer, PosterRequest } from './poster-process.ts'

/** Requests made and signed ahead, sent one by one when asked. */
let prepared: Array<{ url: string, body: string, headers: Record<string, string>, activityId: string }> = []

function answer (message: PosterAnswer): void {
  process.send?.(message)
}

async function handle (request: PosterRequest): Promise<PosterAnswer> {
  switch (request.kind) {
    case 'prepare': {
      prepared = []
      for (const [organisation, peer] of request.peers.entries()) {
        for (let n = 0; n < request.lessons; n++) {
          const create = lessonCreate(peer.actorId, organisation, n, `bulk-${organisation}-${n}`, null)
          const body = JSON.stringify(create)
          const headers = signedPostHeaders(peer.inbox, body, { keyId: peer.keyId, privateKeyPem: peer.privateKeyPem })
          prepared.push({ url: peer.inbox, body, headers, activityId: String(create.id) })
        }
      }
      return { id: request.id, status: 200, text: String(prepared.length), activityId: '' }
    }
    case 'send': {
      const next = prepared[request.index]
      if (next === undefined) return { id: request.id, status: 0, text: `nothing prepared at ${request.index}`, activityId: '' }
      const response = await fetch(next.url, { method: 'POST', headers: next.headers, body: next.body })
      return { id: request.id, status: response.status, text: await response.text(), activityId: next.activityId }
    }
  }
}

process.on('message', (request: PosterRequest) => {
  void handle(request)
    .catch((error: unknown) => ({ id: request.id, status: 0, text: error instanceof Error ? error.message : String(error), activityId: '' }))
    .then(answer)
})
// The parent going away ends this process too.
process.on('disconnect', () => process.exit(0))
