import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { describe, it } from 'node:test'
import { contentDigestOf, contentDigestProblem } from '../../src/federation/content-digest.ts'

const body = Buffer.from('{"type":"Create"}')
const digest = (algorithm: string, of: Buffer = body): string => createHash(algorithm).update(of).digest('base64')

describe('Content-Digest (RFC 9530)', () => {
  it('vouches for a body by sha-256 or sha-512, and by every one of them it names', () => {
    assert.equal(contentDigestProblem(contentDigestOf(body), body), null)
    assert.equal(contentDigestProblem(`sha-512=:${digest('sha512')}:`, body), null)
    assert.equal(contentDigestProblem(`sha-256=:${digest('sha256')}:, sha-512=:${digest('sha512')}:`, body), null)
    assert.equal(contentDigestProblem(`md5=:AAAA:, sha-256=:${digest('sha256')}:`, body), null, 'unknown algorithms are left aside')
  })

  it('says why a header does not vouch for the body', () => {
    const other = Buffer.from('{"type":"Delete"}')
    assert.match(String(contentDigestProblem(`sha-256=:${digest('sha256', other)}:`, body)), /sha-256 does not match/)
    assert.match(String(contentDigestProblem(`sha-256=:${digest('sha256')}:, sha-512=:${digest('sha512', other)}:`, body)), /sha-512 does not match/)
    assert.match(String(contentDigestProblem('md5=:AAAA:', body)), /neither sha-256 nor sha-512/)
    assert.match(String(contentDigestProblem(`sha-256=${digest('sha256')}`, body)), /not a structured dictionary|not a byte sequence/)
    assert.match(String(contentDigestProblem('sha-256="text"', body)), /not a byte sequence/)
    assert.match(String(contentDigestProblem('', body)), /neither/)
  })
})
