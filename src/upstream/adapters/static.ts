import { z } from 'zod'
import { toDecimal } from '../../lib/decimal'
import { PRICE_COMPONENTS, type Pricing } from '../../domain/types'
import type { Adapter } from '../adapter'

const strings = z.array(z.string()).nullish()

/**
 * Models declared in the TOML config, for self-hosted endpoints that cannot list:
 * `[providers.x] adapter = "static"` + `models = [{ id = "…", context_length = …, pricing = { prompt = "0.000001" } }]`.
 * Prices in USD per token, like the API (strings keep them exact).
 */
const Item = z.object({
  id: z.string().min(1),
  name: z.string().nullish(),
  description: z.string().nullish(),
  owned_by: z.string().nullish(),
  context_length: z.number().int().positive().nullish(),
  max_output_tokens: z.number().int().positive().nullish(),
  input_modalities: strings,
  output_modalities: strings,
  supported_parameters: strings,
  pricing: z.record(z.string(), z.union([z.string(), z.number()])).nullish(),
})

function pricingOf(raw: Record<string, string | number> | null | undefined): Pricing {
  const out: Pricing = {}
  for (const c of PRICE_COMPONENTS) {
    const v = toDecimal(raw?.[c])
    if (v !== null && !v.startsWith('-')) out[c] = v
  }
  return out
}

export const staticAdapter: Adapter<z.infer<typeof Item>> = {
  id: 'static',
  async list(ctx) {
    return ctx.staticModels ?? []
  },
  item: Item,
  normalize(m) {
    return {
      providerModelId: m.id,
      name: m.name ?? m.id,
      description: m.description ?? null,
      ownedBy: m.owned_by ?? null,
      contextLength: m.context_length ?? null,
      maxOutputTokens: m.max_output_tokens ?? null,
      inputModalities: m.input_modalities ?? null,
      outputModalities: m.output_modalities ?? null,
      supportedParameters: m.supported_parameters ?? null,
      pricing: pricingOf(m.pricing),
    }
  },
}
