import type { Capabilities, Deprecation, PriceTier, Pricing } from '../domain/types'

/**
 * One model of a reference catalog (models.dev, LiteLLM), in modelcat's units: what it says about a
 * model at one provider. Used to fill what a provider's own list lacks.
 */
export interface ReferenceEntry {
  /** modelcat's provider id when the source's provider maps to a built-in one, else the source's own id. */
  provider: string
  /** The model id as that provider's own list names it (what an offering's provider_model_id would be). */
  modelId: string
  /** Display name, when the source gives one (used by the bootstrap catalog). */
  name?: string | null
  contextLength?: number | null
  maxOutputTokens?: number | null
  inputModalities?: string[] | null
  outputModalities?: string[] | null
  capabilities?: Capabilities | null
  /** USD per token exact decimal strings (per request / per image for those components). */
  pricing: Pricing
  /** Conditional prices (long-context tiers), same units. */
  priceTiers?: PriceTier[] | null
  /** The reference's word that the model is deprecated (source set). */
  deprecation?: Deprecation | null
  /** Unix seconds: the model's release date. */
  releasedAt?: number | null
}

/** A reference catalog: where it lives and how its body becomes entries. */
export interface ReferenceSource {
  /** `models.dev` | `litellm`: also the `source` recorded on every value it fills. */
  id: string
  name: string
  url: string
  /** Its licence and attribution, shown in /v1/providers and the README. */
  attribution: string
  parse(body: unknown): { entries: ReferenceEntry[]; skipped: number }
}
