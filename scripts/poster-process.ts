// Lessons made, signed and posted by a child process for benchmarks whose fake peers would
// otherwise share the wiki's process: on a real network each peer signs on its own machine,
// and neither its CPU time nor its memory is the wiki's. They are made and signed before they
// are sent, so that the signing does not even share the machine's cores with the wiki meanwhile.
import { fork } from 'node:child_process'

export interface PreparedPeer { actorId: string, inbox: string, keyId: string, privateKeyPem: string }

export type PosterRequest =
  | { kind: 'prepare', id: number, peers: PreparedPeer[], lessons: number }
  | { kind: 'send', id: number, index: number }

export interface PosterAnswer { id: number, status: number, text: string, activityId: string }

type Request = PosterRequest extends infer R ? R extends { id: number } ? Omit<R, 'id'> : never : never

export interface PosterProcess {
  /** Makes and signs `lessons` lesson Creates per peer (see network-lessons.ts), organisation by organisation; resolves with their count. */
  prepare: (peers: PreparedPeer[], lessons: number) => Promise<number>
  /** Sends the prepared request at `index`; its answer and the id of the activity it carried. */
  send: (index: number) => Promise<{ status: number, text: string, activityId: string }>
  close: () => Promise<void>
}

export function startPosterProcess (): PosterProcess {
  const child = fork(new URL('./poster-child.ts', import.meta.url), { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const pending = new Map<number, (answer: PosterAnswer) => void>()
  child.on('message', (answer: PosterAnswer) => {
    pending.get(answer.id)?.(answer)
    pending.delete(answer.id)
  })
  child.on('exit', () => {
    for (const resolve of pending.values()) resolve({ id: -1, status: 0, text: 'the posting process ended', activityId: '' })
    pending.clear()
  })
  let next = 0
  async function ask (request: Request): Promise<PosterAnswer> {
    const id = next++
    const answer = await new Promise<PosterAnswer>(resolve => {
      pending.set(id, resolve)
      child.send({ ...request, id })
    })
    if (answer.status === 0) throw new Error(`the posting process failed: ${answer.text}`)
    return answer
  }
  return {
    prepare: async (peers, lessons) => Number((await ask({ kind: 'prepare', peers, lessons })).text),
    send: async index => await ask({ kind: 'send', index }),
    close: async () => {
      if (child.exitCode !== null) return
      const exited = new Promise(resolve => child.once('exit', resolve))
      child.disconnect()
      await exited
    }
  }
}
