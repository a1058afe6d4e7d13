/**
 * Addresses of the set-up link (`/setup?token=…`), of invitations (`/invitations/<token>`) and of private
 * notification feeds (`/notifications/feed/<secret>`) with the
 * token replaced, for the log: whoever reads a log line must not be able to open any of them. The
 * percent-encoded forms are covered too, for such an address carried inside another one's query.
 */
export function withoutSecrets (url: string): string {
  return url
    .replace(/((?:^|\/|%2F)(?:invitations|notifications(?:\/|%2F)feed)(?:\/|%2F))[^/?#&]+/gi, '$1[hidden]')
    .replace(/([?&]|%3F|%26)(token(?:=|%3D))[^&#]*/gi, '$1$2[hidden]')
}
