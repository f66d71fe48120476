import { z } from 'zod'
import { bearer, joinUrl, UpstreamError, type Adapter } from '../adapter'

const str = z.string().nullish().catch(null)

/** Ollama GET /api/tags: the models pulled on a local server. */
const Item = z.object({
  name: z.string().min(1),
  model: str,
  modified_at: z.iso.datetime({ offset: true }).nullish().catch(null),
  size: z.number().int().nonnegative().nullish().catch(null),
  digest: str,
  details: z
    .object({
      parent_model: str,
      format: str,
      family: str,
      families: z.array(z.string()).nullish().catch(null),
      parameter_size: str,
      quantization_level: str,
    })
    .nullish()
    .catch(null),
})

/**
 * A local Ollama (no `/v1`: the base is the server root, e.g. http://127.0.0.1:11434). No key is
 * needed; one configured (an Ollama behind an authenticating proxy) is sent as a Bearer token.
 */
export const ollamaAdapter: Adapter<z.infer<typeof Item>> = {
  id: 'ollama',
  async list(ctx) {
    const body = await ctx.getJson(joinUrl(ctx.baseUrl, '/api/tags'), bearer(ctx.apiKey))
    const models = (body as { models?: unknown } | null)?.models
    if (Array.isArray(models)) return models
    if (models === null) return [] // a Go nil slice
    throw new UpstreamError('unexpected response shape: not a JSON object with a "models" array')
  },
  item: Item,
  normalize(m) {
    const d = m.details
    const vision = d?.families?.includes('clip') ?? false // a CLIP projector: LLaVA-style image input
    const extra: Record<string, unknown> = {}
    if (d?.family) extra.family = d.family
    if (d?.families) extra.families = d.families
    if (d?.parameter_size) extra.parameter_size = d.parameter_size
    if (d?.quantization_level) extra.quantization_level = d.quantization_level
    if (d?.format) extra.format = d.format
    if (d?.parent_model) extra.parent_model = d.parent_model
    if (m.size != null) extra.size = m.size
    if (m.digest) extra.digest = m.digest
    return {
      providerModelId: m.name,
      name: m.name,
      description: null,
      created: m.modified_at ? Math.floor(Date.parse(m.modified_at) / 1000) : null,
      ownedBy: null,
      contextLength: null,
      maxOutputTokens: null,
      inputModalities: vision ? ['text', 'image'] : null,
      outputModalities: /embed/i.test(m.name) ? ['embeddings'] : null,
      capabilities: vision ? { vision: true } : null,
      pricing: {},
      extra: Object.keys(extra).length ? extra : null,
    }
  },
}
