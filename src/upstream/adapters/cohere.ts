import { z } from 'zod'
import { strings } from '../fields'
import type { Capabilities } from '../../domain/types'
import { bearer, joinUrl, paginate, UpstreamError, withQuery, type Adapter } from '../adapter'

/** Cohere GET /v1/models (documented shape; `context_length` is typed "double" in the docs). */
const Item = z.object({
  name: z.string().min(1),
  is_deprecated: z.boolean().nullish().catch(null),
  endpoints: strings,
  default_endpoints: strings,
  finetuned: z.boolean().nullish().catch(null),
  context_length: z.number().int().positive().nullish().catch(null),
  tokenizer_url: z.string().nullish().catch(null),
  features: strings,
  supports_vision: z.boolean().nullish().catch(null),
})

const TOOLS = ['tools', 'strict_tools']
const STRUCTURED = ['json_mode', 'json_schema']

function capabilitiesOf(m: z.infer<typeof Item>): Capabilities | null {
  const caps: Capabilities = {}
  const features = m.features ?? []
  // Only positive evidence: a feature list without "tools" is not a statement that there are none.
  if (features.some((f) => TOOLS.includes(f))) caps.tools = true
  if (features.some((f) => STRUCTURED.includes(f))) caps.structured_output = true
  if (m.supports_vision != null) caps.vision = m.supports_vision
  return Object.keys(caps).length ? caps : null
}

/** Token paging: `page_size=1000`, then `page_token=<next_page_token>`; Bearer key. */
export const cohereAdapter: Adapter<z.infer<typeof Item>> = {
  id: 'cohere',
  async list(ctx) {
    const first = withQuery(joinUrl(ctx.baseUrl, '/models'), { page_size: 1000 })
    return paginate(
      ctx,
      first,
      (body) => {
        const { models, next_page_token: token } = (body ?? {}) as { models?: unknown; next_page_token?: unknown }
        if (!Array.isArray(models)) throw new UpstreamError('unexpected response shape: not a JSON object with a "models" array')
        return { items: models, next: typeof token === 'string' && token ? withQuery(first, { page_token: token }) : null }
      },
      bearer(ctx.apiKey),
    )
  },
  item: Item,
  normalize(m) {
    const extra: Record<string, unknown> = {}
    if (m.endpoints) extra.endpoints = m.endpoints
    if (m.default_endpoints?.length) extra.default_endpoints = m.default_endpoints
    if (m.features) extra.features = m.features
    if (m.finetuned) extra.finetuned = true
    if (m.tokenizer_url) extra.tokenizer_url = m.tokenizer_url
    return {
      providerModelId: m.name,
      name: m.name,
      description: null,
      created: null,
      ownedBy: m.finetuned ? null : 'cohere', // a fine-tune belongs to the account that made it
      contextLength: m.context_length ?? null,
      maxOutputTokens: null,
      inputModalities: null,
      outputModalities: null,
      capabilities: capabilitiesOf(m),
      deprecation: m.is_deprecated ? { date: null, end_of_life: null, replacement: null } : null,
      pricing: {},
      extra: Object.keys(extra).length ? extra : null,
    }
  },
}
