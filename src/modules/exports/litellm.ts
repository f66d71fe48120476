import type { OfferingRow } from '../../catalog/rows'
import { VARIABLE_PRICE } from '../../domain/types'
import { LITELLM_PRICE_NAMES, LITELLM_PROVIDER_MAP } from '../../reference/litellm'

/**
 * The catalog in LiteLLM's model_prices_and_context_window.json format: one entry per offering, keyed
 * `<litellm_provider>/<provider_model_id>`, prices in USD per unit as JSON numbers. What the format cannot
 * say is left out, never written as 0: a variable price, a price key without a LiteLLM name, a time-of-day tier.
 */

/** modelcat provider id → LiteLLM's `litellm_provider` (the first LiteLLM spelling of each; else the id itself). */
const PROVIDER: Record<string, string> = {}
for (const [litellm, id] of Object.entries(LITELLM_PROVIDER_MAP)) PROVIDER[id] ??= litellm
/** OpenRouter price key → LiteLLM field. */
const FIELD: Record<string, string> = {}
for (const [field, key] of Object.entries(LITELLM_PRICE_NAMES)) FIELD[key] ??= field

export const litellmProviderOf = (provider: string) => PROVIDER[provider] ?? provider

const INPUT = new Set(['text', 'image', 'audio', 'video'])
const OUTPUT = new Set(['text', 'image', 'audio', 'video', 'code'])
const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/

/** The LiteLLM field of a price key: its LiteLLM name, or the key itself when it already is a LiteLLM cost field; else none. */
const fieldOf = (key: string) => FIELD[key] ?? (key.includes('cost') ? key : undefined)

function modeOf(row: OfferingRow): string {
  const out = row.outputModalities ?? []
  if (out.includes('embeddings') || out.includes('embedding')) return 'embedding'
  if (out.length && !out.includes('text')) {
    if (out.includes('image')) return 'image_generation'
    if (out.includes('audio')) return 'audio_speech'
  }
  return 'chat'
}

export function litellmEntry(row: OfferingRow): [string, Record<string, unknown>] {
  const provider = litellmProviderOf(row.providerId)
  const e: Record<string, unknown> = { litellm_provider: provider, mode: modeOf(row) }
  if (row.contextLength) e.max_input_tokens = row.contextLength
  if (row.maxOutputTokens) e.max_output_tokens = row.maxOutputTokens
  const legacy = row.maxOutputTokens ?? row.contextLength
  if (legacy) e.max_tokens = legacy
  for (const [key, value] of Object.entries(row.pricing)) {
    const field = fieldOf(key)
    if (field && value !== VARIABLE_PRICE) e[field] = Number(value)
  }
  for (const tier of row.priceTiers ?? []) {
    const c = tier.conditions
    // only prompt-size tiers over a whole number of thousands have a LiteLLM spelling (`…_above_<N>k_tokens`)
    if (c.min_prompt_tokens === undefined || c.min_prompt_tokens % 1000 !== 0 || c.utc_days || c.utc_start !== undefined || c.utc_end !== undefined) continue
    for (const [key, value] of Object.entries(tier.pricing)) {
      const field = fieldOf(key)
      if (field && value !== VARIABLE_PRICE) e[`${field}_above_${c.min_prompt_tokens / 1000}k_tokens`] = Number(value)
    }
  }
  const caps = row.capabilities ?? {}
  if (caps.tools !== undefined) e.supports_function_calling = caps.tools
  if (caps.vision !== undefined) e.supports_vision = caps.vision
  if (caps.reasoning !== undefined) e.supports_reasoning = caps.reasoning
  if (caps.structured_output !== undefined) e.supports_response_schema = caps.structured_output
  if (row.pricing.input_cache_read !== undefined && row.pricing.input_cache_read !== VARIABLE_PRICE) e.supports_prompt_caching = true
  const inputs = row.inputModalities?.filter((m) => INPUT.has(m))
  if (inputs?.length) e.supported_modalities = inputs
  const outputs = row.outputModalities?.filter((m) => OUTPUT.has(m))
  if (outputs?.length) e.supported_output_modalities = outputs
  const date = (row.deprecation?.date ?? row.deprecation?.end_of_life)?.slice(0, 10)
  if (date && DATE.test(date)) e.deprecation_date = date
  e.metadata = { modelcat_id: row.id, canonical_id: row.canonicalId }
  return [`${provider}/${row.providerModelId}`, e]
}

/** The whole export: `{ <key>: entry }`, keys in offering order (the first offering of a key wins). */
export function toLitellm(rows: OfferingRow[]): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {}
  for (const row of rows) {
    const [key, entry] = litellmEntry(row)
    out[key] ??= entry
  }
  return out
}
