/**
 * Price components modelcat knows by name, OpenRouter's `pricing` keys, and the unit of each (USD per …).
 * The list orders the known keys; it does not close the set: a numeric price under any other key
 * (PRICE_KEY below) is carried as the upstream or reference states it, in the unit its source uses.
 */
export const PRICE_UNITS = {
  prompt: 'input token',
  completion: 'output token',
  request: 'request',
  image: 'input image',
  web_search: 'web search',
  internal_reasoning: 'internal reasoning token',
  input_cache_read: 'cached input token read',
  input_cache_write: 'input token written to the cache (default, 5-minute TTL)',
  input_cache_write_1h: 'input token written to the 1-hour cache',
  audio: 'audio input token',
  input_audio_cache: 'cached audio input token',
  image_output: 'output image',
  audio_output: 'audio output token',
  image_token: 'image input token',
} as const
export const PRICE_COMPONENTS = Object.keys(PRICE_UNITS) as (keyof typeof PRICE_UNITS)[]
export type PriceComponent = keyof typeof PRICE_UNITS
/** What any price key may look like (known or not): lower-case words joined by `_`, at most 100 chars (LiteLLM spells units into its names: 66 seen). */
export const PRICE_KEY = /^[a-z][a-z0-9_]{0,99}$/
/** The stored and internal value of a price the upstream marks variable (`-1`: depends on the model routed to); served as null. */
export const VARIABLE_PRICE = 'variable'
/**
 * Price key → exact decimal string in USD per unit (PRICE_UNITS), or VARIABLE_PRICE. Known keys are typed;
 * any other key matching PRICE_KEY is carried too.
 */
export type Pricing = Partial<Record<PriceComponent, string>> & Record<string, string>

/**
 * A conditional price: `pricing` applies instead of the base price, per key, when every condition holds.
 * Among tiers that apply, later ones win per key; a key a tier does not name keeps the base price.
 */
export interface PriceTier {
  /** `min_prompt_tokens`: applies when the request's prompt tokens are strictly more than this; `utc_start`/`utc_end` (HHMM), `utc_days`: a daily UTC window. */
  conditions: { min_prompt_tokens?: number; utc_start?: number; utc_end?: number; utc_days?: string[] }
  pricing: Pricing
}

/** A reference catalog disagreeing with the provider's own value (the provider's value is served). */
export interface Conflict {
  /** `context_length` or `pricing.<key>` */
  field: string
  upstream: string | number
  reference: string | number
  source: string
}

/** Capability flags; absent = the upstream does not say. */
export interface Capabilities {
  tools?: boolean
  vision?: boolean
  reasoning?: boolean
  structured_output?: boolean
}
export const CAPABILITIES = ['tools', 'vision', 'reasoning', 'structured_output'] as const

/** A provider's announcement that a model goes away. */
export interface Deprecation {
  /** RFC 3339 date (or YYYY-MM-DD) of deprecation, when stated. */
  date: string | null
  /** Who says so: `upstream` (the provider's list), `models.dev`, `litellm`. Absent on rows written before it existed. */
  source?: string | null
  /** End of life: the date the model stops answering, when stated. */
  end_of_life: string | null
  replacement: string | null
}

/** What an adapter makes of one upstream item: everything the catalog stores about an offering. */
export interface OfferingInput {
  providerModelId: string
  name: string
  description?: string | null
  created?: number | null
  ownedBy?: string | null
  contextLength?: number | null
  maxOutputTokens?: number | null
  inputModalities?: string[] | null
  outputModalities?: string[] | null
  supportedParameters?: string[] | null
  capabilities?: Capabilities | null
  deprecation?: Deprecation | null
  /** Exact decimal strings, already converted to USD per token (see catalog/decimal.ts). */
  pricing: Pricing
  /** Conditional prices the upstream states (OpenRouter `pricing.overrides`). */
  priceTiers?: PriceTier[] | null
  /** Upstream fields worth passing through as they are (e.g. OpenRouter's top_provider). */
  extra?: Record<string, unknown> | null
}

/** The fields a reference catalog or an override may fill when the provider's own list lacks them. */
export interface UpstreamValues {
  contextLength: number | null
  maxOutputTokens: number | null
  inputModalities: string[] | null
  outputModalities: string[] | null
  capabilities: Capabilities | null
  pricing: Pricing
  /** Absent on rows written before these were kept. */
  priceTiers?: PriceTier[] | null
  created?: number | null
  deprecation?: Deprecation | null
}

/** Where a value came from. */
export type ValueSource = 'upstream' | 'override' | string
export type FieldSources = Partial<
  Record<'context_length' | 'max_output_tokens' | 'input_modalities' | 'output_modalities' | 'capabilities' | 'pricing' | 'pricing_tiers' | 'created' | 'deprecation', ValueSource>
>

/** A config override for one offering: highest precedence. */
export interface OfferingOverride {
  contextLength?: number
  maxOutputTokens?: number
  pricing?: Pricing
}

/** What identity rules know beyond the ids themselves (src/catalog/aliases.json, `[canonical]` in config). */
export interface IdentityData {
  /** organisation spelling → canonical organisation */
  orgs: Record<string, string>
  /** model-name prefix → organisation, for ids that name none */
  families: Record<string, string>
  /** path segments that are no organisation ("route/kimi-k2.6"): the model family names the org */
  namespaces: string[]
  /** canonical id → canonical id */
  models: Record<string, string>
}
