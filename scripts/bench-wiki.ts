// The wiki under test for bench:abuse and bench:soak: a real instance on loopback in this
// process (so its event loop can be watched), an editor with an API token and a session,
// an ordinary page for readers, and a peer it follows.
import { signIn } from '../test/helpers.ts'
import { startInstance, type Instance } from '../test/federation/instances.ts'
import { followPeer, type FollowedPeer } from './followed-peer.ts'

export interface BenchWiki {
  instance: Instance
  url: string
  token: string
  session: { cookie: string, csrfToken: string }
  peer: FollowedPeer
  /** An ordinary public page of about 600 words, as readers read. */
  readerPath: string
  close: () => Promise<void>
}

const PARAGRAPH = 'Im Quartier trafen sich jeden Dienstag Nachbarinnen und Nachbarn, um gemeinsam zu kochen. Was als kleines Angebot begann, wurde zu einem Ort, an dem Hilfe vermittelt und Einsamkeit bemerkt wurde. '

export async function startBenchWiki (name: string): Promise<BenchWiki> {
  const instance = await startInstance(name)
  const { app } = instance
  try {
    const editor = await signIn(app, app.inject.bind(app) as never, 'messung', 'editor')
    const { token } = await app.auth.accounts.createToken('messung', 'benchmark')
    const page = await app.wiki.createPage({ source: `---\ntitle: Gemeinsam kochen\nvisibility: public\ntags: [quartier]\n---\n${`${PARAGRAPH.repeat(3)}\n\n`.repeat(8)}`, confirmPublication: true })
    const peer = await followPeer(app, instance.url)
    return {
      instance,
      url: instance.url,
      token,
      session: { cookie: editor.cookie, csrfToken: editor.csrfToken },
      peer,
      readerPath: `/wiki/${page.slug}`,
      close: async () => {
        await peer.close()
        await instance.close()
      }
    }
  } catch (error) {
    await instance.close()
    throw error
  }
}
