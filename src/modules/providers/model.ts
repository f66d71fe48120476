import { z } from 'zod'
import { BreakerState, ProviderStatus } from '../../domain/vocabulary'

export const ProviderInfo = z
  .object({
    id: z.string(),
    name: z.string(),
    aliases: z.array(z.string()),
    enabled: z.boolean(),
    status: ProviderStatus.describe(
      'ok: last refresh succeeded; stale: last refresh failed, last good models still served; failing: failed and nothing to serve; needs_key: listing needs an API key and none is set; misconfigured: the provider refused the key (401/403), not retried until fixed and reset; bootstrap: serving the embedded snapshot, not tried yet (a failed first try makes it stale)',
    ),
    breaker: BreakerState.describe('Circuit-breaker state (see /admin/circuit-breakers)'),
    breaker_retry_at: z.string().nullable().describe('When an open breaker lets the next fetch through'),
    model_count: z.number().int().describe('Offerings in the catalog (= total)'),
    total: z.number().int().describe('Offerings in the catalog'),
    unique: z.number().int().describe('Distinct underlying models (canonical ids) among them'),
    duplicates: z.number().int().describe('total − unique: the same model listed more than once (free/paid variants, quantizations)'),
    exclusive: z.number().int().describe('Underlying models no other enabled provider offers'),
    last_success_at: z.string().nullable().describe('RFC 3339'),
    last_attempt_at: z.string().nullable().describe('RFC 3339'),
    last_error: z.string().nullable(),
    last_duration_ms: z.number().int().nullable(),
    skipped_items: z.number().int().describe('Items of the last successful list that failed validation'),
    last_warning: z.string().nullable().describe('The last successful list was incomplete (page cap) or forced past the anomaly guard or the price-sanity guard'),
    adapter: z.string(),
    key_required: z.boolean(),
    has_key: z.boolean(),
  })
  .meta({ id: 'Provider' })
export type ProviderInfo = z.infer<typeof ProviderInfo>

export const ReferenceInfo = z
  .object({
    id: z.string().describe("`models.dev` or `litellm`: the source named in models' `sources`"),
    name: z.string(),
    url: z.string(),
    attribution: z.string(),
    enabled: z.boolean(),
    entries: z.number().int().describe('Reference entries held'),
    last_success_at: z.string().nullable(),
    last_attempt_at: z.string().nullable(),
    last_error: z.string().nullable(),
    last_warning: z.string().nullable().describe('e.g. "embedded snapshot …" until the first live fetch'),
  })
  .meta({ id: 'Reference' })
export type ReferenceInfo = z.infer<typeof ReferenceInfo>

export const ProviderList = z
  .object({
    object: z.literal('list'),
    data: z.array(ProviderInfo),
    references: z.array(ReferenceInfo).describe("Reference catalogs that fill what providers' own lists lack"),
  })
  .meta({ id: 'ProviderList' })
