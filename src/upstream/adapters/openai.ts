import { z } from 'zod'
import { positiveInt } from '../fields'
import { bearer, joinUrl, listItems, type Adapter } from '../adapter'
import { readPrices, tiersFromOverrides } from '../prices'
import type { Pricing } from '../../domain/types'

const tokens = positiveInt.nullish().catch(null)
const record = z.record(z.string(), z.unknown()).nullish().catch(null)

/** Spellings of the context window seen in OpenAI-compatible lists, first found wins. */
const CONTEXT_KEYS = ['context_length', 'context_window', 'max_context_length', 'max_model_len', 'max_input_tokens', 'input_token_limit'] as const
/** Spellings of the output limit. `max_tokens` last: some lists use it for the context. */
const OUTPUT_KEYS = ['max_output_tokens', 'max_completion_tokens', 'output_token_limit', 'max_tokens'] as const
/** Nested limit objects: `limits: {context, output, …}` and OpenRouter-style `top_provider`. */
const NESTED_CONTEXT = [...CONTEXT_KEYS, 'context', 'input'] as const
const NESTED_OUTPUT = [...OUTPUT_KEYS, 'output', 'completion'] as const

/**
 * Fields seen in real OpenAI-compatible lists beyond OpenAI's own four (id, object, created, owned_by):
 * Groq `context_window` + `max_completion_tokens`, vLLM `max_model_len`, Mistral `max_context_length`,
 * Nebius/Fireworks `context_length`, Gemini-style `input_token_limit`/`output_token_limit`, nested
 * `limits`/`top_provider` objects, HF router `architecture` modalities, display names, and price objects.
 * Anything else is ignored, never an error.
 */
const Item = z
  .object({
    id: z.string().min(1),
    created: z.number().nullish().catch(null),
    owned_by: z.string().nullish().catch(null),
    name: z.string().nullish().catch(null),
    display_name: z.string().nullish().catch(null),
    description: z.string().nullish().catch(null),
    ...Object.fromEntries([...CONTEXT_KEYS, ...OUTPUT_KEYS].map((k) => [k, tokens])),
    limits: record,
    top_provider: record,
    pricing: record,
    architecture: z
      .object({ input_modalities: z.array(z.string()).nullish().catch(null), output_modalities: z.array(z.string()).nullish().catch(null) })
      .nullish()
      .catch(null),
  })
  .transform((m) => m as typeof m & Partial<Record<(typeof CONTEXT_KEYS)[number] | (typeof OUTPUT_KEYS)[number], number | null>>)
type Item = z.infer<typeof Item>

const firstTokens = (o: Record<string, unknown> | null | undefined, keys: readonly string[]): number | null => {
  for (const k of keys) {
    const v = o?.[k]
    if (typeof v === 'number' && Number.isInteger(v) && v > 0) return v
  }
  return null
}

/**
 * Price object spellings → OpenRouter's key names. Values are USD per token (OpenRouter's and Vercel's
 * convention), except keys spelled per million (`input_per_million`, `*_per_1m`, `*_per_m`), which are
 * shifted by 10⁻⁶. Every other numeric key is carried under its own name.
 */
const RENAME: Record<string, string> = { input: 'prompt', output: 'completion', cache_read: 'input_cache_read', cache_write: 'input_cache_write', reasoning: 'internal_reasoning' }
const PER_MILLION = /^(.*?)_(?:per_million|per_1m|per_m|per_mtok)(?:_tokens)?$/

function pricingOf(raw: Record<string, unknown> | null | undefined): Pricing {
  if (!raw) return {}
  const perToken: Record<string, unknown> = {}
  const perMillion: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(raw)) {
    const m = PER_MILLION.exec(k)
    if (m) perMillion[m[1]!] = v
    else perToken[k] = v
  }
  return { ...readPrices(perMillion, { rename: RENAME, exponent: -6 }), ...readPrices(perToken, { rename: RENAME, skip: new Set(['overrides', 'discount']) }) }
}

/** The generic adapter: GET {base_url}/models with a Bearer key. */
export const openaiAdapter: Adapter<Item> = {
  id: 'openai',
  async list(ctx) {
    return listItems(await ctx.getJson(joinUrl(ctx.baseUrl, '/models'), bearer(ctx.apiKey)))
  },
  item: Item,
  normalize(m) {
    const flat = m as unknown as Record<string, unknown>
    const tiers = tiersFromOverrides(m.pricing?.overrides)
    return {
      providerModelId: m.id,
      name: m.display_name ?? m.name ?? m.id,
      description: m.description ?? null,
      created: m.created || null, // Cerebras and DeepInfra send 0: unknown, not 1970
      ownedBy: m.owned_by ?? null,
      // Groq's context_window before context_length, as before; then nested objects
      contextLength: firstTokens(flat, ['context_window', ...CONTEXT_KEYS]) ?? firstTokens(m.limits, NESTED_CONTEXT) ?? firstTokens(m.top_provider, NESTED_CONTEXT),
      maxOutputTokens: firstTokens(flat, OUTPUT_KEYS) ?? firstTokens(m.limits, NESTED_OUTPUT) ?? firstTokens(m.top_provider, NESTED_OUTPUT),
      inputModalities: m.architecture?.input_modalities ?? null,
      outputModalities: m.architecture?.output_modalities ?? null,
      pricing: pricingOf(m.pricing),
      ...(tiers.length ? { priceTiers: tiers } : {}),
    }
  },
}
