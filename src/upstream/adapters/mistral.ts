import { z } from 'zod'
import { date, flag } from '../fields'
import type { Capabilities, Deprecation } from '../../domain/types'
import { bearer, joinUrl, listItems, type Adapter } from '../adapter'

/**
 * Mistral GET /v1/models: OpenAI envelope; every alias is listed as its own item (with the name of
 * the model it points to). `capabilities` holds explicit booleans; `deprecation` is the date the
 * model goes away, with `deprecation_replacement_model` on newer lists.
 */
const Item = z.object({
  id: z.string().min(1),
  created: z.number().nullish().catch(null),
  owned_by: z.string().nullish().catch(null),
  name: z.string().nullish().catch(null),
  description: z.string().nullish().catch(null),
  type: z.string().nullish().catch(null),
  max_context_length: z.number().int().positive().nullish().catch(null),
  aliases: z.array(z.string()).nullish().catch(null),
  deprecation: date,
  deprecation_replacement_model: z.string().nullish().catch(null),
  default_model_temperature: z.number().nullish().catch(null),
  capabilities: z
    .object({
      completion_chat: flag,
      completion_fim: flag,
      function_calling: flag,
      fine_tuning: flag,
      vision: flag,
      classification: flag,
      reasoning: flag,
    })
    .nullish()
    .catch(null),
})
type Item = z.infer<typeof Item>

function capabilitiesOf(c: Item['capabilities']): Capabilities | null {
  const caps: Capabilities = {}
  // Mistral states these for every model: false is a stated "no", null/absent is unknown.
  if (c?.function_calling != null) caps.tools = c.function_calling
  if (c?.vision != null) caps.vision = c.vision
  if (c?.reasoning != null) caps.reasoning = c.reasoning
  return Object.keys(caps).length ? caps : null
}

function deprecationOf(m: Item): Deprecation | null {
  if (!m.deprecation) return null
  return { date: m.deprecation, end_of_life: null, replacement: m.deprecation_replacement_model || null }
}

export const mistralAdapter: Adapter<Item> = {
  id: 'mistral',
  async list(ctx) {
    return listItems(await ctx.getJson(joinUrl(ctx.baseUrl, '/models'), bearer(ctx.apiKey)))
  },
  item: Item,
  normalize(m) {
    const c = m.capabilities
    // Chat and FIM models take text (and images with vision) and write text. Embedding, moderation
    // and OCR models say neither, so their modalities stay unknown.
    const completes = c?.completion_chat === true || c?.completion_fim === true
    const extra: Record<string, unknown> = {}
    if (m.aliases?.length) extra.aliases = m.aliases
    if (m.type) extra.type = m.type
    if (m.default_model_temperature != null) extra.default_model_temperature = m.default_model_temperature
    if (c) extra.mistral_capabilities = Object.fromEntries(Object.entries(c).filter(([, v]) => v != null))
    return {
      providerModelId: m.id,
      name: m.name ?? m.id,
      description: m.description ?? null,
      created: m.created || null,
      ownedBy: m.owned_by ?? null,
      contextLength: m.max_context_length ?? null,
      inputModalities: completes ? (c?.vision ? ['text', 'image'] : ['text']) : null,
      outputModalities: completes ? ['text'] : null,
      capabilities: capabilitiesOf(c),
      deprecation: deprecationOf(m),
      pricing: {},
      extra: Object.keys(extra).length ? extra : null,
    }
  },
}
