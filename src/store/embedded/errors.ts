import { MongoInvalidArgumentError, MongoServerError } from 'mongodb'

/** Thrown for any operation, option or operator the embedded engine does not implement. */
export class EmbeddedNotSupportedError extends Error {
  constructor (what: string) {
    super(`not supported by the embedded engine: ${what}`)
    this.name = 'EmbeddedNotSupportedError'
  }
}

/** The engine cannot continue: its journal could not be written, or the data dir is unusable. */
export class EmbeddedEngineError extends Error {
  constructor (message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'EmbeddedEngineError'
  }
}

/** Another process (the server, usually) holds the data dir: its lock keeps a second writer out. */
export class DataDirInUseError extends EmbeddedEngineError {
  constructor (message: string) {
    super(message)
    this.name = 'DataDirInUseError'
  }
}

/**
 * Errors the MongoDB server would answer with. They are the driver's own
 * `MongoServerError`, so code written against MongoDB (activitypub-express
 * checks `name === 'MongoServerError' && code === 11000`) behaves the same.
 */
export function serverError (code: number, codeName: string, message: string, extra: Record<string, unknown> = {}): MongoServerError {
  return new MongoServerError({ message, errmsg: message, code, codeName, ok: 0, ...extra })
}

export function duplicateKeyError (namespace: string, indexName: string, keyPattern: Record<string, unknown>, keyValue: Record<string, unknown>): MongoServerError {
  const shown = Object.entries(keyValue).map(([field, value]) => `${field}: ${JSON.stringify(value) ?? 'null'}`).join(', ')
  return serverError(11000, 'DuplicateKey',
    `E11000 duplicate key error collection: ${namespace} index: ${indexName} dup key: { ${shown} }`,
    { keyPattern, keyValue, index: 0 })
}

/** Errors the driver raises on the client before anything reaches a server. */
export function invalidArgument (message: string): MongoInvalidArgumentError {
  return new MongoInvalidArgumentError(message)
}
