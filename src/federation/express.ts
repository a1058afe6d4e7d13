import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
// activitypub-express's middleware is written for Express 4, so it runs in an Express 4 router.
export const express = require('express')

export type Request = Record<string, any> & { headers: Record<string, string | string[] | undefined>, body: any, rawBody?: Buffer }
export type Response = Record<string, any> & { locals: Record<string, any> }
export type Next = (error?: unknown) => void
export type Middleware = (request: Request, response: Response, next: Next) => void | Promise<void>

/** A short plain-text answer for another server: no page, no stack trace. */
export function refuse (response: Response, status: number, message: string): void {
  response.status(status).type('text/plain').send(message)
}
