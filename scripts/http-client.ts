// One request over loopback with bounded waits, reading the answer to its last byte.
import { request } from 'undici'

export interface Answer {
  status: number
  /** The answer's bytes as sent (compressed when asked for). */
  bytes: number
  /** The body as text; only kept when `keepText` is asked for, as some answers are tens of megabytes. */
  text: string
  milliseconds: number
}

export interface Sending {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE'
  headers?: Record<string, string>
  body?: string
  keepText?: boolean
  /** Gives up waiting after this long; the server may still be working. */
  timeoutMs?: number
}

export async function send (url: string, sending: Sending = {}): Promise<Answer> {
  const started = performance.now()
  const timeout = sending.timeoutMs ?? 300_000
  const answer = await request(url, {
    method: sending.method ?? 'GET',
    headers: sending.headers,
    body: sending.body,
    headersTimeout: timeout,
    bodyTimeout: timeout
  })
  const body = Buffer.from(await answer.body.arrayBuffer())
  return { status: answer.statusCode, bytes: body.length, text: sending.keepText === true ? body.toString('utf8') : '', milliseconds: performance.now() - started }
}

/** A JSON body with the headers it needs, for the API. */
export function json (value: unknown, headers: Record<string, string> = {}): Pick<Sending, 'headers' | 'body'> {
  return { headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(value) }
}
