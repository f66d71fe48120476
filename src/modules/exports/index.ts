import { Elysia } from 'elysia'
import { z } from 'zod'
import { CATALOG_FILTERS } from '../../http/catalog-query'
import { jsonResponse } from '../../http/docs'
import { ErrorBody } from '../../http/errors'
import { flag } from '../../http/query'
import type { ExportsService } from './service'

export const ExportQuery = z.object({
  ...CATALOG_FILTERS,
  unique: flag('`true`: one entry per underlying model (canonical id): its cheapest offering (lowest prompt, then completion price), as `cheapest` in /v1/models?unique=true.'),
})

/** One LiteLLM entry (model_prices_and_context_window.json); every field but litellm_provider optional, more are added. */
export const LitellmExport = z
  .record(
    z.string().describe('`<litellm_provider>/<provider_model_id>`'),
    z.object({ litellm_provider: z.string(), mode: z.string().optional(), max_input_tokens: z.number().int().optional(), max_output_tokens: z.number().int().optional() }).catchall(z.unknown()),
  )
  .meta({ id: 'LitellmExport' })

/** models.dev api.json: providers → models. */
export const ModelsDevExport = z
  .record(
    z.string().describe('models.dev provider id'),
    z
      .object({
        id: z.string(),
        name: z.string(),
        env: z.array(z.string()),
        npm: z.string(),
        api: z.string().optional(),
        doc: z.string(),
        models: z.record(
          z.string(),
          z
            .object({
              id: z.string(),
              name: z.string(),
              limit: z.object({ context: z.number(), output: z.number() }),
              modalities: z.object({ input: z.array(z.string()), output: z.array(z.string()) }),
              cost: z.record(z.string(), z.unknown()).optional().describe('USD per 1M tokens'),
            })
            .catchall(z.unknown()),
        ),
      })
      .catchall(z.unknown()),
  )
  .meta({ id: 'ModelsDevExport' })

const LITELLM_DOC =
  "The catalog in LiteLLM's `model_prices_and_context_window.json` format (validated against LiteLLM's own JSON schema): one entry per offering keyed `<litellm_provider>/<provider_model_id>`, prices in USD per unit, `_above_<N>k_tokens` tier keys, `supports_*` flags. Point a LiteLLM proxy's cost map at it (`LITELLM_MODEL_COST_MAP_URL`). Takes the filters of /v1/models. Variable prices, keys LiteLLM has no name for and time-of-day tiers are left out, never written as 0. Cached per catalog version, with an ETag."
const MODELS_DEV_DOC =
  "The catalog in models.dev's `api.json` shape (providers → models; `cost` in USD per 1M tokens incl. cache and context tiers; `limit`; `modalities`; capability flags), for tools that read models.dev (opencode, aider-style configs). Takes the filters of /v1/models. Fields the format requires and modelcat does not know get the defaults the README lists. Cached per catalog version, with an ETag."

export const exportsModule = (service: ExportsService) =>
  new Elysia({ name: 'exports', prefix: '/v1/export' })
    .get('/litellm.json', ({ query, request }) => service.export('litellm', query).respond(request), {
      query: ExportQuery,
      response: { 200: LitellmExport, 400: ErrorBody },
      detail: { hide: true },
    })
    .get('/models.dev.json', ({ query, request }) => service.export('models.dev', query).respond(request), {
      query: ExportQuery,
      response: { 200: ModelsDevExport, 400: ErrorBody },
      detail: { hide: true },
    })

/** Paths with a dot: documented by hand (like /v1/changes.atom). */
const parameters = Object.entries(ExportQuery.shape).map(([name, schema]) => ({
  name,
  in: 'query' as const,
  required: false,
  description: schema.description,
  schema: z.toJSONSchema(schema as z.ZodType, { io: 'input', unrepresentable: 'any' }) as object,
}))
export const exportsDocPaths = {
  '/v1/export/litellm.json': {
    get: {
      tags: ['exports'],
      summary: 'The catalog as a LiteLLM cost map',
      description: LITELLM_DOC,
      operationId: 'exportLitellm',
      parameters,
      responses: { 200: jsonResponse(LitellmExport, 'LiteLLM model_prices_and_context_window.json'), 400: jsonResponse(ErrorBody, 'A filter is invalid') },
    },
  },
  '/v1/export/models.dev.json': {
    get: {
      tags: ['exports'],
      summary: 'The catalog in models.dev api.json shape',
      description: MODELS_DEV_DOC,
      operationId: 'exportModelsDev',
      parameters,
      responses: { 200: jsonResponse(ModelsDevExport, 'models.dev api.json'), 400: jsonResponse(ErrorBody, 'A filter is invalid') },
    },
  },
}
