import type { FastifyServerOptions } from 'fastify'

type LoggerOptions = FastifyServerOptions['logger']

/**
 * Logger options whose lines show each request's URL only after `hide` took its secrets out:
 * Fastify logs the URL of every incoming request, and some URLs are one-time links (pino's `redact`
 * with a censor that rewrites the value, so the rest of the URL stays useful).
 */
export function hidingUrlSecrets (logger: LoggerOptions, hide: (url: string) => string): LoggerOptions {
  if (logger === undefined || logger === false) return logger
  const options = logger === true ? {} : logger
  return { ...options, redact: { paths: ['req.url'], censor: (url: unknown) => typeof url === 'string' ? hide(url) : url } }
}
