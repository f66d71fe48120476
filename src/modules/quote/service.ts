import type { z } from 'zod'
import type { ResolvedProvider } from '../../config'
import type { CatalogStore } from '../../catalog/store'
import { byCost, cheapestFitting, quoteOffering } from '../../catalog/quote'
import { catalogQueryOf } from '../../http/catalog-query'
import { ApiError } from '../../http/errors'
import { QuoteBatch, QuoteRequest } from './model'

/** A field path as a parameter name: `input_tokens`, `[2].input_tokens` (the third request of a batch). */
const paramOf = (path: readonly PropertyKey[]) =>
  path
    .map((p) => (typeof p === 'number' ? `[${p}]` : String(p)))
    .join('.')
    .replaceAll('.[', '[')

/** The first issue of a failed validation as the one 400, naming the parameter. */
function invalid(error: z.ZodError): ApiError {
  const issue = error.issues[0]!
  const keys = issue.code === 'unrecognized_keys' ? (issue as { keys: string[] }).keys : []
  const path = paramOf([...issue.path, ...keys.slice(0, 1)])
  const message = issue.code === 'unrecognized_keys' ? `unknown field '${path}'` : `invalid value for '${path || 'body'}': ${issue.message}`
  return new ApiError(400, message, { param: path || null, code: 'invalid_parameter' })
}

/**
 * POST /v1/quote: the exact cost of a request on every offering of a model (src/catalog/quote.ts does the
 * arithmetic). Not cached: the answer depends on the request body and the time; it reads at most the
 * offerings of one model, by index.
 */
export class QuoteService {
  constructor(
    private readonly store: CatalogStore,
    private readonly providers: ResolvedProvider[],
  ) {}

  /** A single request (an object) or a batch (an array of them), validated here so that a 400 names the field at fault. */
  answer(body: unknown) {
    if (Array.isArray(body)) {
      const batch = QuoteBatch.safeParse(body)
      if (!batch.success) throw invalid(batch.error)
      const at = new Date()
      return { object: 'list' as const, data: batch.data.map((r, i) => this.quote(r, at, `[${i}].`)) }
    }
    if (!body || typeof body !== 'object') throw new ApiError(400, 'the body must be JSON: a quote request (an object) or a batch (an array of them)', { code: 'invalid_body' })
    const single = QuoteRequest.safeParse(body)
    if (!single.success) throw invalid(single.error)
    return this.quote(single.data, new Date(), '')
  }

  quote(r: QuoteRequest, now: Date, prefix: string) {
    const at = r.at ? new Date(r.at) : now
    let query: ReturnType<typeof catalogQueryOf>
    try {
      query = catalogQueryOf(this.providers, { gateway: r.gateway, exclude_gateway: r.exclude_gateway, lifecycle: r.lifecycle, free: false })
    } catch (err) {
      if (err instanceof ApiError && prefix) throw new ApiError(err.status, err.message, { ...err.opts, param: `${prefix}${err.opts.param}` })
      throw err
    }
    const named = this.store.getOffering(r.model)
    const canonicalId = named?.canonicalId ?? r.model
    let rows = this.store.queryOfferings({ ...query, canonicalId }).rows
    if (named) rows = rows.filter((o) => o.id === named.id)
    else if (rows.length === 0 && this.store.queryOfferings({ providers: undefined, canonicalId, sort: 'id', order: 'asc', limit: 1 }).rows.length === 0) {
      throw new ApiError(404, `model '${r.model}' not found: neither an offering id (provider/model) nor a canonical id`, { param: `${prefix}model`, code: 'model_not_found' })
    }
    const offerings = rows.map((row) => quoteOffering(row, r, at)).sort(byCost)
    const best = cheapestFitting(offerings)
    return {
      object: 'quote' as const,
      model: r.model,
      at: at.toISOString(),
      offerings,
      cheapest: best ? { id: best.id, provider: best.provider, cost: best.cost! } : null,
    }
  }
}
