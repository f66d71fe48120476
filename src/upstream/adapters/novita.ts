import { z } from 'zod'
import { positiveInt, strings } from '../fields'
import { shift, toDecimal } from '../../lib/decimal'
import type { Capabilities, Pricing } from '../../domain/types'
import { bearer, joinUrl, listItems, type Adapter } from '../adapter'

/** Novita's price unit: 1/10,000 USD per 1M tokens (630 = $0.063 per 1M). */
const price = z.number().nonnegative().nullish().catch(null)

/**
 * Novita GET /v3/openai/models: OpenAI envelope. The 2024 items carry `title`, `context_size`,
 * `status`, `tags` and integer prices; newer ones add `display_name`, `model_type`,
 * `max_output_tokens`, `features`, `input_modalities`/`output_modalities` and `is_tiered_billing`.
 */
const Item = z.object({
  id: z.string().min(1),
  created: z.number().nullish().catch(null),
  owned_by: z.string().nullish().catch(null),
  title: z.string().nullish().catch(null),
  display_name: z.string().nullish().catch(null),
  description: z.string().nullish().catch(null),
  model_type: z.string().nullish().catch(null),
  context_size: positiveInt.nullish().catch(null),
  max_output_tokens: positiveInt.nullish().catch(null),
  input_token_price_per_m: price,
  output_token_price_per_m: price,
  is_tiered_billing: z.boolean().nullish().catch(null),
  features: strings,
  input_modalities: strings,
  output_modalities: strings,
  tags: strings,
  status: z.number().nullish().catch(null),
})
type Item = z.infer<typeof Item>

/** Feature words → capability. Only positive evidence: a word that is missing is not a "no". */
const FEATURES: Record<string, keyof Capabilities> = {
  'function-calling': 'tools',
  reasoning: 'reasoning',
  'structured-outputs': 'structured_output',
}

/** 1/10,000 USD per 1M tokens → USD per token: a shift by 10^-10, exactly. */
const perToken = (value: number | null | undefined): string | null => {
  const d = value == null ? null : toDecimal(value)
  return d === null ? null : shift(d, -10)
}

function pricingOf(m: Item): Pricing {
  // A tiered model lists 0/0 here: its price depends on the prompt length, unknown, not free.
  if (m.is_tiered_billing) return {}
  const out: Pricing = {}
  const prompt = perToken(m.input_token_price_per_m)
  const completion = perToken(m.output_token_price_per_m)
  if (prompt !== null) out.prompt = prompt
  if (completion !== null) out.completion = completion
  return out
}

function capabilitiesOf(m: Item): Capabilities | null {
  const caps: Capabilities = {}
  for (const f of m.features ?? []) {
    const flag = FEATURES[f]
    if (flag) caps[flag] = true
  }
  if (m.input_modalities?.includes('image')) caps.vision = true
  return Object.keys(caps).length ? caps : null
}

export const novitaAdapter: Adapter<Item> = {
  id: 'novita',
  async list(ctx) {
    return listItems(await ctx.getJson(joinUrl(ctx.baseUrl, '/models'), bearer(ctx.apiKey)))
  },
  item: Item,
  normalize(m) {
    const extra: Record<string, unknown> = {}
    if (m.model_type) extra.model_type = m.model_type
    if (m.status != null) extra.status = m.status
    if (m.tags?.length) extra.tags = m.tags
    if (m.features?.length) extra.features = m.features
    if (m.is_tiered_billing) extra.is_tiered_billing = true
    return {
      providerModelId: m.id,
      name: m.display_name || m.title || m.id,
      description: m.description ?? null,
      created: m.created || null,
      ownedBy: m.owned_by && m.owned_by !== 'unknown' ? m.owned_by : null, // the 2024 list says "unknown" everywhere
      contextLength: m.context_size ?? null,
      maxOutputTokens: m.max_output_tokens ?? null,
      inputModalities: m.input_modalities ?? null,
      outputModalities: m.output_modalities ?? null,
      capabilities: capabilitiesOf(m),
      pricing: pricingOf(m),
      extra: Object.keys(extra).length ? extra : null,
    }
  },
}
