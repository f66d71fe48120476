import { z } from 'zod'
import { SORT_KEYS } from '../../catalog/reads'
import { CATALOG_FILTERS } from '../../http/catalog-query'
import { flag } from '../../http/query'
import { PRICE_UNITS } from '../../domain/types'

// the filters shared with the exports, in the order the document has always listed them
const { has_conflicts, lifecycle, ...filters } = CATALOG_FILTERS
export const ListModelsQuery = z.object({
  ...filters,
  sort: z.enum(SORT_KEYS).optional().describe('Sort key (default `id`; `newest`: by first_seen_at, newest first unless `order=asc`). Models lacking the key sort last.'),
  order: z.enum(['asc', 'desc']).optional().describe('Sort order (default `asc`; `desc` for `sort=newest`).'),
  limit: z.coerce.number().int().min(1).max(1000).optional().describe('Page size, 1–1000. Without it every model is returned (OpenAI clients do not paginate).'),
  offset: z.coerce.number().int().min(0).optional().describe('Models to skip. Default 0. Not with `cursor`.'),
  cursor: z.string().max(1000).optional().describe('`next_cursor` of the previous page: resumes after its last model, correct even when the catalog changed in between. Needs `limit`.'),
  has_conflicts,
  lifecycle,
  unique: flag(
    "`true`: one entry per underlying model (canonical id) with every provider offering it (`providers`), `provider_count` and the `cheapest` offering; `pricing` is the cheapest offering's.",
  ),
})
export type ListModelsQuery = z.infer<typeof ListModelsQuery>

/** A price: exact decimal string, or null when the upstream marks it variable. */
const priceValue = z.string().nullable()
const Pricing = z
  .object(
    Object.fromEntries(Object.entries(PRICE_UNITS).map(([k, unit]) => [k, priceValue.optional().describe(`USD per ${unit}`)])) as Record<keyof typeof PRICE_UNITS, z.ZodOptional<typeof priceValue>>,
  )
  .catchall(priceValue)
  .describe(
    "Exact decimal strings in USD per unit, under OpenRouter's key names (units per key below: per token for token keys, per request, per image, per web search). Keys the provider does not state are absent; the set is open: any other price key the provider or reference sends is carried exactly, in the unit its name or source states (e.g. LiteLLM `output_cost_per_second`). `null`: the price is variable (the provider sends `-1`, e.g. routers whose price is the routed model's); see `pricing_variable`.",
  )

const PriceTier = z
  .object({
    conditions: z
      .object({
        min_prompt_tokens: z.number().optional().describe('Applies when the prompt has strictly more tokens than this'),
        utc_start: z.number().optional().describe('Daily UTC window start, HHMM (inclusive)'),
        utc_end: z.number().optional().describe('Daily UTC window end, HHMM (exclusive; may wrap past midnight)'),
        utc_days: z.array(z.string()).optional().describe('UTC weekdays the window applies on'),
      })
      .describe('Every condition must hold'),
    pricing: Pricing.describe('Prices that replace the base ones (same keys and units); a key not named keeps the base price'),
  })
  .meta({ id: 'PriceTier' })

/** How an offering's canonical id was reached (issue 16; src/catalog/canonical.ts). */
const CanonicalBasis = z
  .string()
  .nullable()
  .describe(
    "How `canonical_id` was reached: `override` (aliases.json or the `[canonical]` config), `rule` (the id itself, read by the rules), `learned:<source>` (knowledge learned from the reference catalogs or live lists: `learned:models.dev`, `learned:litellm`, `learned:live`, `learned:spelling`, `learned:versions`, `learned:dates`, `learned:families`, `learned:names`: the display name names the model more specifically than the id), `own` (no organisation known: the provider's own model, never merged with another provider's); null until the startup maintenance derives it",
  )

export const Model = z
  .object({
    id: z.string().describe('`<provider>/<provider_model_id>`: unique and stable'),
    canonical_id: z.string().describe('The underlying model (`org/model`): offerings of the same model at different providers share it'),
    canonical_basis: CanonicalBasis,
    object: z.literal('model'),
    created: z
      .number()
      .int()
      .describe("Unix seconds: as the provider states it, else the reference catalog's release date (models.dev `release_date`), else when modelcat first saw the model; `sources.created` says which"),
    owned_by: z.string(),
    provider: z.string(),
    provider_model_id: z.string().describe('The id to send to the provider itself'),
    name: z.string(),
    description: z.string().nullable(),
    context_length: z.number().int().nullable(),
    max_output_tokens: z.number().int().nullable(),
    architecture: z.object({ input_modalities: z.array(z.string()).nullable(), output_modalities: z.array(z.string()).nullable() }).passthrough(),
    pricing: Pricing,
    pricing_variable: z.boolean().describe('true: some price depends on the model routed to (the provider sends `-1`); those keys are null in `pricing`, never 0'),
    pricing_tiers: z
      .array(PriceTier)
      .describe(
        'Conditional prices, from the same source as `pricing` (OpenRouter `pricing.overrides`, models.dev `cost.tiers`/`context_over_200k`, LiteLLM `*_above_<N>k_tokens`/`tiered_pricing`). Among tiers whose conditions hold, later ones win per key. Filters and sorts use the base `pricing`.',
      ),
    conflicts: z
      .array(
        z.object({
          field: z.string().describe('`context_length` or `pricing.<key>`'),
          upstream: z.union([z.string(), z.number()]).describe("The provider's value (the one served)"),
          reference: z.union([z.string(), z.number()]),
          source: z.string().describe('`models.dev` or `litellm`'),
        }),
      )
      .describe('Where a reference catalog entry of the same provider and model disagrees with the provider: a price by more than 1 %, the context length by any amount. The provider wins.'),
    supported_parameters: z.array(z.string()).nullable(),
    capabilities: z
      .object({ tools: z.boolean().optional(), vision: z.boolean().optional(), reasoning: z.boolean().optional(), structured_output: z.boolean().optional() })
      .describe('Capability flags the provider states or its parameters/modalities imply; an absent flag is unknown'),
    deprecation: z
      .object({
        date: z.string().nullable().describe('Deprecation date (YYYY-MM-DD or RFC 3339), when stated'),
        end_of_life: z.string().nullable().describe('When the model stops answering, when stated (OpenRouter `expiration_date`)'),
        replacement: z.string().nullable(),
        source: z.string().nullable().describe('Who says so: `upstream` (the provider), `models.dev` (`status: deprecated`), `litellm` (`deprecation_date`)'),
      })
      .nullable()
      .describe('Set when the provider (or, when the provider says nothing, a reference catalog of the same provider) announces the model goes away'),
    first_seen_at: z.string().describe('RFC 3339: when modelcat first saw this offering'),
    last_seen_at: z.string().nullable().describe("RFC 3339: the provider's last successful refresh (null for bootstrap entries)"),
    source: z.enum(['live', 'bootstrap']).describe("`live`: from the provider's own list; `bootstrap`: from the embedded models.dev snapshot, until the provider's first successful refresh"),
    sources: z
      .record(z.string(), z.string())
      .describe(
        'Where each filled field came from: `upstream` (the provider), `override` (config), `models.dev` / `litellm` (reference entry of the same provider and model), `models.dev:canonical` / `litellm:canonical` (a reference entry of the same canonical model; never used for prices or deprecation), `first_seen` (`created` only: no source states it)',
      ),
  })
  .passthrough()
  .meta({ id: 'Model' })
export type Model = z.infer<typeof Model>

const Offering = z.object({
  id: z.string().describe('The offering id (`provider/provider_model_id`)'),
  provider: z.string(),
  provider_model_id: z.string(),
  canonical_basis: CanonicalBasis,
  context_length: z.number().int().nullable(),
  pricing: Pricing,
  status: z.string().describe("The provider's status (see /v1/providers)"),
})

export const CanonicalModel = z
  .object({
    id: z.string().describe('The canonical id (`org/model`)'),
    object: z.literal('model'),
    created: z.number().int(),
    owned_by: z.string(),
    name: z.string(),
    context_length: z.number().int().nullable().describe('The largest among its offerings'),
    max_output_tokens: z.number().int().nullable(),
    architecture: z.object({ input_modalities: z.array(z.string()).nullable(), output_modalities: z.array(z.string()).nullable() }),
    pricing: Pricing.describe("The cheapest offering's prices"),
    provider_count: z.number().int(),
    first_seen_at: z.string().describe('RFC 3339: when modelcat first saw any of its offerings'),
    last_seen_at: z.string().nullable(),
    providers: z.array(Offering),
    cheapest: z.object({ provider: z.string(), id: z.string(), pricing: Pricing }).nullable().describe('Lowest prompt price, then completion price'),
  })
  .meta({ id: 'CanonicalModel' })

export const ModelList = z
  .object({
    object: z.literal('list'),
    data: z.array(z.union([Model, CanonicalModel])).describe('Offerings, or canonical models with `unique=true`'),
    total: z.number().int().optional().describe('Present when paging (limit/offset given): models matching in all'),
    has_more: z.boolean().optional().describe('Present when paging: whether a further page exists'),
    next_cursor: z.string().nullable().optional().describe('Present when paging: pass as `cursor` for the next page; null on the last'),
  })
  .meta({ id: 'ModelList' })
