import { z } from 'zod'
import { perMillionToPerToken } from '../../lib/decimal'
import type { Pricing } from '../../domain/types'
import { bearer, joinUrl, listItems, type Adapter } from '../adapter'

/** Together GET /v1/models: a bare array; `pricing.input/output` in USD per 1M tokens. */
const Item = z.object({
  id: z.string().min(1),
  created: z.number().nullish().catch(null),
  type: z.string().nullish().catch(null),
  display_name: z.string().nullish().catch(null),
  organization: z.string().nullish().catch(null),
  context_length: z.number().int().nullish().catch(null),
  link: z.string().nullish().catch(null),
  license: z.string().nullish().catch(null),
  pricing: z
    .object({ input: z.number().nullish().catch(null), output: z.number().nullish().catch(null) })
    .nullish()
    .catch(null),
})

/** Model type → [input, output] modalities. Token prices are only meaningful for the token-based types. */
const MODALITIES: Record<string, [string[], string[]]> = {
  chat: [['text'], ['text']],
  language: [['text'], ['text']],
  code: [['text'], ['text']],
  moderation: [['text'], ['text']],
  embedding: [['text'], ['embeddings']],
  rerank: [['text'], ['text']],
  image: [['text'], ['image']],
  video: [['text'], ['video']],
  audio: [['text'], ['audio']],
  transcribe: [['audio'], ['text']],
}
const TOKEN_PRICED = new Set(['chat', 'language', 'code', 'moderation', 'embedding', 'rerank'])

function pricingOf(m: z.infer<typeof Item>): Pricing {
  const { input, output } = m.pricing ?? {}
  // Together reports 0/0 for models without a serverless price (dedicated endpoints only): that is
  // "unknown", not "free", so it is left out.
  if (!TOKEN_PRICED.has(m.type ?? '') || (!input && !output)) return {}
  const out: Pricing = {}
  const prompt = input == null ? null : perMillionToPerToken(input) // a missing price is unknown, never "0"
  const completion = output == null ? null : perMillionToPerToken(output)
  if (prompt !== null) out.prompt = prompt
  if (completion !== null) out.completion = completion
  return out
}

export const togetherAdapter: Adapter<z.infer<typeof Item>> = {
  id: 'together',
  async list(ctx) {
    return listItems(await ctx.getJson(joinUrl(ctx.baseUrl, '/models'), bearer(ctx.apiKey)))
  },
  item: Item,
  normalize(m) {
    const [input, output] = MODALITIES[m.type ?? ''] ?? [null, null]
    const extra: Record<string, unknown> = {}
    if (m.type) extra.type = m.type
    if (m.link) extra.link = m.link
    if (m.license) extra.license = m.license
    return {
      providerModelId: m.id,
      name: m.display_name ?? m.id,
      created: m.created || null,
      ownedBy: m.organization ?? null,
      contextLength: m.context_length && m.context_length > 0 ? m.context_length : null,
      inputModalities: input,
      outputModalities: output,
      pricing: pricingOf(m),
      extra: Object.keys(extra).length ? extra : null,
    }
  },
}
