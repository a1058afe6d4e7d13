import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import net from 'node:net'
import { startTestApp, type TestApp } from '../helpers.ts'

const TRICKLE_EVERY_MS = 250
// Five times the one-second setting: a server that has not cut the request by then ignores it.
const TRICKLE_BYTES = 20

interface Trickled {
  /** The bytes still to send when the server closed the connection; 0 if it outlasted the trickle. */
  unsent: number
  answer: string
}

/** Sends `head` at once, then `rest` a byte every 250 ms, up to 20 bytes, and reports how the server ended it. */
async function trickle (port: number, head: string, rest: string): Promise<Trickled> {
  const socket = net.connect(port, '127.0.0.1')
  let answer = ''
  let sent = 0
  socket.on('data', chunk => { answer += String(chunk) })
  socket.on('error', () => {})
  socket.write(head)
  const timer = setInterval(() => {
    if (sent === TRICKLE_BYTES) {
      clearInterval(timer)
      socket.destroy()
      return
    }
    socket.write(rest.charAt(sent++))
  }, TRICKLE_EVERY_MS)
  await new Promise(resolve => socket.once('close', resolve))
  clearInterval(timer)
  return { unsent: TRICKLE_BYTES - sent, answer }
}

describe('a request that arrives too slowly', { timeout: 30_000 }, () => {
  let test: TestApp
  let port: number
  before(async () => {
    test = await startTestApp({ REQUEST_TIMEOUT_SECONDS: '1' })
    await test.app.listen({ port: 0, host: '127.0.0.1' })
    port = (test.app.server.address() as net.AddressInfo).port
  })
  after(async () => { await test.close() })

  it('is cut with 408 when its body trickles in a byte at a time', async () => {
    const head = 'POST /login HTTP/1.1\r\nHost: wiki.test\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n'
    const { unsent, answer } = await trickle(port, head, 'u'.repeat(TRICKLE_BYTES))
    assert.ok(unsent > 0, 'the server kept the connection open through five times REQUEST_TIMEOUT_SECONDS')
    assert.match(answer, /^HTTP\/1\.1 408 /)
  })

  it('is cut with 408 when its headers trickle in a byte at a time', async () => {
    const { unsent, answer } = await trickle(port, 'GET / HTTP/1.1\r\nHost: wiki.test\r\nX-Slow: ', 'x'.repeat(TRICKLE_BYTES))
    assert.ok(unsent > 0, 'the server kept the connection open through five times REQUEST_TIMEOUT_SECONDS')
    assert.match(answer, /^HTTP\/1\.1 408 /)
  })
})
