import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { loadConfig, ConfigError, proxyWarning } from '../src/config/index.ts'

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

  it('reads TRUST_PROXY as Fastify\'s trustProxy: nobody by default, everybody, a hop count, or addresses and ranges', () => {
    assert.equal(loadConfig({}).trustProxy, false)
    assert.equal(loadConfig({ TRUST_PROXY: 'false' }).trustProxy, false)
    assert.equal(loadConfig({ TRUST_PROXY: 'TRUE' }).trustProxy, true)
    assert.equal(loadConfig({ TRUST_PROXY: '2' }).trustProxy, 2)
    assert.equal(loadConfig({ TRUST_PROXY: '0' }).trustProxy, false)
    assert.deepEqual(loadConfig({ TRUST_PROXY: 'loopback' }).trustProxy, ['loopback'])
    assert.deepEqual(loadConfig({ TRUST_PROXY: ' 10.0.0.0/8, 192.168.1.1 ,fd00::/8,::1, 172.16.0.0/255.240.0.0' }).trustProxy,
      ['10.0.0.0/8', '192.168.1.1', 'fd00::/8', '::1', '172.16.0.0/255.240.0.0'])
    for (const wrong of ['yes', ',', 'localhost', '10.0.0.0/33', 'fd00::/129', '10.0.0.1/8/8', '300.1.1.1', '101', '10.0.0.0/']) {
      assert.throws(() => loadConfig({ TRUST_PROXY: wrong }), (error: unknown) => {
        assert.ok(error instanceof ConfigError, wrong)
        assert.equal(error.setting, 'TRUST_PROXY')
        assert.ok(!error.message.includes('\n'))
        return true
      })
    }
  })

  it('warns in one line when the public URL is https and no proxy is trusted, and only then', () => {
    const warning = proxyWarning(loadConfig({ BASE_URL: 'https://wiki.example.org' }))
    assert.match(warning ?? '', /^BASE_URL is https but TRUST_PROXY is not set: .*sign in/)
    assert.ok(!(warning ?? '').includes('\n'))
    assert.equal(proxyWarning(loadConfig({ BASE_URL: 'https://wiki.example.org', TRUST_PROXY: 'loopback' })), null)
    assert.equal(proxyWarning(loadConfig({ BASE_URL: 'http://wiki.example.org' })), null)
    assert.equal(proxyWarning(loadConfig({})), null)
  })
})
