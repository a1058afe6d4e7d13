import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { FastifyRequest } from 'fastify'
import { wantsHtml } from '../../src/http/error-handler.ts'

function request (accept: string | undefined, url = '/wiki/besuchsdienst'): FastifyRequest {
  return { url, headers: accept === undefined ? {} : { accept } } as unknown as FastifyRequest
}

describe('choosing between an HTML and a JSON error', () => {
  it('answers people with HTML, whatever else they accept', () => {
    assert.equal(wantsHtml(request(undefined)), true)
    assert.equal(wantsHtml(request('*/*')), true)
    assert.equal(wantsHtml(request('text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8')), true)
    assert.equal(wantsHtml(request('TEXT/HTML')), true)
    assert.equal(wantsHtml(request('image/png')), true)
    assert.equal(wantsHtml(request('text/html, application/json')), true)
  })

  it('answers JSON to any JSON type, in any letter case', () => {
    assert.equal(wantsHtml(request('application/json')), false)
    assert.equal(wantsHtml(request('application/json, */*')), false)
    assert.equal(wantsHtml(request('application/problem+json')), false)
    assert.equal(wantsHtml(request('Application/Activity+JSON')), false)
    assert.equal(wantsHtml(request('application/ld+json; profile="https://www.w3.org/ns/activitystreams"')), false)
  })

  it('follows the quality values and then the order the client gives', () => {
    assert.equal(wantsHtml(request('application/activity+json, text/html;q=0.1')), false)
    assert.equal(wantsHtml(request('application/json;q=0.5, text/html')), true)
    assert.equal(wantsHtml(request('application/json, text/html')), false)
    assert.equal(wantsHtml(request('application/json;q=0, text/html;q=0')), true)
  })

  it('always answers the API with JSON', () => {
    assert.equal(wantsHtml(request('text/html', '/api/lessons.geojson')), false)
  })
})
