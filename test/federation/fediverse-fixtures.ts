import { createVerify } from 'node:crypto'
import type { FakeServer, KeyPair } from './peer.ts'
import { mastodonActor } from './peer.ts'

/**
 * Activities as Mastodon 4.5 and Misskey send them, written from their serializers
 * (Mastodon: app/serializers/activitypub/quote_request_serializer.rb, note_serializer.rb,
 * the `quotes` and `quote_requests` context extensions; Misskey:
 * packages/backend/src/core/activitypub/ApRendererService.ts).
 */

const MASTODON_QUOTE_CONTEXT = {
  QuoteRequest: 'https://w3id.org/fep/044f#QuoteRequest',
  quote: 'https://w3id.org/fep/044f#quote',
  quoteUri: 'http://fedibird.com/ns#quoteUri',
  _misskey_quote: 'https://misskey-hub.net/ns#_misskey_quote',
  quoteAuthorization: { '@id': 'https://w3id.org/fep/044f#quoteAuthorization', '@type': '@id' }
}

/** A Mastodon 4.5 status quoting `quotedId`: the Note it sends inside its QuoteRequest. */
export function mastodonQuotingNote (server: FakeServer, username: string, statusId: string, quotedId: string): Record<string, unknown> {
  const actor = `${server.url}/users/${username}`
  return {
    id: `${actor}/statuses/${statusId}`,
    type: 'Note',
    summary: null,
    inReplyTo: null,
    published: new Date().toISOString(),
    url: `${server.url}/@${username}/${statusId}`,
    attributedTo: actor,
    to: ['https://www.w3.org/ns/activitystreams#Public'],
    cc: [`${actor}/followers`],
    sensitive: false,
    content: '<p>Genau so haben wir es auch erlebt.</p>',
    contentMap: { de: '<p>Genau so haben wir es auch erlebt.</p>' },
    quote: quotedId,
    _misskey_quote: quotedId,
    quoteUri: quotedId,
    attachment: [],
    tag: []
  }
}

/** Mastodon 4.5's QuoteRequest (its id on the requester's host, the quoting Note inlined as `instrument`). */
export function mastodonQuoteRequest (server: FakeServer, username: string, quotedId: string, statusId: string): Record<string, unknown> {
  const actor = `${server.url}/users/${username}`
  return {
    '@context': ['https://www.w3.org/ns/activitystreams', MASTODON_QUOTE_CONTEXT],
    id: `${actor}#quote_requests/${statusId}`,
    type: 'QuoteRequest',
    actor,
    object: quotedId,
    instrument: mastodonQuotingNote(server, username, statusId, quotedId)
  }
}

/** A Mastodon account that says whether it may be searched. */
export function mastodonActorWithConsent (server: FakeServer, username: string, keys: KeyPair, indexable: boolean): Record<string, unknown> {
  return { ...mastodonActor(server, username, keys), indexable, discoverable: indexable }
}

/** A Misskey user as ApRendererService.renderPerson writes it: no `indexable`, Misskey's own extensions. */
export function misskeyActor (server: FakeServer, userId: string, username: string, keys: KeyPair): Record<string, unknown> {
  const id = `${server.url}/users/${userId}`
  return {
    '@context': [
      'https://www.w3.org/ns/activitystreams',
      'https://w3id.org/security/v1',
      {
        manuallyApprovesFollowers: 'as:manuallyApprovesFollowers',
        sensitive: 'as:sensitive',
        Hashtag: 'as:Hashtag',
        quoteUrl: 'as:quoteUrl',
        toot: 'http://joinmastodon.org/ns#',
        Emoji: 'toot:Emoji',
        featured: 'toot:featured',
        discoverable: 'toot:discoverable',
        schema: 'http://schema.org#',
        PropertyValue: 'schema:PropertyValue',
        value: 'schema:value',
        misskey: 'https://misskey-hub.net/ns#',
        _misskey_content: 'misskey:_misskey_content',
        _misskey_quote: 'misskey:_misskey_quote',
        _misskey_reaction: 'misskey:_misskey_reaction',
        _misskey_votes: 'misskey:_misskey_votes',
        _misskey_summary: 'misskey:_misskey_summary',
        isCat: 'misskey:isCat',
        vcard: 'http://www.w3.org/2006/vcard/ns#'
      }
    ],
    type: 'Person',
    id,
    inbox: `${id}/inbox`,
    outbox: `${id}/outbox`,
    followers: `${id}/followers`,
    following: `${id}/following`,
    featured: `${id}/collections/featured`,
    sharedInbox: `${server.url}/inbox`,
    endpoints: { sharedInbox: `${server.url}/inbox` },
    url: `${server.url}/@${username}`,
    preferredUsername: username,
    name: 'Quartiersnetz Süd',
    summary: '<p>Nachbarschaftshilfe</p>',
    _misskey_summary: 'Nachbarschaftshilfe',
    icon: null,
    image: null,
    tag: [],
    manuallyApprovesFollowers: false,
    discoverable: true,
    publicKey: { id: `${id}#main-key`, type: 'Key', owner: id, publicKeyPem: keys.publicKeyPem },
    isCat: false
  }
}

/** Misskey's Create of a note that quotes `quotedId` with its own property, not a QuoteRequest. */
export function misskeyQuoteCreate (server: FakeServer, userId: string, noteId: string, quotedId: string): Record<string, unknown> {
  const actor = `${server.url}/users/${userId}`
  const note = {
    id: `${server.url}/notes/${noteId}`,
    type: 'Note',
    attributedTo: actor,
    content: '<p>Lesenswert</p>',
    _misskey_content: 'Lesenswert',
    source: { content: 'Lesenswert', mediaType: 'text/x.misskeymarkdown' },
    _misskey_quote: quotedId,
    quoteUrl: quotedId,
    published: new Date().toISOString(),
    to: ['https://www.w3.org/ns/activitystreams#Public'],
    cc: [`${actor}/followers`],
    inReplyTo: null,
    attachment: [],
    sensitive: false,
    tag: []
  }
  return {
    '@context': (misskeyActor(server, userId, 'x', { publicKeyPem: '', privateKeyPem: '' }) as { '@context': unknown })['@context'],
    id: `${server.url}/notes/${noteId}/activity`,
    actor,
    type: 'Create',
    published: note.published,
    object: note,
    to: note.to,
    cc: note.cc
  }
}

/**
 * Checks a request a fake server received the way Mastodon does: a draft-cavage signature
 * over the headers it names, made with the key of the given actor.
 */
export function signedBy (entry: { path: string, headers?: Record<string, string | string[] | undefined> }, keyId: string, publicKeyPem: string): boolean {
  const headers = entry.headers ?? {}
  const signature = String(headers.signature ?? '')
  const fields: Record<string, string> = Object.fromEntries([...signature.matchAll(/(\w+)="([^"]*)"/g)].map(match => [match[1] ?? '', match[2] ?? '']))
  if (fields.keyId !== keyId || !fields.headers || !fields.signature) return false
  const signingString = fields.headers.split(' ').map((name: string) => name === '(request-target)'
    ? `(request-target): post ${entry.path}`
    : `${name}: ${String(headers[name] ?? '')}`).join('\n')
  return createVerify('RSA-SHA256').update(signingString).verify(publicKeyPem, fields.signature, 'base64')
}
