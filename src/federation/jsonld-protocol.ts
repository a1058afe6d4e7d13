import type { ContextDocument } from './contexts.ts'

/** Compact one document; `contexts` are those the main thread already loaded for it. */
export interface JsonLdJob {
  type: 'compact'
  job: number
  document: Record<string, any>
  /** apex.context: what documents are compacted to, and their context when they name none; sent with a thread's first document only. */
  context?: unknown[]
  contexts: Array<[string, ContextDocument]>
}

/** The answer to a worker's request for a context it was not given. */
export interface ContextAnswer {
  type: 'context'
  request: number
  context?: ContextDocument
  error?: string
}

export type JsonLdWorkerMessage = JsonLdJob | ContextAnswer

export type JsonLdReply =
  | { type: 'ready' }
  | { type: 'done', job: number, result: unknown }
  | { type: 'failed', job: number, error: { name: string, message: string, code?: string } }
  | { type: 'context', request: number, url: string }
