import { z } from 'zod'
import { optional, positiveInt as basePositiveInt, strings } from '../upstream/fields'
import { contextTier, readPrices } from '../upstream/prices'
import { VARIABLE_PRICE, type Capabilities, type Deprecation, type PriceTier, type Pricing } from '../domain/types'
import type { ReferenceEntry, ReferenceSource } from './types'

/**
 * models.dev provider ids → modelcat built-in ids, where they differ. Checked against every built-in
 * id of src/upstream/registry.ts and the provider keys of models.dev's api.json (2026-06-13).
 * Identical ids (openai, groq, alibaba, nvidia, vercel, zai, …) need no row. Not in models.dev:
 * featherless, sambanova, hyperbolic, lambda, kluster, nscale, parasail, heroku. `ollama-cloud` is
 * ollama.com's hosted API, not the local Ollama, and keeps its own id; so do the `-cn` and
 * coding-plan variants (other endpoints, other prices).
 */
export const MODELS_DEV_PROVIDER_MAP: Readonly<Record<string, string>> = {
  togetherai: 'together',
  'fireworks-ai': 'fireworks',
  'novita-ai': 'novita',
  google: 'gemini',
  moonshotai: 'moonshot',
  inference: 'inference-net',
}

const positiveInt = optional(basePositiveInt)
const bool = z.boolean().nullish().catch(null)

/** One model of a provider. Only its being an object is required; every field falls back to null. */
const Model = z.object({
  id: z.string().nullish().catch(null),
  name: z.string().nullish().catch(null),
  limit: z.object({ context: positiveInt, output: positiveInt }).nullish().catch(null),
  modalities: z.object({ input: strings, output: strings }).nullish().catch(null),
  cost: z.record(z.string(), z.unknown()).nullish().catch(null),
  tool_call: bool,
  release_date: z.string().nullish().catch(null),
  status: z.string().nullish().catch(null),
  reasoning: bool,
  structured_output: bool,
  attachment: bool,
})
type Model = z.infer<typeof Model>

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** models.dev cost fields (USD per 1M tokens) → OpenRouter's key names (USD per token); other numeric fields keep their names. */
const COST_NAMES: Readonly<Record<string, string>> = {
  input: 'prompt',
  output: 'completion',
  cache_read: 'input_cache_read',
  cache_write: 'input_cache_write',
  reasoning: 'internal_reasoning',
  input_audio: 'audio',
  output_audio: 'audio_output',
}
const NOT_PRICES = new Set(['tiers', 'context_over_200k', 'tier'])

/** A cost object (or a tier of one) in USD per token. A reference has no "variable": a negative value is no price. */
function costPrices(cost: unknown): Pricing {
  const out = readPrices(cost, { rename: COST_NAMES, exponent: -6, skip: NOT_PRICES })
  for (const [k, v] of Object.entries(out)) if (v === VARIABLE_PRICE) delete out[k]
  return out
}

/**
 * No `cost` object: unknown, not free. A `cost` object is models.dev's explicit statement (the field is
 * optional), so a 0 in it is "free".
 */
const pricingOf = (cost: Model['cost']): Pricing => (cost ? costPrices(cost) : {})

/**
 * `cost.tiers: [{input, output, …, tier: {type: "context", size}}]` → tiers over `size` prompt tokens;
 * without tiers, the older `cost.context_over_200k` → a tier over 200,000.
 */
function tiersOf(cost: Model['cost']): PriceTier[] {
  if (!cost) return []
  if (Array.isArray(cost.tiers)) {
    return cost.tiers.flatMap((t: unknown) => {
      const tier = (t as { tier?: { type?: unknown; size?: unknown } } | null)?.tier
      if (tier?.type !== 'context' || typeof tier.size !== 'number' || !(tier.size > 0)) return []
      return contextTier(tier.size, costPrices(t))
    })
  }
  return cost.context_over_200k ? contextTier(200_000, costPrices(cost.context_over_200k)) : []
}

/** `status: "deprecated"`: deprecated, date unknown. */
const deprecationOf = (m: Model): Deprecation | null => (m.status === 'deprecated' ? { date: null, end_of_life: null, replacement: null, source: 'models.dev' } : null)

/** `release_date` ("2024-10-22") → unix seconds. */
function releasedAt(date: string | null | undefined): number | null {
  const t = date ? Date.parse(date) : Number.NaN
  return Number.isFinite(t) ? Math.floor(t / 1000) : null
}

function capabilitiesOf(m: Model): Capabilities | null {
  const caps: Capabilities = {}
  if (typeof m.tool_call === 'boolean') caps.tools = m.tool_call
  if (typeof m.reasoning === 'boolean') caps.reasoning = m.reasoning
  if (typeof m.structured_output === 'boolean') caps.structured_output = m.structured_output
  if (m.modalities?.input) caps.vision = m.modalities.input.includes('image')
  return Object.keys(caps).length ? caps : null
}

/**
 * https://models.dev/api.json: `{ <provider>: { id, name, env, models: { <model id>: {…} } } }`,
 * prices in USD per 1M tokens. One entry per provider × model.
 */
export const modelsDev: ReferenceSource = {
  id: 'models.dev',
  name: 'models.dev',
  url: 'https://models.dev/api.json',
  attribution: 'models.dev (MIT), https://models.dev',
  parse(body) {
    if (!isRecord(body)) throw new Error(`models.dev: expected an object of providers, got ${Array.isArray(body) ? 'an array' : body === null ? 'null' : typeof body}`)
    const providers = Object.entries(body).filter(([, p]) => isRecord(p) && isRecord(p.models))
    if (providers.length === 0) throw new Error('models.dev: expected an object of providers ({ <provider>: { models: {…} } }), found none')
    const entries: ReferenceEntry[] = []
    // a value that is not a provider object counts as one skipped item: its models cannot be read
    let skipped = Object.keys(body).length - providers.length
    for (const [key, p] of providers) {
      const provider = MODELS_DEV_PROVIDER_MAP[key] ?? key
      for (const [modelId, raw] of Object.entries((p as { models: Record<string, unknown> }).models)) {
        const parsed = Model.safeParse(raw)
        if (!modelId || !parsed.success) {
          skipped++
          continue
        }
        const m = parsed.data
        entries.push({
          provider,
          modelId,
          name: m.name ?? null,
          contextLength: m.limit?.context ?? null,
          maxOutputTokens: m.limit?.output ?? null,
          inputModalities: m.modalities?.input ?? null,
          outputModalities: m.modalities?.output ?? null,
          capabilities: capabilitiesOf(m),
          pricing: pricingOf(m.cost),
          priceTiers: tiersOf(m.cost),
          deprecation: deprecationOf(m),
          releasedAt: releasedAt(m.release_date),
        })
      }
    }
    return { entries, skipped }
  },
}
