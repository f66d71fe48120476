import { index, integer, primaryKey, real, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import type { Capabilities, Conflict, Deprecation, FieldSources, PriceTier, Pricing, UpstreamValues } from '../domain/types'

/** Runtime state of each provider (the static facts live in src/upstream/registry.ts). */
export const providers = sqliteTable('providers', {
  id: text('id').primaryKey(),
  lastAttemptAt: integer('last_attempt_at'),
  lastSuccessAt: integer('last_success_at'),
  lastError: text('last_error'),
  lastDurationMs: integer('last_duration_ms'),
  skippedItems: integer('skipped_items').notNull().default(0),
  /** Set when the last successful list was incomplete (page cap) or forced past the anomaly guard. */
  lastWarning: text('last_warning'),
  /**
   * The validators (ETag, Last-Modified) of the provider's last full list, when it came in one request, and the
   * request they belong to (a hash of its URL and headers): the next fetch asks If-None-Match / If-Modified-Since.
   */
  upstreamValidators: text('upstream_validators', { mode: 'json' }).$type<{ request: string; etag: string | null; lastModified: string | null; digest?: string | null }>(),
})

/** One row per provider × provider model id. */
export const offerings = sqliteTable(
  'offerings',
  {
    id: text('id').primaryKey(), // `${provider}/${provider_model_id}`
    providerId: text('provider_id').notNull(),
    providerModelId: text('provider_model_id').notNull(),
    /** The underlying model (src/catalog/canonical.ts): offerings of one model share it. */
    canonicalId: text('canonical_id').notNull().default(''),
    /** How the canonical id was reached: override | rule | learned:<source> | own (src/catalog/canonical.ts). */
    canonicalBasis: text('canonical_basis'),
    name: text('name').notNull(),
    description: text('description'),
    created: integer('created'), // unix seconds, as the upstream states it
    ownedBy: text('owned_by'),
    contextLength: integer('context_length'),
    maxOutputTokens: integer('max_output_tokens'),
    inputModalities: text('input_modalities', { mode: 'json' }).$type<string[]>(),
    outputModalities: text('output_modalities', { mode: 'json' }).$type<string[]>(),
    supportedParameters: text('supported_parameters', { mode: 'json' }).$type<string[]>(),
    capabilities: text('capabilities', { mode: 'json' }).$type<Capabilities>(),
    deprecation: text('deprecation', { mode: 'json' }).$type<Deprecation>(),
    extra: text('extra', { mode: 'json' }).$type<Record<string, unknown>>(),
    /** Conditional prices (long-context, time windows), from the same source as the base prices: src/domain/types.ts PriceTier. */
    priceTiers: text('price_tiers', { mode: 'json' }).$type<PriceTier[]>(),
    /** Where a reference catalog disagrees with the provider's own value (the provider's value is served). */
    conflicts: text('conflicts', { mode: 'json' }).$type<Conflict[]>(),
    /** What the provider itself said of the fields references and overrides may fill (kept to re-enrich). */
    upstream: text('upstream', { mode: 'json' }).$type<UpstreamValues>(),
    /** Where each filled field's value came from: upstream | models.dev | litellm | override. */
    sources: text('sources', { mode: 'json' }).$type<FieldSources>(),
    /** `live` (the provider's own list) or `bootstrap` (the embedded snapshot, until the provider's first refresh). */
    source: text('source').notNull().default('live'),
    /** Hash of what the last refresh wrote: an unchanged offering is not written again. */
    contentHash: text('content_hash'),
    /** Sort and filter keys only, derived from the exact prices in `pricing` (USD per token). */
    promptPrice: real('prompt_price'),
    completionPrice: real('completion_price'),
    firstSeenAt: integer('first_seen_at').notNull(),
    lastSeenAt: integer('last_seen_at').notNull(),
    refreshRunId: integer('refresh_run_id').notNull(),
  },
  (t) => [
    index('offerings_provider_id_idx').on(t.providerId, t.id),
    index('offerings_canonical_id_idx').on(t.canonicalId, t.providerId),
    index('offerings_prompt_price_idx').on(t.promptPrice),
    index('offerings_completion_price_idx').on(t.completionPrice),
    index('offerings_context_length_idx').on(t.contextLength),
    index('offerings_created_idx').on(t.created),
  ],
)

/**
 * Prices as exact decimal strings in USD per unit (per token for token components),
 * never binary floats. One row per offering × component.
 */
export const pricing = sqliteTable(
  'pricing',
  {
    offeringId: text('offering_id')
      .notNull()
      .references(() => offerings.id, { onDelete: 'cascade' }),
    /** Any price key (src/domain/types.ts PRICE_UNITS names the known ones and their units); not a closed list. */
    component: text('component').notNull(),
    /** Exact decimal string in USD per unit, or `variable` (the upstream marks the price as depending on the model routed to). */
    usd: text('usd').notNull(),
    source: text('source').notNull().default('upstream'),
  },
  (t) => [primaryKey({ columns: [t.offeringId, t.component] })],
)

/** Reference catalogs (models.dev, LiteLLM): what each says of a model at a provider, in modelcat's units. */
export const referenceModels = sqliteTable(
  'reference_models',
  {
    source: text('source').notNull(),
    providerId: text('provider_id').notNull(),
    /** Lowercased model id, for matching an offering's provider_model_id. */
    modelKey: text('model_key').notNull(),
    canonicalId: text('canonical_id').notNull(),
    contextLength: integer('context_length'),
    maxOutputTokens: integer('max_output_tokens'),
    inputModalities: text('input_modalities', { mode: 'json' }).$type<string[]>(),
    outputModalities: text('output_modalities', { mode: 'json' }).$type<string[]>(),
    capabilities: text('capabilities', { mode: 'json' }).$type<Capabilities>(),
    pricing: text('pricing', { mode: 'json' }).$type<Pricing>(),
    priceTiers: text('price_tiers', { mode: 'json' }).$type<PriceTier[]>(),
    deprecation: text('deprecation', { mode: 'json' }).$type<Deprecation>(),
    /** Unix seconds: the model's release date as the reference states it. */
    releasedAt: integer('released_at'),
  },
  (t) => [primaryKey({ columns: [t.source, t.providerId, t.modelKey] }), index('reference_models_canonical_idx').on(t.canonicalId, t.source)],
)

export const refreshRuns = sqliteTable('refresh_runs', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  trigger: text('trigger').notNull(), // schedule | admin | startup | cli
  startedAt: integer('started_at').notNull(),
  finishedAt: integer('finished_at'),
  catalogVersion: integer('catalog_version'),
  results: text('results', { mode: 'json' }).$type<unknown[]>(),
})

/** Single row (id = 1): the committed catalog version; bumps once per commit that changed offerings. */
export const catalogState = sqliteTable('catalog_state', {
  id: integer('id').primaryKey(),
  version: integer('version').notNull().default(0),
  updatedAt: integer('updated_at'),
})

/** Circuit-breaker state per provider (src/refresh/breakers.ts), persisted so that it survives restarts. */
export const breakers = sqliteTable('breakers', {
  provider: text('provider').primaryKey(),
  state: text('state').notNull(), // closed | open | half_open | misconfigured
  consecutiveFailures: integer('consecutive_failures').notNull().default(0),
  opens: integer('opens').notNull().default(0),
  openedAt: integer('opened_at'),
  retryAt: integer('retry_at'),
  lastError: text('last_error'),
  lastFailureAt: integer('last_failure_at'),
  lastSuccessAt: integer('last_success_at'),
})

/** The catalog's history: what each refresh added, removed or changed, per offering (src/changes). */
export const changes = sqliteTable(
  'changes',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    catalogVersion: integer('catalog_version').notNull(),
    at: integer('at').notNull(), // ms
    providerId: text('provider_id').notNull(),
    offeringId: text('offering_id').notNull(),
    canonicalId: text('canonical_id').notNull(),
    name: text('name').notNull(),
    type: text('type').notNull(), // added | removed | changed
    /** added/removed: the offering's prices and context; changed: { field: { from, to } } */
    detail: text('detail', { mode: 'json' }).$type<Record<string, unknown>>(),
  },
  (t) => [index('changes_at_idx').on(t.at), index('changes_version_idx').on(t.catalogVersion), index('changes_provider_idx').on(t.providerId, t.id)],
)

/** Webhook deliveries not yet made (src/changes/webhooks.ts): they survive a restart; deleted once delivered or given up. */
export const webhookOutbox = sqliteTable('webhook_outbox', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  /** sha256 of the hook's URL: the URL may carry a token, so it is never stored. */
  hook: text('hook').notNull(),
  body: text('body').notNull(),
  /** Attempts made so far. */
  attempts: integer('attempts').notNull().default(0),
  createdAt: integer('created_at').notNull(), // ms
})
