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
    origin: z
      .enum(['builtin', 'reference', 'config'])
      .describe("Where its definition comes from: modelcat's built-in list, the models.dev reference data (its `api`, `env`, `npm`), or a config table alone"),
    enable_with: z.array(z.string()).describe('Environment variables any one of which holds its key and (for a reference-derived provider) turns it on; empty when it has its key or needs none'),
    base_url: z.string().describe('Where its model list is fetched (and its key sent); without userinfo or query'),
    base_url_pinned: z.boolean().describe('The config sets base_url: reference refreshes do not move it'),
    base_url_changed_at: z.string().nullable().describe('RFC 3339: when a models.dev refresh last changed its base URL (a changed URL receives the key: check it, or pin base_url)'),
    previous_base_url_host: z.string().nullable().describe('The host its base URL had before that change'),
    docs_url: z.string().nullable().describe("The provider's documentation (models.dev `doc`)"),
    unusable_reason: z
      .string()
      .nullable()
      .describe('Why it cannot be refreshed as the reference describes it (e.g. an http: base URL, an API package with no modelcat adapter); a config table may fix it'),
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
