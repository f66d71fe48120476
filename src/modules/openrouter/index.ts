import { Elysia } from 'elysia'
import { z } from 'zod'
import { CATALOG_FILTERS } from '../../http/catalog-query'
import { ErrorBody } from '../../http/errors'
import { flag } from '../../http/query'
import type { OpenRouterService } from './service'

export const OpenRouterQuery = z.object({
  ...CATALOG_FILTERS,
  unique: flag('`true`: one entry per underlying model: its cheapest offering.'),
  limit: z.coerce.number().int().min(1).max(1000).optional().describe('Page size, 1–1000 (OpenRouter’s SDK sends 500). Without it every model is returned.'),
  offset: z.coerce.number().int().min(0).max(10_000_000).optional().describe('Models to skip (default 0).'),
})

/** A price as OpenRouter writes it: a decimal string in USD per unit; "-1" when unknown or variable. */
const price = z.string().describe('USD per unit as a decimal string; "-1": unknown or variable (never "0" for unknown)')

export const OpenRouterModel = z
  .object({
    id: z.string().describe('The modelcat offering id (`provider/provider_model_id`)'),
    canonical_slug: z.string().describe('The canonical id (`org/model`)'),
    hugging_face_id: z.string().nullable(),
    name: z.string(),
    created: z.number().int(),
    description: z.string().describe('"" when unknown'),
    context_length: z.number().int().nullable(),
    architecture: z
      .object({
        modality: z.string().nullable(),
        input_modalities: z.array(z.string()),
        output_modalities: z.array(z.string()),
        tokenizer: z.string().optional(),
        instruct_type: z.string().optional(),
      })
      .describe('`modality`: `<inputs>-><outputs>` (null when either is unknown)'),
    pricing: z
      .object({ prompt: price, completion: price, overrides: z.array(z.record(z.string(), z.unknown())).optional().describe('Conditional prices (`pricing_tiers` of /v1/models)') })
      .catchall(price),
    top_provider: z.object({ context_length: z.number().int().nullable(), max_completion_tokens: z.number().int().nullable(), is_moderated: z.boolean() }),
    per_request_limits: z.null(),
    supported_parameters: z.array(z.string()),
    default_parameters: z.null(),
    supported_voices: z.null(),
    expiration_date: z.string().nullable(),
    links: z.object({ details: z.string().describe('The model in /v1/models') }),
  })
  .meta({ id: 'OpenRouterModel' })

export const OpenRouterModelList = z
  .object({
    data: z.array(OpenRouterModel),
    links: z.object({ next: z.string().nullable().describe('The next page, when `limit` cut the list') }),
    total_count: z.number().int().describe('Models matching in all'),
  })
  .meta({ id: 'OpenRouterModelList' })

export const openrouterModule = (service: OpenRouterService) =>
  new Elysia({ name: 'openrouter' }).get('/api/v1/models', ({ query, request }) => service.list(query).respond(request), {
    query: OpenRouterQuery,
    response: { 200: OpenRouterModelList, 400: ErrorBody },
    detail: {
      tags: ['openrouter'],
      summary: 'List models (OpenRouter schema)',
      description:
        'The catalog in OpenRouter\'s own list schema, so OpenRouter\'s SDK (`serverURL` = modelcat + `/api/v1`) and tools written for OpenRouter\'s list read it. Unknown values follow OpenRouter\'s conventions: an unknown or variable price is `"-1"`, an unknown description `""`. Takes the filters of /v1/models; OpenRouter-only parameters (`category`, …) are ignored. /v1/models is unchanged.',
    },
  })
