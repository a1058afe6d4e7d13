import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { loadConfig, ConfigError } from '../src/config/index.ts'

describe('settings', () => {
  it('uses documented defaults when nothing is set', () => {
    const config = loadConfig({})
    assert.equal(config.port, 3000)
    assert.equal(config.host, 'localhost')
    assert.equal(config.baseUrl, 'http://localhost:3000')
    assert.equal(config.dataDir, './data')
    assert.equal(config.mongodbUri, undefined)
  })

  it('derives the base URL from the port unless one is given', () => {
    assert.equal(loadConfig({ PORT: '8080' }).baseUrl, 'http://localhost:8080')
    assert.equal(loadConfig({ BASE_URL: 'https://wiki.example.org/' }).baseUrl, 'https://wiki.example.org')
  })

  it('treats empty variables as unset', () => {
    assert.equal(loadConfig({ PORT: '', MONGODB_URI: '' }).port, 3000)
  })

  it('names the setting that is invalid', () => {
    for (const [env, name] of [
      [{ PORT: 'abc' }, 'PORT'],
      [{ PORT: '70000' }, 'PORT'],
      [{ BASE_URL: 'ftp://x' }, 'BASE_URL'],
      [{ MONGODB_URI: 'http://db' }, 'MONGODB_URI'],
      [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
      [{ BODY_LIMIT: '1' }, 'BODY_LIMIT']
    ] as const) {
      assert.throws(() => loadConfig(env), (error: unknown) => {
        assert.ok(error instanceof ConfigError)
        assert.equal(error.setting, name)
        assert.ok(!error.message.includes('\n'))
        assert.match(error.message, new RegExp(`^Invalid setting ${name}: `))
        return true
      })
    }
  })
})
