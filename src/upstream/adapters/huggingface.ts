import { z } from 'zod'
import { flag, strings } from '../fields'
import { perMillionToPerToken } from '../../lib/decimal'
import type { Capabilities, Pricing } from '../../domain/types'
import { bearer, joinUrl, listItems, type Adapter } from '../adapter'

const price = z.number().nonnegative().nullish().catch(null)

/** One inference provider serving the model behind the router; prices in USD per 1M tokens. */
const SubProvider = z.object({
  provider: z.string().min(1),
  status: z.string().nullish().catch(null),
  context_length: z.number().int().positive().nullish().catch(null),
  pricing: z.object({ input: price, output: price }).nullish().catch(null),
  supports_tools: flag,
  supports_structured_output: flag,
  is_model_author: flag,
})
type SubProvider = z.infer<typeof SubProvider>

/**
 * Hugging Face router GET /v1/models: OpenAI envelope; each model lists the providers that serve it
 * (`live` or `staging`). A provider entry that does not parse is dropped, never the whole model.
 */
const Item = z.object({
  id: z.string().min(1),
  created: z.number().nullish().catch(null),
  owned_by: z.string().nullish().catch(null),
  architecture: z.object({ input_modalities: strings, output_modalities: strings }).nullish().catch(null),
  providers: z
    .array(z.unknown())
    .transform((list) =>
      list.flatMap((p) => {
        const parsed = SubProvider.safeParse(p)
        return parsed.success ? [parsed.data] : []
      }),
    )
    .nullish()
    .catch(null),
})
type Item = z.infer<typeof Item>

const LIVE = 'live'

interface ProviderPrice {
  prompt: string | null
  completion: string | null
}

function priceOf(p: SubProvider): ProviderPrice | null {
  if (!p.pricing) return null
  return {
    prompt: p.pricing.input == null ? null : perMillionToPerToken(p.pricing.input),
    completion: p.pricing.output == null ? null : perMillionToPerToken(p.pricing.output),
  }
}

/** Exact decimal strings compare as numbers without arithmetic: canonical form, 15 significant digits. */
const byValue = (a: string | null, b: string | null) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : Number(a) - Number(b))

/** The cheapest live provider by prompt price, then completion price; ties keep the upstream order. */
function cheapest(live: SubProvider[]): { provider: string; price: ProviderPrice } | null {
  let best: { provider: string; price: ProviderPrice } | null = null
  for (const p of live) {
    const price = priceOf(p)
    if (!price || price.prompt === null) continue
    if (!best || byValue(price.prompt, best.price.prompt) < 0 || (byValue(price.prompt, best.price.prompt) === 0 && byValue(price.completion, best.price.completion) < 0)) {
      best = { provider: p.provider, price }
    }
  }
  return best
}

/** true if a live provider supports it, false if live providers state it and none does, else unknown. */
function anyLive(live: SubProvider[], key: 'supports_tools' | 'supports_structured_output'): boolean | undefined {
  const stated = live.map((p) => p[key]).filter((v): v is boolean => typeof v === 'boolean')
  return stated.length ? stated.includes(true) : undefined
}

function capabilitiesOf(m: Item, live: SubProvider[]): Capabilities | null {
  const caps: Capabilities = {}
  const tools = anyLive(live, 'supports_tools')
  const structured = anyLive(live, 'supports_structured_output')
  if (tools !== undefined) caps.tools = tools
  if (structured !== undefined) caps.structured_output = structured
  if (m.architecture?.input_modalities?.includes('image')) caps.vision = true
  return Object.keys(caps).length ? caps : null
}

export const huggingfaceAdapter: Adapter<Item> = {
  id: 'huggingface',
  async list(ctx) {
    return listItems(await ctx.getJson(joinUrl(ctx.baseUrl, '/models'), bearer(ctx.apiKey)))
  },
  item: Item,
  normalize(m) {
    const providers = m.providers ?? []
    const live = providers.filter((p) => p.status === LIVE)
    const contexts = live.map((p) => p.context_length).filter((n): n is number => n != null)
    const best = cheapest(live)
    const pricing: Pricing = {}
    if (best?.price.prompt != null) pricing.prompt = best.price.prompt
    if (best?.price.completion != null) pricing.completion = best.price.completion
    const extra: Record<string, unknown> = {}
    if (m.providers) {
      extra.providers = providers.map((p) => ({
        provider: p.provider,
        status: p.status ?? null,
        context_length: p.context_length ?? null,
        pricing: priceOf(p),
        supports_tools: p.supports_tools ?? null,
        supports_structured_output: p.supports_structured_output ?? null,
      }))
    }
    if (best) extra.pricing_provider = best.provider
    return {
      providerModelId: m.id,
      name: m.id,
      created: m.created || null,
      ownedBy: m.owned_by ?? null,
      contextLength: contexts.length ? Math.max(...contexts) : null,
      inputModalities: m.architecture?.input_modalities ?? null,
      outputModalities: m.architecture?.output_modalities ?? null,
      capabilities: capabilitiesOf(m, live),
      pricing,
      extra: Object.keys(extra).length ? extra : null,
    }
  },
}
