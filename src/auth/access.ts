import type { Access } from './roles.ts'

/**
 * Who may use each route, by method and Fastify URL pattern. Reading is open
 * (local pages are hidden inside the routes from anonymous visitors); changing
 * needs a role. A route missing here is refused to all but admins if it changes
 * anything; `test/auth/routes.test.ts` checks that every route is listed.
 */
export const ROUTE_ACCESS: Readonly<Record<string, Access>> = {
  // Site and reading
  'GET /': 'anyone',
  'GET /recent-changes': 'anyone',
  'GET /feed.atom': 'anyone',
  'GET /sitemap.xml': 'anyone',
  'GET /locale': 'anyone',
  'GET /help/lessons': 'anyone',
  'GET /static/*': 'anyone',
  'GET /static/leaflet/*': 'anyone',
  'GET /wiki': 'anyone',
  'GET /wiki/:slug': 'anyone',
  'GET /wiki/:slug/history': 'anyone',
  'GET /wiki/:slug/revisions/:revisionId': 'anyone',
  'GET /wiki/:slug/diff': 'anyone',
  'GET /search': 'anyone',
  'GET /api/search': 'anyone',
  'GET /lessons': 'anyone',
  'GET /api/lessons': 'anyone',
  'GET /lessons.csv': 'anyone',
  'GET /lessons.jsonld': 'anyone',
  'GET /api/lessons.geojson': 'anyone',
  'GET /lessons/overview': 'anyone',
  'GET /lessons/map': 'anyone',
  'GET /api/pages': 'anyone',
  'GET /api/pages/:slug': 'anyone',
  'GET /api/pages/:slug/revisions': 'anyone',
  'GET /api/page-titles': 'anyone',
  'GET /api/pages/:slug/backlinks': 'anyone',
  'GET /remote': 'anyone',
  'GET /remote/:id': 'anyone',
  'GET /media/:name': 'anyone',
  'GET /ns/lesson/v1': 'anyone',
  'GET /ns/lesson': 'anyone',
  // How sure and at what cost; the evidence view; the map's own basemap (issue 18)
  'GET /help/evidence': 'anyone',
  'GET /evidence': 'anyone',
  'GET /api/evidence': 'anyone',
  'GET /lessons/map/basemap.geojson': 'anyone',

  // Editing
  'GET /wiki/new': 'editor',
  'POST /wiki': 'editor',
  'GET /wiki/:slug/edit': 'editor',
  'POST /wiki/:slug': 'editor',
  'POST /wiki/:slug/revert': 'editor',
  'GET /wiki/:slug/rename': 'editor',
  'POST /wiki/:slug/rename': 'editor',
  'GET /wiki/:slug/delete': 'editor',
  'POST /wiki/:slug/delete': 'editor',
  'POST /wiki/:slug/restore': 'editor',
  'POST /wiki/:slug/resolve': 'editor',
  'POST /lessons/:slug/resolve': 'editor',
  'GET /lessons/new': 'editor',
  'POST /lessons/new': 'editor',
  'GET /lessons/:slug/edit': 'editor',
  'POST /lessons/:slug/edit': 'editor',
  'POST /lessons/new/upload': 'editor',
  'POST /lessons/:slug/upload': 'editor',
  'POST /remote/:id/fork': 'editor',
  'POST /api/pages': 'editor',
  'PUT /api/pages/:slug': 'editor',
  'DELETE /api/pages/:slug': 'editor',
  'POST /api/media': 'editor',
  'POST /media/editor': 'editor',

  // Comments: signed-in people write; experiences need no account; moderators decide
  'GET /comments/:id': 'anyone',
  'GET /api/pages/:slug/comments': 'anyone',
  'GET /conversations/:pageId': 'anyone',
  'GET /conversations/:pageId/replies': 'anyone',
  'POST /wiki/:slug/experiences': 'anyone',
  'POST /wiki/:slug/comments': 'member',
  'POST /api/pages/:slug/comments': 'member',
  'POST /comments/:id/edit': 'member',
  'POST /comments/:id/delete': 'member',
  'GET /moderation': 'moderator',
  'POST /moderation/:id/approve': 'moderator',
  'POST /moderation/:id/reject': 'moderator',
  'POST /moderation/:id/block': 'moderator',
  'POST /moderation/:id/block-domain': 'moderator',
  'POST /api/comments/:id/approve': 'moderator',
  'POST /api/comments/:id/reject': 'moderator',

  // Review
  'GET /review': 'reviewer',
  'POST /review/:slug/approve': 'reviewer',

  // Accounts: signing in is for anyone; the own account for every signed-in person
  'GET /login': 'anyone',
  'POST /login': 'anyone',
  'POST /logout': 'anyone',
  'GET /setup': 'anyone',
  'POST /setup': 'anyone',
  'GET /invitations/:token': 'anyone',
  'POST /invitations/:token': 'anyone',
  'GET /account': 'member',
  'POST /account/password': 'member',
  'POST /account/email': 'member',
  'POST /account/tokens': 'member',
  'POST /account/tokens/:id/revoke': 'member',

  // Watching and notifications: each person's own; the private feed opens with its secret, without a session
  'GET /notifications': 'member',
  'POST /notifications/:id/read': 'member',
  'POST /notifications/read-all': 'member',
  'POST /notifications/watch': 'member',
  'GET /notifications/watching': 'member',
  'POST /notifications/preferences': 'member',
  'POST /notifications/feed': 'member',
  'POST /notifications/feed/revoke': 'member',
  'GET /notifications/feed/:secret': 'anyone',

  // Administration
  'GET /admin/accounts': 'admin',
  'POST /admin/accounts/:username/role': 'admin',
  'POST /admin/accounts/:username/disable': 'admin',
  'POST /admin/accounts/:username/enable': 'admin',
  'POST /admin/invitations': 'admin',
  'POST /admin/invitations/:id/revoke': 'admin',
  'GET /admin/federation': 'admin',
  'POST /admin/federation/follow': 'admin',
  'POST /admin/federation/unfollow': 'admin',
  'POST /admin/federation/requests/approve': 'admin',
  'POST /admin/federation/requests/reject': 'admin',
  'POST /admin/federation/blocks': 'admin',
  'POST /admin/federation/blocks/remove': 'admin',
  'POST /admin/federation/scope': 'admin',
  'GET /api/federation/following': 'admin',
  'POST /api/federation/following': 'admin',
  'PATCH /api/federation/following/:id': 'admin',
  'DELETE /api/federation/following/:id': 'admin',
  'GET /admin/audit': 'admin',
  'GET /admin/settings': 'admin',
  'POST /admin/settings': 'admin',
  'GET /api/settings': 'admin',
  'PUT /api/settings': 'admin',
  'GET /admin/media': 'admin',
  'POST /admin/media/clean': 'admin',
  'GET /api/media/unreferenced': 'admin',
  'POST /api/media/clean': 'admin',

  // ActivityPub: servers, not people; signatures and blocks are checked inside federation.
  'GET /ap/*': 'anyone',
  'POST /ap/*': 'anyone',
  'PUT /ap/*': 'anyone',
  'DELETE /ap/*': 'anyone',
  'PATCH /ap/*': 'anyone',
  'OPTIONS /ap/*': 'anyone',
  'TRACE /ap/*': 'anyone',
  'QUERY /ap/*': 'anyone',
  'GET /.well-known/webfinger': 'anyone',
  'GET /.well-known/nodeinfo': 'anyone',
  'GET /nodeinfo/:version': 'anyone'
}

/** Whether a route answers with a page and its header (the counts of what waits for someone); files, JSON and other servers do not. */
export function showsHeader (route: string): boolean {
  return !route.startsWith('/static/') && !route.startsWith('/api/') && !isFederationPath(route)
}

/** Paths served for other servers: no session, no CSRF token (they sign their requests). */
export function isFederationPath (url: string): boolean {
  return url.startsWith('/ap/') || url.startsWith('/.well-known/') || url.startsWith('/nodeinfo/')
}

/** The access a route needs; HEAD follows GET. Unknown reads are open, unknown changes admin-only. */
export function accessFor (method: string, url: string): { access: Access, listed: boolean } {
  const key = `${method === 'HEAD' ? 'GET' : method} ${url}`
  const access = ROUTE_ACCESS[key]
  if (access !== undefined) return { access, listed: true }
  return { access: method === 'GET' || method === 'HEAD' ? 'anyone' : 'admin', listed: false }
}
