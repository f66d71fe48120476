import type { OfferingRow } from '../../catalog/rows'
import { VARIABLE_PRICE, type Pricing } from '../../domain/types'

/**
 * An offering in OpenRouter's own model schema (GET https://openrouter.ai/api/v1/models, as the official
 * `@openrouter/sdk` validates it), with OpenRouter's conventions for what is not known: an unknown or
 * variable price is "-1" (never "0"), an unknown description "", unknown lists [].
 */

/** Price keys of OpenRouter's `pricing` (PublicPricing); `prompt` and `completion` are required. */
const PRICE_KEYS = [
  'prompt',
  'completion',
  'request',
  'image',
  'image_token',
  'image_output',
  'audio',
  'audio_output',
  'input_audio_cache',
  'web_search',
  'internal_reasoning',
  'input_cache_read',
  'input_cache_write',
  'input_cache_write_1h',
] as const
/** Price keys of a pricing override (PricingOverride). */
const OVERRIDE_KEYS = ['prompt', 'completion', 'audio', 'input_audio_cache', 'input_cache_read', 'input_cache_write', 'input_cache_write_1h'] as const
const UNKNOWN = '-1'

const priceOf = (v: string | undefined) => (v === undefined || v === VARIABLE_PRICE ? UNKNOWN : v)

function pricing(row: OfferingRow): Record<string, unknown> {
  const p: Pricing = row.pricing
  const out: Record<string, unknown> = { prompt: priceOf(p.prompt), completion: priceOf(p.completion) }
  for (const k of PRICE_KEYS) if (p[k] !== undefined && out[k] === undefined) out[k] = priceOf(p[k])
  const overrides = (row.priceTiers ?? []).flatMap((t) => {
    const o: Record<string, unknown> = { ...t.conditions }
    let any = false
    for (const k of OVERRIDE_KEYS) {
      if (t.pricing[k] !== undefined) {
        o[k] = priceOf(t.pricing[k])
        any = true
      }
    }
    return any ? [o] : []
  })
  if (overrides.length) out.overrides = overrides
  return out
}

export function toOpenRouterModel(row: OfferingRow, publicUrl: string | undefined): Record<string, unknown> {
  const extra = (row.extra ?? {}) as { hugging_face_id?: unknown; top_provider?: { is_moderated?: unknown }; architecture?: { tokenizer?: unknown; instruct_type?: unknown } }
  const input = row.inputModalities ?? []
  const output = row.outputModalities ?? []
  const modality = input.length && output.length ? `${[...input].sort().join('+')}->${[...output].sort().join('+')}` : null
  return {
    id: row.id,
    canonical_slug: row.canonicalId,
    hugging_face_id: typeof extra.hugging_face_id === 'string' ? extra.hugging_face_id : null,
    name: row.name,
    created: row.created && row.created > 0 ? row.created : row.firstSeenAt,
    description: row.description ?? '',
    context_length: row.contextLength,
    architecture: {
      modality,
      input_modalities: input,
      output_modalities: output,
      ...(typeof extra.architecture?.tokenizer === 'string' ? { tokenizer: extra.architecture.tokenizer } : {}),
      ...(typeof extra.architecture?.instruct_type === 'string' ? { instruct_type: extra.architecture.instruct_type } : {}),
    },
    pricing: pricing(row),
    top_provider: {
      context_length: row.contextLength,
      max_completion_tokens: row.maxOutputTokens,
      is_moderated: extra.top_provider?.is_moderated === true,
    },
    per_request_limits: null,
    supported_parameters: row.supportedParameters ?? [],
    default_parameters: null,
    supported_voices: null,
    expiration_date: row.deprecation?.end_of_life ?? null,
    links: { details: `${publicUrl ?? ''}/v1/models/${row.id}` },
  }
}
