// Signed POSTs made by a child process, for benchmarks whose fake peers would otherwise share
// the wiki's process: on a real network each peer signs on its own machine, and neither its
// CPU time nor its memory is the wiki's.
import { fork } from 'node:child_process'

export interface PostRequest { id: number, url: string, body: string, keyId: string, privateKeyPem: string }
export interface PostAnswer { id: number, status: number, text: string }

export interface PosterProcess {
  post: (url: string, body: string, keyId: string, privateKeyPem: string) => Promise<{ status: number, text: string }>
  close: () => Promise<void>
}

export function startPosterProcess (): PosterProcess {
  const child = fork(new URL('./poster-child.ts', import.meta.url), { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const pending = new Map<number, (answer: PostAnswer) => void>()
  child.on('message', (answer: PostAnswer) => {
    pending.get(answer.id)?.(answer)
    pending.delete(answer.id)
  })
  child.on('exit', () => {
    for (const resolve of pending.values()) resolve({ id: -1, status: 0, text: 'the posting process ended' })
    pending.clear()
  })
  let next = 0
  return {
    post: async (url, body, keyId, privateKeyPem) => {
      const id = next++
      const answer = await new Promise<PostAnswer>(resolve => {
        pending.set(id, resolve)
        child.send({ id, url, body, keyId, privateKeyPem } satisfies PostRequest)
      })
      if (answer.status === 0) throw new Error(`posting to ${url} failed: ${answer.text}`)
      return { status: answer.status, text: answer.text }
    },
    close: async () => {
      if (child.exitCode !== null) return
      const exited = new Promise(resolve => child.once('exit', resolve))
      child.disconnect()
      await exited
    }
  }
}
