import { z } from 'zod'
import { strings } from '../fields'
import { readPrices, tiersFromOverrides } from '../prices'
import { bearer, joinUrl, listItems, type Adapter } from '../adapter'

/**
 * OpenRouter GET /api/v1/models (2024, 2025 and 2026 schemas). Prices are already USD per token strings
 * (per request / image / web search for those keys); the 2026 schema (@openrouter/sdk PublicPricing)
 * adds price keys, `pricing.overrides` (conditional tiers) and `expiration_date`.
 */
const Item = z.object({
  id: z.string().min(1),
  name: z.string().nullish().catch(null),
  created: z.number().nullish().catch(null),
  description: z.string().nullish().catch(null),
  context_length: z.number().int().positive().nullish().catch(null),
  canonical_slug: z.string().nullish().catch(null),
  hugging_face_id: z.string().nullish().catch(null),
  architecture: z
    .object({
      modality: z.string().nullish().catch(null),
      input_modalities: strings,
      output_modalities: strings,
      tokenizer: z.string().nullish().catch(null),
      instruct_type: z.string().nullish().catch(null),
    })
    .nullish()
    .catch(null),
  pricing: z.record(z.string(), z.unknown()).nullish().catch(null),
  top_provider: z
    .object({
      context_length: z.number().nullish().catch(null),
      max_completion_tokens: z.number().nullish().catch(null),
      is_moderated: z.boolean().nullish().catch(null),
    })
    .nullish()
    .catch(null),
  per_request_limits: z.record(z.string(), z.unknown()).nullish().catch(null),
  supported_parameters: strings,
  /** YYYY-MM-DD after which the model may be removed (2026 schema). */
  expiration_date: z.string().nullish().catch(null),
})

/** Not prices: `overrides` (tiers, read apart) and `discount` (a fraction, passed through in `extra`). */
const NOT_PRICES = new Set(['overrides', 'discount'])

/** "text+image->text" → [["text","image"],["text"]] for the 2024 schema that has no modality arrays. */
function splitModality(modality: string | null | undefined): [string[] | null, string[] | null] {
  const m = modality?.split('->')
  if (m?.length !== 2) return [null, null]
  return [m[0]!.split('+'), m[1]!.split('+')]
}

export const openrouterAdapter: Adapter<z.infer<typeof Item>> = {
  id: 'openrouter',
  async list(ctx) {
    return listItems(await ctx.getJson(joinUrl(ctx.baseUrl, '/models'), bearer(ctx.apiKey)))
  },
  item: Item,
  normalize(m) {
    const arch = m.architecture
    const [inFromModality, outFromModality] = splitModality(arch?.modality)
    const extra: Record<string, unknown> = {}
    if (m.canonical_slug) extra.canonical_slug = m.canonical_slug
    if (m.hugging_face_id) extra.hugging_face_id = m.hugging_face_id
    if (arch) extra.architecture = arch
    if (m.top_provider) extra.top_provider = m.top_provider
    if (m.per_request_limits) extra.per_request_limits = m.per_request_limits
    if (typeof m.pricing?.discount === 'number') extra.pricing_discount = m.pricing.discount
    const expires = m.expiration_date && !Number.isNaN(Date.parse(m.expiration_date)) ? m.expiration_date : null
    return {
      providerModelId: m.id,
      name: m.name ?? m.id,
      description: m.description ?? null,
      created: m.created ?? null,
      ownedBy: m.id.includes('/') ? m.id.split('/')[0]! : null,
      contextLength: m.context_length ?? m.top_provider?.context_length ?? null,
      maxOutputTokens: m.top_provider?.max_completion_tokens ?? null,
      inputModalities: arch?.input_modalities ?? inFromModality,
      outputModalities: arch?.output_modalities ?? outFromModality,
      supportedParameters: m.supported_parameters ?? null,
      // every numeric key, known or not; "-1" (routers) is kept as variable
      pricing: readPrices(m.pricing, { skip: NOT_PRICES }),
      priceTiers: tiersFromOverrides(m.pricing?.overrides),
      deprecation: expires ? { date: expires, end_of_life: expires, replacement: null } : null,
      extra: Object.keys(extra).length ? extra : null,
    }
  },
}
