import { z } from 'zod'
import { date } from '../fields'
import type { Deprecation } from '../../domain/types'
import { bearer, joinUrl, listItems, type Adapter } from '../adapter'

/**
 * Heroku Managed Inference GET /available-models: a bare JSON array of
 * `{model_id, regions, state, type[], deprecation_date?, eol_date?, replacement_model?}`.
 */
const Item = z.object({
  model_id: z.string().min(1),
  regions: z.array(z.string()).nullish().catch(null),
  state: z.string().nullish().catch(null),
  type: z.array(z.string()).nullish().catch(null),
  deprecation_date: date,
  eol_date: date,
  replacement_model: z.string().nullish().catch(null),
})
type Item = z.infer<typeof Item>

/** Model type → [input, output] modalities. `text-to-score` (rerankers) has no modality of its own. */
const MODALITIES: Record<string, [string[], string[]]> = {
  'text-to-text': [['text'], ['text']],
  'text-to-embedding': [['text'], ['embeddings']],
  'text-to-image': [['text'], ['image']],
}

/** The union of the modalities of every known type, or null when none is known. */
function modalitiesOf(types: string[] | null | undefined): [string[] | null, string[] | null] {
  const input = new Set<string>()
  const output = new Set<string>()
  for (const t of types ?? []) {
    const known = MODALITIES[t]
    if (!known) continue
    for (const x of known[0]) input.add(x)
    for (const x of known[1]) output.add(x)
  }
  return output.size ? [[...input], [...output]] : [null, null]
}

function deprecationOf(m: Item): Deprecation | null {
  if (m.state !== 'deprecated' && !m.deprecation_date && !m.eol_date) return null
  return { date: m.deprecation_date ?? null, end_of_life: m.eol_date ?? null, replacement: m.replacement_model || null }
}

export const herokuAdapter: Adapter<Item> = {
  id: 'heroku',
  async list(ctx) {
    return listItems(await ctx.getJson(joinUrl(ctx.baseUrl, '/available-models'), bearer(ctx.apiKey)))
  },
  item: Item,
  normalize(m) {
    const [input, output] = modalitiesOf(m.type)
    const extra: Record<string, unknown> = {}
    if (m.regions) extra.regions = m.regions
    if (m.type) extra.type = m.type
    if (m.state) extra.state = m.state
    return {
      providerModelId: m.model_id,
      name: m.model_id,
      inputModalities: input,
      outputModalities: output,
      deprecation: deprecationOf(m),
      pricing: {},
      extra: Object.keys(extra).length ? extra : null,
    }
  },
}
