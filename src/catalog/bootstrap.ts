import type { ResolvedProvider } from '../config'
import { modelsDev } from '../reference/models-dev'
import type { CatalogStore, ProviderOutcome } from './store'
import type { OfferingInput } from '../domain/types'

/**
 * The catalog of a first start: before any provider has answered (or with no network at all), the
 * embedded models.dev snapshot stands in for every provider that will be refreshed (enabled, and with
 * a key when listing needs one). Its offerings are marked `source: "bootstrap"` and replaced provider by
 * provider as live lists land (the anomaly guard does not count them). Only ever on an empty catalog.
 * Returns the offerings written.
 */
export function bootstrapCatalog(store: CatalogStore, providers: ResolvedProvider[], snapshot: Uint8Array<ArrayBuffer>): number {
  if (store.countOfferings() > 0) return 0
  const { entries } = modelsDev.parse(JSON.parse(new TextDecoder().decode(Bun.gunzipSync(snapshot))))
  const fetched = new Set(providers.filter((p) => p.enabled && (!p.keyRequired || p.apiKey)).map((p) => p.id))
  const byProvider = new Map<string, OfferingInput[]>()
  for (const e of entries) {
    if (!fetched.has(e.provider)) continue
    const list = byProvider.get(e.provider) ?? []
    list.push({
      providerModelId: e.modelId,
      name: e.name || e.modelId,
      contextLength: e.contextLength,
      maxOutputTokens: e.maxOutputTokens,
      inputModalities: e.inputModalities,
      outputModalities: e.outputModalities,
      capabilities: e.capabilities,
      pricing: e.pricing,
      priceTiers: e.priceTiers ?? null,
      created: e.releasedAt ?? null,
      deprecation: e.deprecation ?? null,
    })
    byProvider.set(e.provider, list)
  }
  const outcomes: ProviderOutcome[] = [...byProvider].map(([provider, offerings]) => ({ provider, ok: true, offerings, skipped: 0, durationMs: 0, warning: null }))
  if (outcomes.length) store.prepareIdentity(outcomes) // identity decided before the write transaction
  if (outcomes.length) store.commitRefresh('bootstrap', Date.now(), outcomes, { source: 'bootstrap' })
  return outcomes.reduce((n, o) => n + (o.ok ? o.offerings.length : 0), 0)
}
