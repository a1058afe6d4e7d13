import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { retryAfterOf } from '../../src/federation/http.ts'

describe('reading Retry-After', () => {
  const now = Date.parse('2026-11-23T10:00:00Z')

  it('reads seconds and HTTP dates as milliseconds from now', () => {
    assert.equal(retryAfterOf('120', now), 120_000)
    assert.equal(retryAfterOf('Mon, 23 Nov 2026 10:00:30 GMT', now), 30_000)
  })

  it('treats a date in the past as now, caps long waits at a day, and ignores what it cannot read', () => {
    assert.equal(retryAfterOf('Mon, 23 Nov 2026 09:00:00 GMT', now), 0)
    assert.equal(retryAfterOf('999999999', now), 24 * 3600_000)
    assert.equal(retryAfterOf(null, now), undefined)
    assert.equal(retryAfterOf('', now), undefined)
    assert.equal(retryAfterOf('soon', now), undefined)
    assert.equal(retryAfterOf('-5', now), undefined)
  })
})
