import { z } from 'zod'
import { positiveInt } from '../fields'
import { bearer, joinUrl, listItems, type Adapter } from '../adapter'

/**
 * Fields seen in real OpenAI-compatible lists beyond OpenAI's own four (id, object, created, owned_by):
 * Groq `context_window` + `max_completion_tokens`, vLLM `max_model_len`, Mistral `max_context_length`,
 * Nebius/Fireworks `context_length`, HF router `architecture` modalities, display names. Anything else is ignored, never an error.
 */
const Item = z.object({
  id: z.string().min(1),
  created: z.number().nullish().catch(null),
  owned_by: z.string().nullish().catch(null),
  name: z.string().nullish().catch(null),
  display_name: z.string().nullish().catch(null),
  description: z.string().nullish().catch(null),
  context_window: positiveInt.nullish().catch(null),
  context_length: positiveInt.nullish().catch(null),
  max_context_length: positiveInt.nullish().catch(null),
  max_model_len: positiveInt.nullish().catch(null),
  max_completion_tokens: positiveInt.nullish().catch(null),
  max_tokens: positiveInt.nullish().catch(null),
  architecture: z
    .object({ input_modalities: z.array(z.string()).nullish().catch(null), output_modalities: z.array(z.string()).nullish().catch(null) })
    .nullish()
    .catch(null),
})

/** The generic adapter: GET {base_url}/models with a Bearer key. */
export const openaiAdapter: Adapter<z.infer<typeof Item>> = {
  id: 'openai',
  async list(ctx) {
    return listItems(await ctx.getJson(joinUrl(ctx.baseUrl, '/models'), bearer(ctx.apiKey)))
  },
  item: Item,
  normalize(m) {
    return {
      providerModelId: m.id,
      name: m.display_name ?? m.name ?? m.id,
      description: m.description ?? null,
      created: m.created || null, // Cerebras and DeepInfra send 0: unknown, not 1970
      ownedBy: m.owned_by ?? null,
      contextLength: m.context_window ?? m.context_length ?? m.max_context_length ?? m.max_model_len ?? null,
      maxOutputTokens: m.max_completion_tokens ?? m.max_tokens ?? null,
      inputModalities: m.architecture?.input_modalities ?? null,
      outputModalities: m.architecture?.output_modalities ?? null,
      pricing: {},
    }
  },
}
