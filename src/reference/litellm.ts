import { z } from 'zod'
import { num, optional, positiveInt as basePositiveInt, strings } from '../upstream/fields'
import { readPrices } from '../upstream/prices'
import { VARIABLE_PRICE, type Capabilities, type Deprecation, type PriceTier, type Pricing } from '../domain/types'
import type { ReferenceEntry, ReferenceSource } from './types'

/**
 * LiteLLM `litellm_provider` values → modelcat built-in ids. Checked against every built-in id of
 * src/upstream/registry.ts and the providers of model_prices_and_context_window.json (2026-03-14).
 * Built-ins LiteLLM does not list: huggingface, requesty, upstage, chutes, siliconflow, scaleway,
 * venice, baseten, inference-net, kluster, parasail. `codestral` (codestral.mistral.ai, its own
 * endpoint and key) keeps its own id.
 */
export const LITELLM_PROVIDER_MAP: Readonly<Record<string, string>> = {
  openai: 'openai',
  'text-completion-openai': 'openai',
  anthropic: 'anthropic',
  gemini: 'gemini',
  mistral: 'mistral',
  xai: 'xai',
  deepseek: 'deepseek',
  cohere: 'cohere',
  cohere_chat: 'cohere',
  moonshot: 'moonshot',
  zai: 'zai',
  dashscope: 'alibaba',
  meta_llama: 'llama',
  groq: 'groq',
  together_ai: 'together',
  fireworks_ai: 'fireworks',
  'fireworks_ai-embedding-models': 'fireworks',
  deepinfra: 'deepinfra',
  featherless_ai: 'featherless',
  cerebras: 'cerebras',
  sambanova: 'sambanova',
  nebius: 'nebius',
  novita: 'novita',
  hyperbolic: 'hyperbolic',
  nvidia_nim: 'nvidia',
  lambda_ai: 'lambda',
  ovhcloud: 'ovhcloud',
  friendliai: 'friendli',
  nscale: 'nscale',
  heroku: 'heroku',
  openrouter: 'openrouter',
  vercel_ai_gateway: 'vercel',
  ollama: 'ollama',
}

/** Key prefixes that are LiteLLM's routing syntax, not part of the provider's model id. */
function prefixesOf(litellmProvider: string): string[] {
  const out = [litellmProvider]
  // `fireworks_ai-embedding-models`, `vertex_ai-language-models`, `text-completion-openai`, `cohere_chat`
  const dash = litellmProvider.indexOf('-')
  if (dash > 0) out.push(litellmProvider.slice(0, dash))
  if (litellmProvider.startsWith('text-completion-')) out.push(litellmProvider.slice('text-completion-'.length))
  if (litellmProvider.endsWith('_chat')) out.push(litellmProvider.slice(0, -'_chat'.length))
  return out
}

/** `groq/llama-3.3-70b-versatile` → `llama-3.3-70b-versatile`; `gpt-4o` stays. */
export function litellmModelId(key: string, litellmProvider: string): string {
  for (const prefix of prefixesOf(litellmProvider)) {
    if (key.length > prefix.length + 1 && key.startsWith(`${prefix}/`)) return key.slice(prefix.length + 1)
  }
  return key
}

const positiveInt = optional(basePositiveInt)
const bool = z.boolean().nullish().catch(null)

/** One entry. Required: an object naming its provider; every other field falls back to null. */
const Item = z.object({
  litellm_provider: z.string().min(1),
  mode: z.string().nullish().catch(null),
  /** DeepSeek-style spelling of the cache-read price; equal to cache_read_input_token_cost where both are set. */
  input_cost_per_token_cache_hit: num,
  /** `[{input_cost_per_token, output_cost_per_token, range: [from, to]}]` (prompt-token ranges) */
  tiered_pricing: z.array(z.unknown()).nullish().catch(null),
  deprecation_date: z.string().nullish().catch(null),
  max_input_tokens: positiveInt,
  max_output_tokens: positiveInt,
  max_tokens: positiveInt,
  supported_modalities: strings,
  supported_output_modalities: strings,
  supports_vision: bool,
  supports_function_calling: bool,
  supports_reasoning: bool,
  supports_response_schema: bool,
})
type Item = z.infer<typeof Item>

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** LiteLLM cost fields → OpenRouter's key names (units as LiteLLM states them: per token, per image, per request). */
export const LITELLM_PRICE_NAMES: Readonly<Record<string, string>> = {
  input_cost_per_token: 'prompt',
  output_cost_per_token: 'completion',
  cache_read_input_token_cost: 'input_cache_read',
  cache_creation_input_token_cost: 'input_cache_write',
  cache_creation_input_token_cost_above_1hr: 'input_cache_write_1h',
  output_cost_per_reasoning_token: 'internal_reasoning',
  input_cost_per_audio_token: 'audio',
  output_cost_per_audio_token: 'audio_output',
  cache_read_input_audio_token_cost: 'input_audio_cache',
  input_cost_per_image: 'image',
  output_cost_per_image: 'image_output',
  input_cost_per_image_token: 'image_token',
  input_cost_per_request: 'request',
}
/** `<field>_above_<N>k_tokens`: the field's price for prompts over N thousand tokens. */
const ABOVE = /^(.+)_above_(\d+)k_tokens$/
/** A cost field: its name says "cost"; the unit is in the name (`_per_token`, `_per_second`, `_per_image`, …). */
const isCost = (key: string) => key.includes('cost') && key !== 'tiered_pricing'

/**
 * LiteLLM fills 0 as the default of every cost field (sample_spec): an entry whose every price is 0
 * (`openrouter/openrouter/auto`: 0/0 for a router whose price varies) states nothing, unless its key says
 * free (`…:free`, `…-free`). A 0 beside real prices (DeepSeek's cache write) is a statement and kept.
 */
const saysFree = (key: string) => /(^|[^a-z])free($|[^a-z])/i.test(key)

function prices(raw: Record<string, unknown>, keepZero: boolean): Pricing {
  const out = readPrices(raw, { rename: LITELLM_PRICE_NAMES })
  for (const [k, v] of Object.entries(out)) if (v === VARIABLE_PRICE || (v === '0' && !keepZero)) delete out[k]
  return out
}

/**
 * Every cost field, already in USD per unit; toDecimal drops the float's binary noise (5.9e-07 → "0.00000059").
 * Known fields take OpenRouter's names; other cost fields (`input_cost_per_token_batches`,
 * `output_cost_per_second`, …) keep LiteLLM's, whose name states the unit. `_above_<N>k_tokens` fields
 * and `tiered_pricing` ranges become tiers.
 */
function pricingOf(key: string, raw: Record<string, unknown>, item: Item): { pricing: Pricing; tiers: PriceTier[] } {
  const keepZero = saysFree(key) || Object.entries(raw).some(([k, v]) => isCost(k) && typeof v === 'number' && v > 0)
  const base: Record<string, unknown> = {}
  const above = new Map<number, Record<string, unknown>>()
  for (const [k, v] of Object.entries(raw)) {
    if (!isCost(k) || typeof v !== 'number') continue
    const m = ABOVE.exec(k)
    if (m) {
      const over = Number(m[2]) * 1000
      if (!above.has(over)) above.set(over, {})
      above.get(over)![m[1]!] = v
    } else if (k !== 'input_cost_per_token_cache_hit') base[k] = v
  }
  const pricing = prices(base, keepZero)
  if (pricing.input_cache_read === undefined && typeof item.input_cost_per_token_cache_hit === 'number') {
    Object.assign(pricing, prices({ cache_read_input_token_cost: item.input_cost_per_token_cache_hit }, keepZero))
  }
  const tiers: PriceTier[] = []
  for (const r of item.tiered_pricing ?? []) {
    const range = (r as { range?: unknown } | null)?.range
    if (!Array.isArray(range) || typeof range[0] !== 'number') continue
    const p = prices(Object.fromEntries(Object.entries(r as Record<string, unknown>).filter(([k]) => isCost(k))), keepZero)
    if (range[0] > 0) {
      if (Object.keys(p).length) tiers.push({ conditions: { min_prompt_tokens: range[0] }, pricing: p })
    } else for (const [k, v] of Object.entries(p)) pricing[k] ??= v // the first range is the base price
  }
  for (const [over, fields] of [...above].sort((a, b) => a[0] - b[0])) {
    const p = prices(fields, keepZero)
    if (Object.keys(p).length) tiers.push({ conditions: { min_prompt_tokens: over }, pricing: p })
  }
  return { pricing, tiers }
}

function deprecationOf(item: Item): Deprecation | null {
  const d = item.deprecation_date
  return d && !Number.isNaN(Date.parse(d)) ? { date: d, end_of_life: null, replacement: null, source: 'litellm' } : null
}

function capabilitiesOf(item: Item): Capabilities | null {
  const caps: Capabilities = {}
  if (typeof item.supports_function_calling === 'boolean') caps.tools = item.supports_function_calling
  if (typeof item.supports_vision === 'boolean') caps.vision = item.supports_vision
  if (typeof item.supports_reasoning === 'boolean') caps.reasoning = item.supports_reasoning
  if (typeof item.supports_response_schema === 'boolean') caps.structured_output = item.supports_response_schema
  return Object.keys(caps).length ? caps : null
}

/** Modes whose models produce no tokens: their legacy `max_tokens` can only be an input limit. */
const INPUT_ONLY_MODES = new Set(['embedding', 'rerank', 'moderation'])

/**
 * Context window: max_input_tokens. `max_tokens` is LEGACY and per sample_spec holds the output
 * limit when the provider states one, so it is read as the context only for input-only modes.
 */
function contextOf(item: Item): number | null {
  if (item.max_input_tokens) return item.max_input_tokens
  if (item.max_tokens && item.mode && INPUT_ONLY_MODES.has(item.mode)) return item.max_tokens
  return null
}

/**
 * BerriAI/litellm model_prices_and_context_window.json: `{ <key>: { litellm_provider, mode,
 * input_cost_per_token, … } }`, prices in USD per token (floats). `sample_spec` documents the
 * fields and is not a model.
 */
export const litellm: ReferenceSource = {
  id: 'litellm',
  name: 'LiteLLM',
  url: 'https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json',
  attribution: 'LiteLLM model_prices_and_context_window.json (MIT), BerriAI/litellm',
  parse(body) {
    if (!isRecord(body)) throw new Error(`litellm: expected an object of models, got ${Array.isArray(body) ? 'an array' : body === null ? 'null' : typeof body}`)
    const entries: ReferenceEntry[] = []
    /** (provider, lowercased id) → index in entries: the store keys rows that way, so one row each. */
    const seen = new Map<string, { at: number; prefixed: boolean }>()
    let skipped = 0
    for (const [key, raw] of Object.entries(body)) {
      if (key === 'sample_spec') continue
      const parsed = Item.safeParse(raw)
      if (!key || !parsed.success) {
        skipped++
        continue
      }
      const item = parsed.data
      const { pricing, tiers } = pricingOf(key, raw as Record<string, unknown>, item)
      const entry: ReferenceEntry = {
        provider: LITELLM_PROVIDER_MAP[item.litellm_provider] ?? item.litellm_provider,
        modelId: litellmModelId(key, item.litellm_provider),
        contextLength: contextOf(item),
        maxOutputTokens: item.max_output_tokens ?? null,
        inputModalities: item.supported_modalities ?? null,
        outputModalities: item.supported_output_modalities ?? null,
        capabilities: capabilitiesOf(item),
        pricing,
        priceTiers: tiers,
        deprecation: deprecationOf(item),
      }
      // Same model twice (`deepseek-chat` and `deepseek/deepseek-chat`; cohere and cohere_chat):
      // the key that carries the provider prefix is LiteLLM's current spelling and wins; else the first.
      const dedupKey = `${entry.provider}\u0000${entry.modelId.toLowerCase()}`
      const prefixed = key !== entry.modelId
      const prior = seen.get(dedupKey)
      if (prior === undefined) {
        seen.set(dedupKey, { at: entries.length, prefixed })
        entries.push(entry)
      } else if (prefixed && !prior.prefixed) {
        entries[prior.at] = entry
        prior.prefixed = true
      }
    }
    if (entries.length === 0 && skipped > 0) throw new Error('litellm: no entry has a litellm_provider; not a LiteLLM model_prices_and_context_window.json body')
    return { entries, skipped }
  },
}
