import { z } from 'zod'
import type { Capabilities } from '../../domain/types'
import { positiveInt } from '../fields'
import { joinUrl, listItems, paginate, UpstreamError, withQuery, type Adapter } from '../adapter'

/** `{supported: boolean, …nested}`: one capability of the 2026 schema. */
const Supported = z.object({ supported: z.boolean() }).passthrough().nullish().catch(null)

/**
 * Anthropic GET /v1/models: `{type:"model", id, display_name, created_at}`; the 2026 schema adds
 * `max_input_tokens` (the context window), `max_tokens` (most output tokens) and `capabilities`
 * (`{image_input: {supported}, structured_outputs: {supported}, thinking: {supported}, …}`). No prices.
 * `created_at` must be RFC 3339 to count.
 */
const Item = z.object({
  id: z.string().min(1),
  type: z.string().nullish().catch(null),
  display_name: z.string().nullish().catch(null),
  created_at: z.iso.datetime({ offset: true }).nullish().catch(null),
  max_input_tokens: positiveInt.nullish().catch(null),
  max_tokens: positiveInt.nullish().catch(null),
  capabilities: z.object({ image_input: Supported, structured_outputs: Supported, thinking: Supported }).passthrough().nullish().catch(null),
})

/** Anthropic's capability objects → modelcat's flags (only those it states); the whole object passes through as `provider_capabilities`. */
function capabilitiesOf(c: z.infer<typeof Item>['capabilities']): Capabilities | null {
  if (!c) return null
  const caps: Capabilities = {}
  if (c.image_input) caps.vision = c.image_input.supported
  if (c.structured_outputs) caps.structured_output = c.structured_outputs.supported
  if (c.thinking) caps.reasoning = c.thinking.supported
  return Object.keys(caps).length ? caps : null
}

export const ANTHROPIC_VERSION = '2023-06-01'

/** Anthropic's key and version headers; no Authorization header. */
const headersOf = (apiKey?: string): Record<string, string> => ({
  ...(apiKey ? { 'x-api-key': apiKey } : {}),
  'anthropic-version': ANTHROPIC_VERSION,
})

/** Cursor paging: `{data, has_more, first_id, last_id}`; the next page is `after_id=<last_id>`. */
export const anthropicAdapter: Adapter<z.infer<typeof Item>> = {
  id: 'anthropic',
  async list(ctx) {
    const first = withQuery(joinUrl(ctx.baseUrl, '/models'), { limit: 1000 })
    return paginate(
      ctx,
      first,
      (body) => {
        const items = listItems(body)
        const { has_more: hasMore, last_id: lastId } = body as { has_more?: unknown; last_id?: unknown }
        if (hasMore !== true) return { items, next: null }
        if (typeof lastId !== 'string' || !lastId) throw new UpstreamError('has_more is true but last_id is missing: cannot read the next page')
        return { items, next: withQuery(first, { after_id: lastId }) }
      },
      headersOf(ctx.apiKey),
    )
  },
  item: Item,
  normalize(m) {
    return {
      providerModelId: m.id,
      name: m.display_name || m.id,
      description: null,
      created: m.created_at ? Math.floor(Date.parse(m.created_at) / 1000) : null,
      ownedBy: 'anthropic',
      contextLength: m.max_input_tokens ?? null,
      maxOutputTokens: m.max_tokens ?? null,
      inputModalities: m.capabilities?.image_input?.supported ? ['text', 'image'] : null, // the older list does not say
      outputModalities: m.capabilities ? ['text'] : null,
      capabilities: capabilitiesOf(m.capabilities),
      pricing: {},
      extra: m.capabilities ? { provider_capabilities: m.capabilities } : null,
    }
  },
}
