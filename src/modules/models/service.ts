import type { ResolvedProvider } from '../../config'
import type { CatalogStore } from '../../catalog/store'
import { ApiError } from '../../http/errors'
import { queryCanonical, countCanonical } from '../../catalog/unique'
import { providerStatus } from '../providers/service'
import type { ListModelsQuery, Model } from './model'
import { toCanonicalModel, toModel, type CanonicalModel } from './serialize'

/**
 * Answers model queries from the store. Bodies are serialized once per (catalog version, normalized
 * query) and then served as they are: the full list, the hot path, is one prebuilt string per version.
 */
export class ModelsService {
  #cache = new Map<string, string>()
  #cacheVersion = -1
  readonly #byName = new Map<string, ResolvedProvider>()

  constructor(
    private readonly store: CatalogStore,
    private readonly providers: ResolvedProvider[],
    private readonly maxCachedBodies = 512,
  ) {
    for (const p of providers) for (const name of [p.id, ...p.aliases]) this.#byName.set(name, p)
  }

  /**
   * `gateway` → the enabled provider ids it selects: an id, an alias, a comma-separated list, or `all`.
   * @throws ApiError 400 listing the valid gateways when a name is unknown.
   */
  resolveGateways(gateway: string | undefined): string[] {
    const names = (gateway ?? 'all').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean)
    const enabled = (p: ResolvedProvider) => p.enabled
    if (names.length === 0 || names.includes('all')) return this.providers.filter(enabled).map((p) => p.id).sort()
    const unknown = names.filter((n) => !this.#byName.has(n))
    if (unknown.length) {
      const valid = ['all', ...this.providers.flatMap((p) => [p.id, ...p.aliases])].join(', ')
      throw new ApiError(400, `unknown gateway '${unknown.join("', '")}'; valid gateways: ${valid}`, { param: 'gateway', code: 'unknown_gateway' })
    }
    const selected = new Set(names.map((n) => this.#byName.get(n)!))
    const disabled = [...selected].filter((p) => !p.enabled)
    if (disabled.length) {
      // An empty answer here would look like "this provider has no models": say what is going on instead.
      const enabledNames = this.providers.filter(enabled).map((p) => p.id).join(', ')
      throw new ApiError(400, `gateway '${disabled.map((p) => p.id).join("', '")}' is disabled in this deployment; enabled gateways: ${enabledNames}`, { param: 'gateway', code: 'gateway_disabled' })
    }
    const ids = new Set([...selected].map((p) => p.id))
    return [...ids].sort()
  }

  /** The JSON body of GET /v1/models for a query, from the per-version cache. */
  listBody(query: ListModelsQuery): { body: string; version: number } {
    const gateways = this.resolveGateways(query.gateway)
    const version = this.store.version
    const paged = query.limit !== undefined || query.offset !== undefined
    const key = `${gateways.join(',')}|${query.limit ?? ''}|${query.offset ?? ''}|${query.unique ? 'u' : ''}`
    if (version !== this.#cacheVersion) {
      this.#cache.clear()
      this.#cacheVersion = version
    }
    let body = this.#cache.get(key)
    if (body === undefined) {
      const page = { providers: gateways, limit: query.limit, offset: query.offset }
      const status = this.#statusOf()
      const data = query.unique
        ? queryCanonical(this.store.db, page).map((r) => toCanonicalModel(r, status))
        : this.store.listOfferings(page).map(toModel)
      if (paged) {
        const total = query.unique ? countCanonical(this.store.db, gateways) : this.store.countOfferings(gateways)
        body = JSON.stringify({ object: 'list', data, total, has_more: (query.offset ?? 0) + data.length < total })
      } else {
        body = JSON.stringify({ object: 'list', data })
      }
      if (this.#cache.size >= this.maxCachedBodies) this.#cache.clear()
      this.#cache.set(key, body)
    }
    return { body, version }
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

  /**
   * An offering id (`groq/llama-3.3-70b-versatile`) → that offering, with every provider of its model;
   * a canonical id (`meta/llama-3.3-70b-instruct`) → the canonical model with all its offerings.
   * @throws ApiError 404 when it is neither.
   */
  retrieve(id: string): Model | CanonicalModel {
    const enabled = this.providers.filter((p) => p.enabled).map((p) => p.id)
    const row = this.store.getOffering(id)
    if (row && enabled.includes(row.providerId)) {
      const canonical = queryCanonical(this.store.db, { providers: enabled, canonicalId: row.canonicalId })[0]
      return { ...toModel(row), providers: canonical ? toCanonicalModel(canonical, this.#statusOf()).providers : [] }
    }
    const canonical = queryCanonical(this.store.db, { providers: enabled, canonicalId: id })[0]
    if (canonical) return toCanonicalModel(canonical, this.#statusOf())
    throw new ApiError(404, `model '${id}' not found: neither an offering id (provider/model) nor a canonical id`, { param: 'id', code: 'model_not_found' })
  }
}
