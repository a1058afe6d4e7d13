import type { Db } from 'mongodb'
import type { WikiEventBus } from './events.ts'
import { createPageHistory } from './history.ts'
import { createPageStore } from './page-store.ts'
import { createPageQueries } from './queries.ts'
import { createPageReview } from './review.ts'
import { createPageSaving } from './saving.ts'
import { revisionSources } from './revision-sources.ts'
import type { SaveCheck } from '../publishing/check.ts'
import { suggestTitles, type TitleSuggestion } from './title-suggestions.ts'

export interface WikiServiceOptions {
  db: Db
  events: WikiEventBus
  /** Language of pages whose front matter names none. */
  defaultLanguage?: string
  now?: () => Date
  /** Runs before a create, edit, revert or restore is stored (e.g. lesson fields, the publishing check); throws to refuse it. */
  checkSave?: SaveCheck
  /**
   * Four-eyes review: a save by an account that widens a page's visibility (local →
   * unlisted → public) keeps the old one until another account approves. Asked at each
   * save, as an admin can switch it in the settings.
   */
  reviewRequired?: () => boolean
}

export type { SaveCheck, SaveCheckInput } from '../publishing/check.ts'
export type { Resolution } from './page-store.ts'
export type { CreateInput, SaveInput, SaveResult } from './saving.ts'
export type { RecentChange } from './queries.ts'
export type { ReviewEntry } from './review.ts'
export { snapshot } from './events.ts'

export type WikiService = ReturnType<typeof createWikiService>

/** Pages and their revisions: one store, and the parts that read and change it. */
export function createWikiService (options: WikiServiceOptions) {
  const events = options.events
  const now = options.now ?? (() => new Date())
  const store = createPageStore(options.db)
  const history = createPageHistory(store)
  const review = createPageReview(store, { events, now, reviewRequired: options.reviewRequired ?? (() => false), history: history.history })
  const saving = createPageSaving(store, {
    events,
    now,
    defaultLanguage: options.defaultLanguage ?? 'de',
    checkSave: options.checkSave,
    gate: review.gate,
    getRevision: history.getRevision
  })
  const queries = createPageQueries(store)

  return {
    ensureIndexes: store.ensureIndexes,
    resolve: store.resolve,
    requirePage: store.requirePage,
    requireAnyPage: store.requireAnyPage,
    pageById: store.pageById,
    createPage: saving.createPage,
    savePage: saving.savePage,
    renamePage: saving.renamePage,
    deletePage: saving.deletePage,
    restorePage: saving.restorePage,
    revertPage: saving.revertPage,
    approvePublication: review.approvePublication,
    pendingReviews: review.pendingReviews,
    countPendingReviews: review.countPendingReviews,
    history: history.history,
    getRevision: history.getRevision,
    currentRevision: store.currentRevision,
    diff: history.diff,
    listPages: queries.listPages,
    allPages: queries.allPages,
    pagesOfType: queries.pagesOfType,
    recentChanges: queries.recentChanges,
    existingSlugs: queries.existingSlugs,
    countPages: queries.countPages,
    pageVersions: queries.pageVersions,
    pageSnapshots: queries.pageSnapshots,
    suggestTitles: async (typed: string, query: { includeLocal: boolean, limit: number }): Promise<TitleSuggestion[]> => await suggestTitles(store.pages, typed, query),
    /** Every revision's text, for keeping the files any of them refers to. */
    revisionSources: () => revisionSources(store)
  }
}
