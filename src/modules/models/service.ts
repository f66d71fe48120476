import { resolveProviderNames, type ResolvedProvider } from '../../config'
import { queryCanonical, queryOfferings, type CatalogQuery } from '../../catalog/reads'
import type { CatalogStore } from '../../catalog/store'
import { CachedBody } from '../../serving/cached-body'
import { ApiError } from '../../http/errors'
import { providerStatus } from '../providers/service'
import type { ListModelsQuery } from './model'
import { toCanonicalModel, toModel } from './serialize'

const bad = (param: string, message: string, code = 'invalid_parameter') => new ApiError(400, message, { param, code })

/**
 * Answers model queries from the store. Every answer is serialized once per (catalog version,
 * normalized query) into a CachedBody (bytes, ETag, compressed variants) and served as it is from
 * then on; the hot path — the full list — is rebuilt and compressed right after each new version.
 * Nothing but the normalized query and the version can vary an answer.
 */
export class ModelsService {
  #cache = new Map<string, CachedBody>()
  #cacheGeneration = -1

  constructor(
    private readonly store: CatalogStore,
    private readonly providers: ResolvedProvider[],
    opts: { maxCachedBodies?: number; warm?: boolean } = {},
  ) {
    this.maxCachedBodies = opts.maxCachedBodies ?? 512
    if (opts.warm ?? true) store.onNewVersion(() => setTimeout(() => void this.warm(), 0))
  }
  private readonly maxCachedBodies: number

  /**
   * Builds and compresses the full list of the current version ahead of the first request for it. Only an
   * optimization: a failure (the DB closing at shutdown) is left to the request path, which rebuilds and reports.
   */
  async warm() {
    try {
      for (const q of ModelsService.HOT) await this.list(q).warm()
    } catch {}
  }

  /**
   * `gateway` → the enabled provider ids it selects: an id, an alias, a comma-separated list, or `all`.
   * @throws ApiError 400 listing the valid gateways when a name is unknown or disabled.
   */
  resolveGateways(gateway: string | undefined, param = 'gateway'): string[] {
    const list = gateway ?? 'all'
    const enabled = this.providers.filter((p) => p.enabled)
    if (list.split(',').some((n) => n.trim().toLowerCase() === 'all') || !list.trim()) return enabled.map((p) => p.id).sort()
    const { ids, unknown, valid } = resolveProviderNames(this.providers, list)
    if (!ids.length && !unknown.length) return enabled.map((p) => p.id).sort() // only separators: as if absent
    if (unknown.length) throw bad(param, `unknown gateway '${unknown.join("', '")}'; valid gateways: ${['all', ...valid].join(', ')}`, 'unknown_gateway')
    const disabled = ids.filter((id) => !enabled.some((p) => p.id === id))
    if (disabled.length && param === 'gateway') {
      // An empty answer here would look like "this provider has no models": say what is going on instead.
      throw bad(param, `gateway '${disabled.join("', '")}' is disabled in this deployment; enabled gateways: ${enabled.map((p) => p.id).join(', ')}`, 'gateway_disabled')
    }
    return ids.sort()
  }

  /** The validated query as the store's CatalogQuery: gateways resolved, lists split, cursor decoded. */
  normalize(query: ListModelsQuery): { catalog: CatalogQuery; unique: boolean } {
    const excluded = query.exclude_gateway ? new Set(this.resolveGateways(query.exclude_gateway, 'exclude_gateway')) : new Set<string>()
    const list = (v?: string) => {
      const items = v?.split(',').map((s) => s.trim()).filter(Boolean)
      return items?.length ? [...new Set(items)].sort() : undefined
    }
    const catalog: CatalogQuery = {
      providers: this.resolveGateways(query.gateway).filter((id) => !excluded.has(id)),
      q: query.q?.trim() || undefined,
      inputModalities: list(query.input_modalities),
      outputModalities: list(query.output_modalities),
      supportedParameters: list(query.supported_parameters),
      minContext: query.min_context,
      maxPromptPrice: query.max_prompt_price,
      maxCompletionPrice: query.max_completion_price,
      free: query.free || undefined,
      sort: query.sort ?? 'id',
      order: query.order ?? (query.sort === 'newest' ? 'desc' : 'asc'),
      limit: query.limit,
      offset: query.offset,
    }
    const unique = query.unique ?? false
    if (query.cursor !== undefined) {
      if (query.limit === undefined) throw bad('cursor', "'cursor' pages need 'limit' (the page size)")
      if (query.offset !== undefined) throw bad('cursor', "'cursor' and 'offset' cannot be combined: the cursor already says where to resume")
      catalog.after = decodeCursor(query.cursor, cursorScope(catalog, unique))
    }
    return { catalog, unique }
  }

  /** The queries whose answers are built for every new version before any client asks: the hot paths. */
  static readonly HOT: ListModelsQuery[] = [
    { free: false, unique: false },
    { free: false, unique: true },
  ]

  /** The cache key of a query (its normalized form). */
  keyOf(query: ListModelsQuery): string {
    const { catalog, unique } = this.normalize(query)
    return JSON.stringify({ catalog, unique })
  }

  /**
   * Installs bodies built elsewhere (the refresh thread) for `version`, so that this thread serves them
   * without building them. Bodies of another version than the store's current one are ignored.
   */
  adopt(version: number, bodies: { key: string; etag?: string; bytes: Uint8Array; gzip?: Uint8Array; br?: Uint8Array }[]) {
    if (version !== this.store.version) return
    this.#rollOver()
    for (const b of bodies) this.#cache.set(b.key, new CachedBody(b.bytes, version, new Date(this.store.updatedAt || 0), b))
  }

  /** Raw query strings seen in this version → their cached answer (same objects as the normalized cache). */
  #byRawQuery = new Map<string, CachedBody>()

  /**
   * The hot path: a GET /v1/models whose exact query string was answered before in this version is
   * served before routing, validation and normalization (its answer is the very same cached body).
   * Returns undefined for anything else, which then takes the full path.
   */
  fastPath(request: Request): Response | Promise<Response> | undefined {
    if (this.#byRawQuery.size === 0 || this.store.generation !== this.#cacheGeneration) return undefined
    const rest = listQueryOf(request.url)
    const body = rest === undefined ? undefined : this.#byRawQuery.get(rest)
    return body && request.method === 'GET' ? body.respond(request) : undefined
  }

  /** Remembers the raw query string of a list request that went the full path. */
  remember(request: Request, body: CachedBody) {
    const rest = listQueryOf(request.url)
    // a body of a version this thread has not heard of is not cached: nor is its query string
    if (rest !== undefined && body.version === this.store.version && this.#byRawQuery.size < this.maxCachedBodies * 4) this.#byRawQuery.set(rest, body)
  }

  /** The cached answer of GET /v1/models for a query. */
  list(query: ListModelsQuery): CachedBody {
    const { catalog, unique } = this.normalize(query)
    return this.#cached(JSON.stringify({ catalog, unique }), () => {
      const paged = catalog.limit !== undefined || catalog.offset !== undefined
      const page = unique ? queryCanonical(this.store.db, catalog) : queryOfferings(this.store.db, catalog)
      const status = unique ? this.#statusOf() : undefined
      const data = unique
        ? (page.rows as ReturnType<typeof queryCanonical>['rows']).map((r) => toCanonicalModel(r, status!))
        : (page.rows as ReturnType<typeof queryOfferings>['rows']).map(toModel)
      if (!paged) return { object: 'list', data }
      const next_cursor = page.next ? encodeCursor(page.next, cursorScope(catalog, unique)) : null
      return { object: 'list', data, total: page.total, has_more: page.next !== null, next_cursor }
    })
  }

  /**
   * An offering id (`groq/llama-3.3-70b-versatile`) → that offering, with every provider of its model;
   * a canonical id (`meta/llama-3.3-70b-instruct`) → the canonical model with all its offerings.
   * @throws ApiError 404 when it is neither.
   */
  retrieve(id: string): CachedBody {
    return this.#cached(`retrieve:${id}`, () => {
      const enabled = this.resolveGateways('all')
      const base: CatalogQuery = { providers: enabled, sort: 'id', order: 'asc' }
      const offering = this.store.getOffering(id)
      if (offering && enabled.includes(offering.providerId)) {
        const canonical = queryCanonical(this.store.db, { ...base, canonicalId: offering.canonicalId }).rows[0]
        return { ...toModel(offering), providers: canonical ? toCanonicalModel(canonical, this.#statusOf()).providers : [] }
      }
      const canonical = queryCanonical(this.store.db, { ...base, canonicalId: id }).rows[0]
      if (canonical) return toCanonicalModel(canonical, this.#statusOf())
      throw new ApiError(404, `model '${id}' not found: neither an offering id (provider/model) nor a canonical id`, { param: 'id', code: 'model_not_found' })
    })
  }

  #rollOver() {
    if (this.store.generation !== this.#cacheGeneration) {
      this.#cache.clear()
      this.#byRawQuery.clear()
      this.#cacheGeneration = this.store.generation
    }
  }

  /**
   * The cached body for `key`, built on a miss inside one read transaction (a commit of the refresh
   * thread in between cannot mix two catalogs into one answer). An answer of a version this thread has
   * not heard of yet is served but not cached.
   */
  #cached(key: string, build: () => unknown): CachedBody {
    this.#rollOver()
    const cached = this.#cache.get(key)
    if (cached) return cached
    const c = this.store.db.$client
    const { json, version } = c
      .transaction(() => {
        const version = (c.query('select version from catalog_state where id = 1').get() as { version: number } | null)?.version ?? 0
        return { json: JSON.stringify(build()), version }
      })
      .deferred()
    const body = new CachedBody(json, version, new Date(this.store.updatedAt || 0))
    if (version !== this.store.version) return body
    if (this.#cache.size >= this.maxCachedBodies) this.#cache.delete(this.#cache.keys().next().value!)
    this.#cache.set(key, body)
    return body
  }

  /** Each provider's status, for the `providers` lists of canonical models. */
  #statusOf(): (provider: string) => string {
    const states = this.store.providerStates()
    const byId = new Map(this.providers.map((p) => [p.id, p]))
    return (id) => {
      const p = byId.get(id)
      return p ? providerStatus(p, states.get(id)) : 'unknown'
    }
  }
}

/** The raw query string of a GET /v1/models URL ('' or '?…'), or undefined for any other path. */
function listQueryOf(url: string): string | undefined {
  const path = url.indexOf('/', url.indexOf('//') + 2)
  if (!url.startsWith('/v1/models', path)) return undefined
  const rest = url.slice(path + 10)
  return rest === '' || rest[0] === '?' ? rest : undefined
}

/** What a cursor is bound to: the query without its position. A cursor of another query is refused. */
function cursorScope(q: CatalogQuery, unique: boolean): string {
  const { limit: _l, offset: _o, after: _a, ...rest } = q
  return new Bun.CryptoHasher('sha256').update(JSON.stringify({ ...rest, unique })).digest('base64url').slice(0, 16)
}

/** Opaque to clients: base64url of the last row's sort value and id, and the query it belongs to. */
function encodeCursor(after: { value: string | number; id: string }, scope: string): string {
  return Buffer.from(JSON.stringify({ v: after.value, i: after.id, s: scope })).toString('base64url')
}

function decodeCursor(cursor: string, scope: string): { value: string | number; id: string } {
  let c: { v?: unknown; i?: unknown; s?: unknown }
  try {
    c = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
  } catch {
    throw bad('cursor', "invalid 'cursor': pass the next_cursor of a previous page as it is")
  }
  if ((typeof c.v !== 'string' && typeof c.v !== 'number') || typeof c.i !== 'string') throw bad('cursor', "invalid 'cursor': pass the next_cursor of a previous page as it is")
  if (c.s !== scope) throw bad('cursor', "'cursor' belongs to another query: keep every other parameter as it was for the first page")
  return { value: c.v, id: c.i }
}
