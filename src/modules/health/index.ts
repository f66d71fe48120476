import { Elysia } from 'elysia'
import { z } from 'zod'
import type { CatalogStore } from '../../catalog/store'
import type { Config } from '../../config'
import { providerHealth } from '../../catalog/provider-status'
import { ErrorBody, errorResponse } from '../../http/errors'
import { BreakerState } from '../../domain/vocabulary'
import { scrubberFor } from '../../lib/scrub'

/** Liveness touches nothing; readiness reads the in-memory catalog version (no SQLite, no upstream). */
const ProviderHealth = z.object({
  provider: z.string(),
  status: z.string().describe('As in /v1/providers'),
  breaker: BreakerState,
  breaker_retry_at: z.string().nullable(),
  last_success_at: z.string().nullable(),
  age_seconds: z.number().nullable().describe('Seconds since the last successful refresh'),
  last_error: z.string().nullable(),
})

export const healthModule = (store: CatalogStore, config: Config, refresher?: { readonly failure?: string | null }) =>
  new Elysia({ name: 'health' })
    .get('/health', () => ({ status: 'ok' as const }), {
      response: { 200: z.object({ status: z.literal('ok') }) },
      detail: { tags: ['health'], summary: 'Liveness', description: 'Always 200 while the process serves HTTP; touches neither SQLite nor an upstream.' },
    })
    .get(
      '/ready',
      () =>
        refresher?.failure
          ? errorResponse(503, `the refresher died, nothing is refreshed: ${refresher.failure}`, { code: 'refresher_failed' })
          : store.version > 0
            ? { status: 'ready' as const, catalog_version: store.version }
            : errorResponse(503, 'no catalog loaded yet: the first refresh has not committed', { code: 'catalog_not_loaded' }),
      {
        response: { 200: z.object({ status: z.literal('ready'), catalog_version: z.number().int() }), 503: ErrorBody },
        detail: { tags: ['health'], summary: 'Readiness', description: '200 once a catalog is loaded, 503 before, and 503 when the refresher died (the catalog would never be refreshed again).' },
      },
    )
    .get(
      '/health/providers',
      () => {
        const now = Date.now()
        const states = store.providerStates()
        const breakerOf = new Map(store.loadBreakers().map((b) => [b.provider, b]))
        return {
          object: 'list' as const,
          data: config.providers
            .filter((p) => p.enabled)
            .map((p) => {
              const s = states.get(p.id)
              const b = breakerOf.get(p.id)
              const health = providerHealth(p, s, b) // the same status and last error as /v1/providers
              return {
                provider: p.id,
                status: health.status,
                breaker: b?.state ?? 'closed',
                breaker_retry_at: b?.retryAt ? new Date(b.retryAt).toISOString() : null,
                last_success_at: s?.lastSuccessAt ? new Date(s.lastSuccessAt).toISOString() : null,
                age_seconds: s?.lastSuccessAt ? Math.round((now - s.lastSuccessAt) / 1000) : null,
                last_error: scrubberFor(config)(health.lastError), // public: scrubbed again on the way out
              }
            }),
        }
      },
      {
        response: { 200: z.object({ object: z.literal('list'), data: z.array(ProviderHealth) }) },
        detail: { tags: ['health'], summary: 'Provider health', description: 'Per enabled provider: status, breaker state, last success and its age, last error.' },
      },
    )
