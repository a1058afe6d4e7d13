/**
 * Where the conversation about a page can be fetched: the whole thread (FEP-7888 `context`)
 * and the Article's `replies`. The comments serve both; Articles name them.
 */
export function conversationIri (baseUrl: string, pageId: string): string {
  return `${baseUrl}/conversations/${pageId}`
}

export function repliesIri (baseUrl: string, pageId: string): string {
  return `${conversationIri(baseUrl, pageId)}/replies`
}
