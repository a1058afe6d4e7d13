import { createRequire } from 'node:module'

interface ResolveArguments { context: unknown }
type Resolve = (this: unknown, options: ResolveArguments) => Promise<unknown[]>
interface ContextResolverClass { prototype: { resolve: Resolve } }

const require = createRequire(import.meta.url)
/** activitypub-express's own copy of jsonld (8.x), the one it compacts with; the app's top-level jsonld is another copy. */
const apexRequire = createRequire(require.resolve('activitypub-express'))

/** The resolvers this module has wrapped; wrapping twice would only add a second look-up. */
const wrapped = new WeakSet<ContextResolverClass>()

/** What jsonld counts as an object (its lib/types.js isObject): neither an array nor null. */
function isJsonObject (value: unknown): value is Record<string, unknown> {
  return Object.prototype.toString.call(value) === '[object Object]'
}

/** The one context object `resolve` would look up, as its first lines find it; null for URLs, arrays and null. */
function singleContextObject (context: unknown): object | null {
  const inner = isJsonObject(context) && context['@context'] ? context['@context'] : context
  return isJsonObject(inner) ? inner : null
}

/**
 * Makes jsonld's resolution of a context object it has seen before a WeakMap look-up.
 *
 * jsonld's ContextResolver.resolve keys each context object by `JSON.stringify(context)` in
 * a shared LRU, and a lesson Create makes it stringify 16 to 20 of them every time, almost
 * all the same objects as for the document before: the inner contexts of ActivityStreams
 * and security/v1 (loaded again by every operation, as the loader's documents carry no
 * cache tag) and the scoped contexts of the lesson vocabulary's terms. Here, a context
 * object resolved once is answered by identity with the very ResolvedContext the original
 * code gave for it. Left to stringify are the copies jsonld makes of the contexts it is
 * handed (two per lesson Create, see below), which are new objects every time.
 *
 * Why identity is as good as the JSON here: for an object context the original path
 * depends on the object's content alone (not on the active context, base or loader), so
 * the answer stands for as long as the object is not changed. The objects that reach
 * resolve are never changed after it saw them: the caller's documents are copied first
 * (jsonld.expand and jsonld.processContext clone their input, so apex's clearing of
 * `@language` in an incoming document's context happens before and apart from them);
 * a loaded context document is rewritten by `_resolveContextUrls` (relative context URLs
 * made absolute) before it is resolved, and rewriting it again when it is fetched again
 * changes nothing, an absolute URL staying as it is; scoped contexts are those same
 * objects, held by reference in term definitions. The one change jsonld makes after
 * resolving is `@import`, which copies the imported terms into the importing context, and
 * processing the result again means the same (terms already there win either way). So
 * whoever hands jsonld a document loader must not edit the documents it returned, which
 * nothing here does (the contexts of src/federation/contexts.ts, those the JSON-LD worker
 * keeps; apex's store parses a fresh copy for every load, which is never seen twice).
 * The WeakMap holds a ResolvedContext only as long as its context object lives.
 *
 * Only single context objects are remembered; arrays and URLs take jsonld's path
 * unchanged, so remote contexts keep their per-operation cache (perOpCache). A hit leaves
 * that cache alone: for object contexts it only spares a shared-cache look-up within one
 * operation, which the WeakMap spares already.
 *
 * Patching the prototype is the least invasive way in: jsonld has no option for its
 * resolved-context cache (`contextResolver` is "internal use only"), and apex calls
 * jsonld.compact without letting us pass one. Every thread that runs jsonld calls this
 * once (the main thread when apex is built, each JSON-LD worker when it starts).
 */
export function rememberResolvedContexts (ContextResolver: ContextResolverClass = apexRequire('jsonld/lib/ContextResolver.js')): void {
  if (wrapped.has(ContextResolver)) return
  wrapped.add(ContextResolver)
  const original = ContextResolver.prototype.resolve
  const resolved = new WeakMap<object, unknown>()
  ContextResolver.prototype.resolve = async function (options) {
    const context = singleContextObject(options.context)
    if (context === null) return await original.call(this, options)
    const known = resolved.get(context)
    if (known !== undefined) return [known]
    const answer = await original.call(this, options)
    resolved.set(context, answer[0])
    return answer
  }
}
