import { z } from 'zod'
import { SORT_KEYS } from '../../catalog/reads'
import { commaList, flag } from '../../http/query'

/** A number parameter; an empty value (`?min_context=`) is absent, not 0. */
const number = (schema: z.ZodNumber) => z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().pipe(schema).optional())

const price = (name: string) =>
  number(z.number().min(0)).describe(`Highest ${name} price, in USD per token like \`pricing\` (0.000001 = $1 per 1M tokens). Offerings without a ${name} price are left out.`)

export const ListModelsQuery = z.object({
  gateway: commaList('Provider id or alias (`hug` → `huggingface`), a comma-separated list, or `all` (default).'),
  exclude_gateway: commaList('Provider ids or aliases to leave out (comma-separated).'),
  q: z.string().max(200).optional().describe('Case-insensitive search in id, name and description.'),
  input_modalities: commaList('Comma-separated; every one listed must be an input modality (e.g. `text,image`).'),
  output_modalities: commaList('Comma-separated; every one listed must be an output modality.'),
  supported_parameters: commaList('Comma-separated; every one listed must be supported (e.g. `tools,response_format`).'),
  min_context: number(z.number().int().min(0)).describe('Smallest context length, in tokens.'),
  max_prompt_price: price('prompt'),
  max_completion_price: price('completion'),
  free: flag('`true`: only offerings whose prompt and completion prices are 0.'),
  sort: z.enum(SORT_KEYS).optional().describe('Sort key (default `id`; `newest`: by first_seen_at, newest first unless `order=asc`). Models lacking the key sort last.'),
  order: z.enum(['asc', 'desc']).optional().describe('Sort order (default `asc`; `desc` for `sort=newest`).'),
  limit: z.coerce.number().int().min(1).max(1000).optional().describe('Page size, 1–1000. Without it every model is returned (OpenAI clients do not paginate).'),
  offset: z.coerce.number().int().min(0).optional().describe('Models to skip. Default 0. Not with `cursor`.'),
  cursor: z.string().max(1000).optional().describe('`next_cursor` of the previous page: resumes after its last model, correct even when the catalog changed in between. Needs `limit`.'),
  unique: flag(
    "`true`: one entry per underlying model (canonical id) with every provider offering it (`providers`), `provider_count` and the `cheapest` offering; `pricing` is the cheapest offering's.",
  ),
})
export type ListModelsQuery = z.infer<typeof ListModelsQuery>

const Pricing = z
  .object({
    prompt: z.string().optional(),
    completion: z.string().optional(),
    request: z.string().optional(),
    image: z.string().optional(),
    web_search: z.string().optional(),
    internal_reasoning: z.string().optional(),
    input_cache_read: z.string().optional(),
    input_cache_write: z.string().optional(),
  })
  .describe('Exact decimal strings in USD per token (`request`: per request; `image`: per image). Components the provider does not state are absent.')

/** How an offering's canonical id was reached (issue 16; src/catalog/canonical.ts). */
const CanonicalBasis = z
  .string()
  .nullable()
  .describe(
    "How `canonical_id` was reached: `override` (aliases.json or the `[canonical]` config), `rule` (the id itself, read by the rules), `learned:<source>` (knowledge learned from the reference catalogs or live lists: `learned:models.dev`, `learned:litellm`, `learned:live`, `learned:spelling`, `learned:versions`, `learned:dates`, `learned:families`), `own` (no organisation known: the provider's own model, never merged with another provider's); null until the startup maintenance derives it",
  )

export const Model = z
  .object({
    id: z.string().describe('`<provider>/<provider_model_id>`: unique and stable'),
    canonical_id: z.string().describe('The underlying model (`org/model`): offerings of the same model at different providers share it'),
    canonical_basis: CanonicalBasis,
    object: z.literal('model'),
    created: z.number().int().describe('Unix seconds: as the provider states it, else when modelcat first saw the model'),
    owned_by: z.string(),
    provider: z.string(),
    provider_model_id: z.string().describe('The id to send to the provider itself'),
    name: z.string(),
    description: z.string().nullable(),
    context_length: z.number().int().nullable(),
    max_output_tokens: z.number().int().nullable(),
    architecture: z.object({ input_modalities: z.array(z.string()).nullable(), output_modalities: z.array(z.string()).nullable() }).passthrough(),
    pricing: Pricing,
    supported_parameters: z.array(z.string()).nullable(),
    capabilities: z
      .object({ tools: z.boolean().optional(), vision: z.boolean().optional(), reasoning: z.boolean().optional(), structured_output: z.boolean().optional() })
      .describe('Capability flags the provider states or its parameters/modalities imply; an absent flag is unknown'),
    deprecation: z
      .object({ date: z.string().nullable(), end_of_life: z.string().nullable(), replacement: z.string().nullable() })
      .nullable()
      .describe('Set when the provider announces the model goes away'),
    first_seen_at: z.string().describe('RFC 3339: when modelcat first saw this offering'),
    last_seen_at: z.string().nullable().describe("RFC 3339: the provider's last successful refresh (null for bootstrap entries)"),
    source: z.enum(['live', 'bootstrap']).describe("`live`: from the provider's own list; `bootstrap`: from the embedded models.dev snapshot, until the provider's first successful refresh"),
    sources: z
      .record(z.string(), z.string())
      .describe(
        'Where each filled field came from: `upstream` (the provider), `override` (config), `models.dev` / `litellm` (reference entry of the same provider and model), `models.dev:canonical` / `litellm:canonical` (a reference entry of the same canonical model; never used for prices)',
      ),
  })
  .passthrough()
  .meta({ id: 'Model' })
export type Model = z.infer<typeof Model>

const Offering = z.object({
  id: z.string().describe('The offering id (`provider/provider_model_id`)'),
  provider: z.string(),
  provider_model_id: z.string(),
  canonical_basis: CanonicalBasis,
  context_length: z.number().int().nullable(),
  pricing: Pricing,
  status: z.string().describe("The provider's status (see /v1/providers)"),
})

export const CanonicalModel = z
  .object({
    id: z.string().describe('The canonical id (`org/model`)'),
    object: z.literal('model'),
    created: z.number().int(),
    owned_by: z.string(),
    name: z.string(),
    context_length: z.number().int().nullable().describe('The largest among its offerings'),
    max_output_tokens: z.number().int().nullable(),
    architecture: z.object({ input_modalities: z.array(z.string()).nullable(), output_modalities: z.array(z.string()).nullable() }),
    pricing: Pricing.describe("The cheapest offering's prices"),
    provider_count: z.number().int(),
    first_seen_at: z.string().describe('RFC 3339: when modelcat first saw any of its offerings'),
    last_seen_at: z.string().nullable(),
    providers: z.array(Offering),
    cheapest: z.object({ provider: z.string(), id: z.string(), pricing: Pricing }).nullable().describe('Lowest prompt price, then completion price'),
  })
  .meta({ id: 'CanonicalModel' })

export const ModelList = z
  .object({
    object: z.literal('list'),
    data: z.array(z.union([Model, CanonicalModel])).describe('Offerings, or canonical models with `unique=true`'),
    total: z.number().int().optional().describe('Present when paging (limit/offset given): models matching in all'),
    has_more: z.boolean().optional().describe('Present when paging: whether a further page exists'),
    next_cursor: z.string().nullable().optional().describe('Present when paging: pass as `cursor` for the next page; null on the last'),
  })
  .meta({ id: 'ModelList' })
