/** Where the ActivityPub documents live; ids derive from BASE_URL and these. */
export const ROUTES = {
  actor: '/ap/u/:actor',
  object: '/ap/o/:id',
  activity: '/ap/s/:id',
  inbox: '/ap/inbox/:actor',
  outbox: '/ap/outbox/:actor',
  followers: '/ap/followers/:actor',
  following: '/ap/following/:actor',
  liked: '/ap/liked/:actor',
  shares: '/ap/s/:id/shares',
  likes: '/ap/s/:id/likes',
  collections: '/ap/u/:actor/c/:id',
  blocked: '/ap/u/:actor/blocked',
  rejections: '/ap/u/:actor/rejections',
  rejected: '/ap/u/:actor/rejected',
  nodeinfo: '/nodeinfo'
}
