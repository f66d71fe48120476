import { z } from 'zod'
import type { CatalogQuery } from '../catalog/reads'
import type { ResolvedProvider } from '../config'
import { resolveGateways } from './gateways'
import { commaList, flag } from './query'

/**
 * The filters of GET /v1/models, shared by every answer that selects offerings the same way (the list, the
 * exports, the OpenRouter-compatible path): one definition of each parameter, one normalization.
 */

/** A number parameter; an empty value (`?min_context=`) is absent, not 0. */
export const numberParam = (schema: z.ZodNumber) => z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().pipe(schema).optional())

const price = (name: string) =>
  numberParam(z.number().min(0)).describe(`Highest ${name} price, in USD per token like \`pricing\` (0.000001 = $1 per 1M tokens). Offerings without a ${name} price are left out.`)

/** The filter parameters (zod shape): spread into a route's query schema. */
export const CATALOG_FILTERS = {
  gateway: commaList('Provider id or alias (`hug` → `huggingface`), a comma-separated list, or `all` (default).'),
  exclude_gateway: commaList('Provider ids or aliases to leave out (comma-separated).'),
  q: z.string().max(200).optional().describe('Case-insensitive search in id, name and description.'),
  input_modalities: commaList('Comma-separated; every one listed must be an input modality (e.g. `text,image`).'),
  output_modalities: commaList('Comma-separated; every one listed must be an output modality.'),
  supported_parameters: commaList('Comma-separated; every one listed must be supported (e.g. `tools,response_format`).'),
  min_context: numberParam(z.number().int().min(0)).describe('Smallest context length, in tokens.'),
  max_prompt_price: price('prompt'),
  max_completion_price: price('completion'),
  free: flag('`true`: only offerings whose prompt and completion prices are 0.'),
  has_conflicts: z
    .enum(['true', 'false', '1', '0'])
    .transform((v) => v === 'true' || v === '1')
    .optional()
    .describe('`true`: only offerings where a reference catalog (models.dev, LiteLLM) disagrees with the provider (see `conflicts`); `false`: only those without; absent: both.'),
  lifecycle: z
    .enum(['active', 'deprecated', 'expiring'])
    .optional()
    .describe('`active`: no deprecation announced; `deprecated`: a deprecation is announced (`deprecation` set); `expiring`: its date (or end of life) falls within the next 30 days (UTC).'),
}
const CatalogFilters = z.object(CATALOG_FILTERS)
export type CatalogFilters = z.infer<typeof CatalogFilters>

/** Sorted, de-duplicated items of a comma list (undefined when empty). */
const list = (v?: string) => {
  const items = v
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  return items?.length ? [...new Set(items)].sort() : undefined
}

/** The validated filters as the store's CatalogQuery (sorted by id, no paging): gateways resolved, lists split. */
export function catalogQueryOf(providers: ResolvedProvider[], query: CatalogFilters): CatalogQuery {
  const excluded = query.exclude_gateway ? new Set(resolveGateways(providers, query.exclude_gateway, 'exclude_gateway')) : new Set<string>()
  return {
    providers: resolveGateways(providers, query.gateway).filter((id) => !excluded.has(id)),
    q: query.q?.trim() || undefined,
    inputModalities: list(query.input_modalities),
    outputModalities: list(query.output_modalities),
    supportedParameters: list(query.supported_parameters),
    minContext: query.min_context,
    maxPromptPrice: query.max_prompt_price,
    maxCompletionPrice: query.max_completion_price,
    free: query.free || undefined,
    hasConflicts: query.has_conflicts,
    lifecycle: query.lifecycle,
    // expiring is measured from today (UTC): the day is part of the query, so a cached answer lasts one day
    today: query.lifecycle === 'expiring' ? new Date().toISOString().slice(0, 10) : undefined,
    sort: 'id',
    order: 'asc',
  }
}
