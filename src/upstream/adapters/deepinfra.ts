import { z } from 'zod'
import { positiveInt } from '../fields'
import { perMillionToPerToken } from '../../lib/decimal'
import type { Capabilities, Pricing } from '../../domain/types'
import { bearer, joinUrl, listItems, type Adapter } from '../adapter'

const price = z.number().nonnegative().nullish().catch(null)

/**
 * DeepInfra GET /v1/openai/models: the OpenAI envelope plus `metadata` (null for image, embedding and
 * other non-chat models) with limits, prices in USD per 1M tokens (binary noise such as
 * 0.020000000000000004 included) and feature tags.
 */
const Item = z.object({
  id: z.string().min(1),
  created: z.number().nullish().catch(null),
  owned_by: z.string().nullish().catch(null),
  metadata: z
    .object({
      description: z.string().nullish().catch(null),
      context_length: positiveInt.nullish().catch(null),
      max_tokens: positiveInt.nullish().catch(null),
      pricing: z.object({ input_tokens: price, output_tokens: price, cache_read_tokens: price }).nullish().catch(null),
      tags: z.array(z.string()).nullish().catch(null),
    })
    .nullish()
    .catch(null),
})
type Item = z.infer<typeof Item>

/**
 * Tags seen in the 2026-03 capture: `vision`, `reasoning_effort`, `prompt_cache`. `reasoning_effort`
 * (the model takes the reasoning_effort parameter) is DeepInfra's only reasoning marker; the other
 * names are kept for when DeepInfra uses them. Only positive evidence: a missing tag is not a "no"
 * (Kimi-K2-Thinking has no reasoning tag). `prompt_cache` shows as the input_cache_read price.
 */
const TAG_CAPABILITIES: Record<string, keyof Capabilities> = {
  vision: 'vision',
  reasoning: 'reasoning',
  reasoning_effort: 'reasoning',
  function_calling: 'tools',
  tools: 'tools',
  json_mode: 'structured_output',
  structured_output: 'structured_output',
}

function pricingOf(p: NonNullable<Item['metadata']>['pricing']): Pricing {
  const out: Pricing = {}
  const set = (component: keyof Pricing, perMillion: number | null | undefined) => {
    const value = perMillion == null ? null : perMillionToPerToken(perMillion) // missing = unknown, never "0"
    if (value !== null) out[component] = value
  }
  set('prompt', p?.input_tokens)
  set('completion', p?.output_tokens)
  set('input_cache_read', p?.cache_read_tokens)
  return out
}

function capabilitiesOf(tags: string[] | null | undefined): Capabilities | null {
  const caps: Capabilities = {}
  for (const tag of tags ?? []) {
    const flag = TAG_CAPABILITIES[tag]
    if (flag) caps[flag] = true
  }
  return Object.keys(caps).length ? caps : null
}

export const deepinfraAdapter: Adapter<Item> = {
  id: 'deepinfra',
  async list(ctx) {
    return listItems(await ctx.getJson(joinUrl(ctx.baseUrl, '/models'), bearer(ctx.apiKey)))
  },
  item: Item,
  normalize(m) {
    const meta = m.metadata
    const tags = meta?.tags
    // Only chat models carry metadata (every null-metadata item of the capture is an image, embedding
    // or other non-chat model), and their tags mark image input: with tags, text (+ image) in, text out.
    const input = tags ? (tags.includes('vision') ? ['text', 'image'] : ['text']) : null
    const extra: Record<string, unknown> = {}
    if (tags?.length) extra.tags = tags
    return {
      providerModelId: m.id,
      name: m.id,
      description: meta?.description ?? null,
      created: m.created || null, // DeepInfra sends 0: unknown, not 1970
      // owned_by is always "deepinfra" (the host); the author is the id's namespace
      ownedBy: m.id.includes('/') ? m.id.split('/')[0]! : (m.owned_by ?? null),
      contextLength: meta?.context_length ?? null,
      maxOutputTokens: meta?.max_tokens ?? null,
      inputModalities: input,
      outputModalities: input && ['text'],
      capabilities: capabilitiesOf(tags),
      pricing: pricingOf(meta?.pricing),
      extra: Object.keys(extra).length ? extra : null,
    }
  },
}
