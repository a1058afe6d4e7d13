// The child process that signs and posts for the fake peers of a benchmark (see poster-process.ts).
import { signedPost } from '../test/federation/peer.ts'
import type { PostRequest, PostAnswer } from './poster-process.ts'

process.on('message', (request: PostRequest) => {
  void signedPost(request.url, request.body, { keyId: request.keyId, privateKeyPem: request.privateKeyPem })
    .then(answer => ({ id: request.id, status: answer.status, text: answer.text }))
    .catch((error: unknown) => ({ id: request.id, status: 0, text: error instanceof Error ? error.message : String(error) }))
    .then((answer: PostAnswer) => process.send?.(answer))
})
// The parent going away ends this process too.
process.on('disconnect', () => process.exit(0))
