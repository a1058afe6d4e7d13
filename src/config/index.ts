import { Type, type Static } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'

/** Every setting, by its environment variable; README.md documents the same table. */
export const SettingsSchema = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000, description: 'TCP port to listen on' }),
  HOST: Type.String({ minLength: 1, default: 'localhost', description: 'address to listen on' }),
  BASE_URL: Type.Optional(Type.String({ pattern: '^https?://[^\\s/?#]+(/[^\\s?#]*)?$', description: 'public URL of the wiki' })),
  DATA_DIR: Type.String({ minLength: 1, default: './data', description: 'directory of the embedded store' }),
  MONGODB_URI: Type.Optional(Type.String({ pattern: '^mongodb(\\+srv)?://\\S+$', description: 'MongoDB connection string' })),
  CONTENT_DIR: Type.String({ minLength: 1, default: './content', description: 'starter pages imported into an empty store' }),
  LOG_LEVEL: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map(level => Type.Literal(level)), { default: 'info' }),
  BODY_LIMIT: Type.Integer({ minimum: 1024, maximum: 64 * 1024 * 1024, default: 1024 * 1024, description: 'largest request body in bytes' }),
  SITE_NAME: Type.String({ minLength: 1, maxLength: 100, default: 'Praxiswiki' })
})

export type Settings = Static<typeof SettingsSchema>

export interface AppConfig {
  port: number
  host: string
  baseUrl: string
  dataDir: string
  mongodbUri?: string
  contentDir: string
  logLevel: string
  bodyLimit: number
  siteName: string
}

/** An invalid setting; the message is one line that names it. */
export class ConfigError extends Error {
  constructor (readonly setting: string, readonly reason: string) {
    super(`Invalid setting ${setting}: ${reason}`)
    this.name = 'ConfigError'
  }
}

export function loadConfig (env: Record<string, string | undefined>): AppConfig {
  const raw: Record<string, unknown> = {}
  for (const name of Object.keys(SettingsSchema.properties)) {
    const value = env[name]
    // An empty variable means "not set", as in most shells' `FOO= npm start`.
    if (value !== undefined && value.trim() !== '') raw[name] = value.trim()
  }
  const settings = Value.Convert(SettingsSchema, Value.Default(SettingsSchema, raw))
  const error = Value.Errors(SettingsSchema, settings).First()
  if (error !== undefined) {
    const name = error.path.replace(/^\//, '').split('/')[0] || 'settings'
    throw new ConfigError(name, `${error.message} (got ${JSON.stringify(raw[name] ?? null)})`)
  }
  const valid = settings as Settings
  const config: AppConfig = {
    port: valid.PORT,
    host: valid.HOST,
    baseUrl: (valid.BASE_URL ?? `http://localhost:${valid.PORT}`).replace(/\/+$/, ''),
    dataDir: valid.DATA_DIR,
    contentDir: valid.CONTENT_DIR,
    logLevel: valid.LOG_LEVEL,
    bodyLimit: valid.BODY_LIMIT,
    siteName: valid.SITE_NAME
  }
  if (valid.MONGODB_URI !== undefined) config.mongodbUri = valid.MONGODB_URI
  return config
}
