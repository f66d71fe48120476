/** Price components, named as in OpenRouter's `pricing` object. Values: USD per token (per request/image for those). */
export const PRICE_COMPONENTS = ['prompt', 'completion', 'request', 'image', 'web_search', 'internal_reasoning', 'input_cache_read', 'input_cache_write'] as const
export type PriceComponent = (typeof PRICE_COMPONENTS)[number]
export type Pricing = Partial<Record<PriceComponent, string>>

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
  /** RFC 3339 date of deprecation, when stated. */
  date: string | null
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
}

/** Where a value came from. */
export type ValueSource = 'upstream' | 'override' | string
export type FieldSources = Partial<Record<'context_length' | 'max_output_tokens' | 'input_modalities' | 'output_modalities' | 'capabilities' | 'pricing', ValueSource>>

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
