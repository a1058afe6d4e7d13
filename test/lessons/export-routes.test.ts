import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { FastifyRequest } from 'fastify'
import { prefersJsonLd } from '../../src/lessons/export-routes.ts'

function request (accept: string | undefined): FastifyRequest {
  return { url: '/lessons', headers: accept === undefined ? {} : { accept } } as unknown as FastifyRequest
}

describe('the lesson list as JSON-LD', () => {
  it('is sent to clients that rank JSON-LD above HTML, in any letter case', () => {
    assert.equal(prefersJsonLd(request('application/ld+json')), true)
    assert.equal(prefersJsonLd(request('APPLICATION/LD+JSON')), true)
    assert.equal(prefersJsonLd(request('application/ld+json, text/html;q=0.5')), true)
  })

  it('is not sent to browsers, to any type or to no Accept at all', () => {
    assert.equal(prefersJsonLd(request(undefined)), false)
    assert.equal(prefersJsonLd(request('*/*')), false)
    assert.equal(prefersJsonLd(request('text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8')), false)
    assert.equal(prefersJsonLd(request('text/html, application/ld+json')), false)
    assert.equal(prefersJsonLd(request('application/json')), false)
  })
})
