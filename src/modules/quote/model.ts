import { z } from 'zod'
import { commaList } from '../../http/query'

/** Caps on every field of a quote request (src/catalog/limits.ts style: named, documented in the README). */
export const QUOTE_LIMITS = {
  /** Tokens of any kind in one request (the largest contexts are ~10M). */
  maxTokens: 100_000_000,
  /** `requests`: quantities stay exact integers (≤ 10^14 < 2^53). */
  maxRequests: 1_000_000,
  /** Images or web searches in one request. */
  maxUnits: 10_000,
  /** Characters of `model`. */
  maxModelChars: 300,
  /** Requests in one batch (the body itself is capped by the front door: MAX_BODY_BYTES in src/http/handler.ts). */
  maxBatch: 100,
} as const
const L = QUOTE_LIMITS

const count = (max: number, what: string) =>
  z
    .number()
    .int()
    .min(0)
    .max(max)
    .describe(`${what} (integer, 0–${max.toLocaleString('en')})`)

export const QuoteRequest = z
  .object({
    model: z.string().min(1).max(L.maxModelChars).describe('A canonical id (`meta/llama-3.3-70b-instruct`: every offering of it) or an offering id (`groq/llama-3.3-70b-versatile`: that one)'),
    input_tokens: count(L.maxTokens, 'Prompt tokens per request, including cached_input_tokens and cache_write_tokens (as OpenAI `prompt_tokens`)'),
    output_tokens: count(L.maxTokens, 'Generated tokens per request, including reasoning_tokens (as OpenAI `completion_tokens`)'),
    cached_input_tokens: count(L.maxTokens, 'Of input_tokens, those read from the prompt cache: billed at `input_cache_read` (at `prompt` when the offering states no cache-read price)').optional(),
    cache_write_tokens: count(L.maxTokens, 'Of input_tokens, those written to the prompt cache: billed at `input_cache_write` (`input_cache_write_1h` with cache_ttl `1h`)').optional(),
    cache_ttl: z.enum(['5m', '1h']).optional().describe('TTL of the cache writes (default `5m`)'),
    reasoning_tokens: count(L.maxTokens, 'Of output_tokens, the reasoning ones: billed at `internal_reasoning` when the offering states a non-zero one, else as output').optional(),
    requests: z
      .number()
      .int()
      .min(1)
      .max(L.maxRequests)
      .optional()
      .describe(`How many such requests (default 1, at most ${L.maxRequests.toLocaleString('en')}): every quantity and the per-request price are multiplied`),
    images: count(L.maxUnits, 'Input images per request, billed at `image`').optional(),
    web_searches: count(L.maxUnits, 'Web searches per request, billed at `web_search`').optional(),
    audio_input_tokens: count(L.maxTokens, 'Audio prompt tokens per request, apart from input_tokens, billed at `audio`').optional(),
    gateway: commaList('Only these providers: ids or aliases, comma-separated, or `all` (default), as in /v1/models'),
    exclude_gateway: commaList('Providers to leave out (comma-separated)'),
    lifecycle: z.enum(['active', 'deprecated', 'expiring']).optional().describe('As in /v1/models: `active` leaves out offerings with an announced deprecation'),
    at: z.iso.datetime({ offset: true }).optional().describe('RFC 3339 time the request is made (default now): decides time-of-day tiers (`utc_start`/`utc_end`/`utc_days`)'),
  })
  .strict()
  .superRefine((r, ctx) => {
    if ((r.cached_input_tokens ?? 0) + (r.cache_write_tokens ?? 0) > r.input_tokens)
      ctx.addIssue({
        code: 'custom',
        path: [r.cached_input_tokens ? 'cached_input_tokens' : 'cache_write_tokens'],
        message: 'cached_input_tokens + cache_write_tokens cannot exceed input_tokens (they are part of it)',
      })
    if ((r.reasoning_tokens ?? 0) > r.output_tokens) ctx.addIssue({ code: 'custom', path: ['reasoning_tokens'], message: 'reasoning_tokens cannot exceed output_tokens (they are part of it)' })
  })
  .meta({
    id: 'QuoteRequest',
    examples: [
      { model: 'google/gemini-2.5-pro', input_tokens: 250000, output_tokens: 2000, cached_input_tokens: 200000 },
      { model: 'groq/llama-3.3-70b-versatile', input_tokens: 1200, output_tokens: 300, requests: 1000 },
    ],
  })
export type QuoteRequest = z.infer<typeof QuoteRequest>

/** A batch: a JSON array of quote requests (the body is an array rather than an object). */
export const QuoteBatch = z
  .array(QuoteRequest)
  .min(1)
  .max(L.maxBatch)
  .describe(`1–${L.maxBatch} quote requests, answered in order`)
  .meta({
    id: 'QuoteBatch',
    examples: [
      [
        { model: 'meta/llama-3.3-70b-instruct', input_tokens: 1000, output_tokens: 500 },
        { model: 'meta/llama-3.3-70b-instruct', input_tokens: 100000, output_tokens: 500, gateway: 'groq,together' },
      ],
    ],
  })

const AppliedTier = z.object({
  index: z.number().int().describe('Index in the offering’s `pricing_tiers`'),
  conditions: z.record(z.string(), z.unknown()),
  reason: z.string().describe('Why it applies, e.g. `prompt of 250000 tokens is over 200000 (min_prompt_tokens)`'),
})

const OfferingQuote = z
  .object({
    id: z.string().describe('The offering id'),
    provider: z.string(),
    provider_model_id: z.string(),
    canonical_id: z.string(),
    cost: z.string().nullable().describe('Exact total in USD (decimal string); null when a part could not be priced (see `unpriced`): never a guess'),
    priced_cost: z.string().describe('Sum of the priced parts: the whole cost when `cost` is set, else a lower bound'),
    line_items: z.array(
      z.object({
        part: z.string().describe('`input`, `cached_input`, `cache_write`, `output`, `reasoning`, `request`, `image`, `web_search`, `audio_input`'),
        price_key: z.string().describe('The `pricing` key used'),
        quantity: z.number().int(),
        unit_price: z.string().describe('USD per unit: the base price, or the tier’s'),
        cost: z.string().describe('quantity × unit_price, exactly'),
        tier: AppliedTier.nullable().describe('The tier whose price applied; null: the base price'),
        note: z.string().optional().describe('A substitution made, e.g. cached tokens billed at the prompt price'),
      }),
    ),
    unpriced: z
      .array(z.object({ part: z.string(), price_key: z.string(), quantity: z.number().int(), reason: z.enum(['variable', 'unknown']) }))
      .describe('Parts without a price: `variable` (the upstream sends -1: depends on the model routed to) or `unknown` (no such price stated). Never counted as 0.'),
    context_length: z.number().int().nullable(),
    max_output_tokens: z.number().int().nullable(),
    fits: z
      .object({ context: z.boolean().nullable(), output: z.boolean().nullable() })
      .describe('Whether one request fits: input + audio + output tokens ≤ context_length; output tokens ≤ max_output_tokens. null: the limit is unknown'),
  })
  .meta({ id: 'OfferingQuote' })

export const Quote = z
  .object({
    object: z.literal('quote'),
    model: z.string().describe('As requested'),
    at: z.string().describe('The time the tiers were evaluated at (RFC 3339)'),
    offerings: z.array(OfferingQuote).describe('Cheapest first: fully priced offerings by cost, then partly priced ones by id'),
    cheapest: z
      .object({ id: z.string(), provider: z.string(), cost: z.string() })
      .nullable()
      .describe('The cheapest fully priced offering the request fits (neither limit known to be exceeded); null when none'),
  })
  .meta({ id: 'Quote' })

export const QuoteList = z.object({ object: z.literal('list'), data: z.array(Quote).describe('One quote per request, in order') }).meta({ id: 'QuoteList' })
