import type { ResolvedProvider } from '../../config'
import type { CatalogStore, OfferingRow } from '../../catalog/store'
import { ApiError } from '../../http/errors'
import type { ListModelsQuery, Model } from './model'

const CORE_KEYS = new Set(['id', 'canonical_id', 'object', 'created', 'owned_by', 'provider', 'provider_model_id', 'name', 'description', 'context_length', 'max_output_tokens', 'architecture', 'pricing', 'supported_parameters', 'capabilities', 'deprecation', 'sources'])

/** OfferingRow → the API's model object. Provider extras pass through but never shadow a core field. */
export function toModel(row: OfferingRow): Model {
  const { architecture, ...extra } = (row.extra ?? {}) as { architecture?: Record<string, unknown> }
  const model: Model = {
    id: row.id,
    canonical_id: row.canonicalId,
    object: 'model',
    created: row.created && row.created > 0 ? row.created : row.firstSeenAt,
    owned_by: row.ownedBy ?? (row.providerModelId.includes('/') ? row.providerModelId.split('/')[0]! : row.providerId),
    provider: row.providerId,
    provider_model_id: row.providerModelId,
    name: row.name,
    description: row.description,
    context_length: row.contextLength,
    max_output_tokens: row.maxOutputTokens,
    architecture: { ...architecture, input_modalities: row.inputModalities, output_modalities: row.outputModalities },
    pricing: row.pricing,
    supported_parameters: row.supportedParameters,
    capabilities: row.capabilities ?? {},
    deprecation: row.deprecation,
    sources: row.sources ?? {},
  }
  for (const [k, v] of Object.entries(extra)) if (!CORE_KEYS.has(k)) (model as Record<string, unknown>)[k] = v
  return model
}

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
    const key = `${gateways.join(',')}|${query.limit ?? ''}|${query.offset ?? ''}`
    if (version !== this.#cacheVersion) {
      this.#cache.clear()
      this.#cacheVersion = version
    }
    let body = this.#cache.get(key)
    if (body === undefined) {
      const data = this.store.listOfferings({ providers: gateways, limit: query.limit, offset: query.offset }).map(toModel)
      if (paged) {
        const total = this.store.countOfferings(gateways)
        body = JSON.stringify({ object: 'list', data, total, has_more: (query.offset ?? 0) + data.length < total })
      } else {
        body = JSON.stringify({ object: 'list', data })
      }
      if (this.#cache.size >= this.maxCachedBodies) this.#cache.clear()
      this.#cache.set(key, body)
    }
    return { body, version }
  }

  retrieve(id: string): Model {
    const row = this.store.getOffering(id)
    if (!row || !this.#byName.get(row.providerId)?.enabled) {
      throw new ApiError(404, `model '${id}' not found`, { param: 'id', code: 'model_not_found' })
    }
    return toModel(row)
  }
}
