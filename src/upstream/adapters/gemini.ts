import { z } from 'zod'
import { positiveInt } from '../fields'
import type { Capabilities } from '../../domain/types'
import { joinUrl, paginate, UpstreamError, withQuery, type Adapter } from '../adapter'

/** `models/gemini-2.5-flash` → `gemini-2.5-flash`. */
const idOf = (name: string) => name.replace(/^models\//, '')

/** Google Gemini GET /v1beta/models: one `Model` resource per item, named `models/<id>`. */
const Item = z.object({
  name: z.string().refine((n) => idOf(n).trim().length > 0, 'empty model name'),
  baseModelId: z.string().nullish().catch(null),
  version: z.string().nullish().catch(null),
  displayName: z.string().nullish().catch(null),
  description: z.string().nullish().catch(null),
  inputTokenLimit: positiveInt.nullish().catch(null),
  outputTokenLimit: positiveInt.nullish().catch(null),
  supportedGenerationMethods: z.array(z.string()).nullish().catch(null),
  thinking: z.boolean().nullish().catch(null),
})

/**
 * `{models:[...], nextPageToken}`. Proto3 JSON leaves out empty fields, so a page without models is
 * `{}` (or only a token); any other object without a `models` array is not a Gemini list.
 */
function pageOf(body: unknown): { models: unknown[]; token: string | null } {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new UpstreamError('unexpected response shape: not a JSON object with a "models" array')
  const { models, nextPageToken } = body as { models?: unknown; nextPageToken?: unknown }
  const token = typeof nextPageToken === 'string' && nextPageToken ? nextPageToken : null
  if (Array.isArray(models)) return { models, token }
  if (models === undefined && Object.keys(body).every((k) => k === 'nextPageToken')) return { models: [], token }
  throw new UpstreamError('unexpected response shape: not a JSON object with a "models" array')
}

/** Token paging: `pageSize=1000`, then `pageToken=<nextPageToken>` until there is none. Key in `x-goog-api-key`. */
export const geminiAdapter: Adapter<z.infer<typeof Item>> = {
  id: 'gemini',
  async list(ctx) {
    const first = withQuery(joinUrl(ctx.baseUrl, '/models'), { pageSize: 1000 })
    return paginate(
      ctx,
      first,
      (body) => {
        const { models, token } = pageOf(body)
        return { items: models, next: token ? withQuery(first, { pageToken: token }) : null }
      },
      ctx.apiKey ? { 'x-goog-api-key': ctx.apiKey } : {},
    )
  },
  item: Item,
  normalize(m) {
    const id = idOf(m.name)
    const extra: Record<string, unknown> = {}
    if (m.version) extra.version = m.version
    if (m.baseModelId) extra.base_model_id = m.baseModelId
    if (m.supportedGenerationMethods) extra.supported_generation_methods = m.supportedGenerationMethods
    const capabilities: Capabilities | null = m.thinking == null ? null : { reasoning: m.thinking }
    return {
      providerModelId: id,
      name: m.displayName || id,
      description: m.description ?? null,
      created: null,
      ownedBy: 'google',
      contextLength: m.inputTokenLimit ?? null,
      maxOutputTokens: m.outputTokenLimit ?? null,
      inputModalities: null,
      outputModalities: null,
      capabilities,
      pricing: {},
      extra: Object.keys(extra).length ? extra : null,
    }
  },
}
