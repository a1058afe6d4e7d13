import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { wantsActivityJson } from '../../src/federation/article-negotiation.ts'

const activityStreams = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'

describe('content negotiation on a page address', () => {
  it('gives ActivityPub JSON to either ActivityPub media type, in any letter case', () => {
    assert.equal(wantsActivityJson('application/activity+json'), true)
    assert.equal(wantsActivityJson(activityStreams), true)
    assert.equal(wantsActivityJson('application/ld+json'), true)
    assert.equal(wantsActivityJson('Application/Activity+JSON'), true)
    assert.equal(wantsActivityJson('APPLICATION/LD+JSON; PROFILE="https://www.w3.org/ns/activitystreams"'), true)
    assert.equal(wantsActivityJson(`application/activity+json, ${activityStreams}, text/html;q=0.1`), true)
  })

  it('gives the page to browsers, to any type and to no Accept at all', () => {
    assert.equal(wantsActivityJson(undefined), false)
    assert.equal(wantsActivityJson(''), false)
    assert.equal(wantsActivityJson('*/*'), false)
    assert.equal(wantsActivityJson('text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'), false)
    assert.equal(wantsActivityJson('application/json'), false)
  })

  it('follows the quality values and then the order the client gives', () => {
    assert.equal(wantsActivityJson('text/html, application/activity+json'), false)
    assert.equal(wantsActivityJson('application/activity+json, text/html'), true)
    assert.equal(wantsActivityJson('text/html;q=0.5, application/activity+json'), true)
    assert.equal(wantsActivityJson('application/activity+json;q=0, text/html'), false)
  })

  it('does not take JSON-LD of another profile for ActivityStreams', () => {
    assert.equal(wantsActivityJson('application/ld+json; profile="https://schema.org"'), false)
  })
})
