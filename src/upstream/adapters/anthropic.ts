import { z } from 'zod'
import { joinUrl, listItems, paginate, UpstreamError, withQuery, type Adapter } from '../adapter'

/**
 * Anthropic GET /v1/models: `{type:"model", id, display_name, created_at}`. The list states no limits,
 * modalities or prices, so those stay unknown. `created_at` must be RFC 3339 to count.
 */
const Item = z.object({
  id: z.string().min(1),
  type: z.string().nullish().catch(null),
  display_name: z.string().nullish().catch(null),
  created_at: z.iso.datetime({ offset: true }).nullish().catch(null),
})

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
      contextLength: null,
      maxOutputTokens: null,
      inputModalities: null, // text+image in practice, but the API does not say so
      outputModalities: null,
      pricing: {},
    }
  },
}
