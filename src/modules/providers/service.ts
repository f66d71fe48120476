import type { Config, ResolvedProvider } from '../../config'
import { REFERENCES } from '../../reference'
import type { CatalogStore } from '../../catalog/store'
import { providerStatus } from '../../catalog/provider-status'
import { redactUrl, scrubberFor, type Scrubber } from '../../lib/scrub'
import type { ProviderInfo, ReferenceInfo } from './model'

const iso = (ms: number | null | undefined) => (ms ? new Date(ms).toISOString() : null)

/** Every known provider (built-in, reference-derived, configured) with its refresh state (two small indexed queries); stored upstream text scrubbed again on its way out. */
export function listProviders(store: CatalogStore, providers: ResolvedProvider[], scrub: Scrubber = scrubberFor(providers)): ProviderInfo[] {
  const states = store.providerStates(providers.filter((p) => p.enabled).map((p) => p.id))
  const breakers = new Map(store.loadBreakers().map((b) => [b.provider, b]))
  return providers.map((p) => {
    const s = states.get(p.id)
    const b = breakers.get(p.id)
    return {
      id: p.id,
      name: p.name,
      aliases: p.aliases,
      enabled: p.enabled,
      status: providerStatus(p, s, b?.state),
      breaker: b?.state ?? 'closed',
      breaker_retry_at: iso(b?.retryAt),
      model_count: p.enabled ? (s?.modelCount ?? 0) : 0,
      total: p.enabled ? (s?.modelCount ?? 0) : 0,
      unique: p.enabled ? (s?.uniqueModels ?? 0) : 0,
      duplicates: p.enabled ? (s?.modelCount ?? 0) - (s?.uniqueModels ?? 0) : 0,
      exclusive: p.enabled ? (s?.exclusiveModels ?? 0) : 0,
      last_success_at: iso(s?.lastSuccessAt),
      last_attempt_at: iso(s?.lastAttemptAt),
      last_error: scrub(s?.lastError),
      last_duration_ms: s?.lastDurationMs ?? null,
      skipped_items: s?.skippedItems ?? 0,
      last_warning: scrub(s?.lastWarning),
      adapter: p.adapter,
      key_required: p.keyRequired,
      has_key: Boolean(p.apiKey),
      origin: p.origin,
      enable_with: p.apiKey || !p.keyRequired ? [] : p.apiKeyEnv,
      base_url: redactUrl(p.baseUrl),
      base_url_pinned: p.baseUrlPinned ?? false,
      base_url_changed_at: iso(p.baseUrlChangedAt),
      previous_base_url_host: p.previousHost ?? null,
      docs_url: p.docsUrl ?? null,
      unusable_reason: p.unusable ?? null,
    }
  })
}

/** The reference catalogs and their refresh state (URLs shown without userinfo or query). */
export function listReferences(store: CatalogStore, config: Config, scrub: Scrubber = scrubberFor(config)): ReferenceInfo[] {
  const states = store.providerStates()
  return REFERENCES.map(({ source }) => {
    const s = states.get(source.id)
    const c = config.references[source.id]
    return {
      id: source.id,
      name: source.name,
      url: redactUrl(c?.url ?? source.url),
      attribution: source.attribution,
      enabled: c?.enabled ?? true,
      entries: store.referenceCount(source.id),
      last_success_at: iso(s?.lastSuccessAt),
      last_attempt_at: iso(s?.lastAttemptAt),
      last_error: scrub(s?.lastError),
      last_warning: scrub(s?.lastWarning),
    }
  })
}
