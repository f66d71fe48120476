import { decimalAdd, decimalCompare, decimalMul, isPlainDecimal } from '../lib/decimal'
import { VARIABLE_PRICE, type PriceTier, type Pricing } from '../domain/types'
import type { OfferingRow } from './rows'

/**
 * The exact cost of one request on one offering: which price applies to each part of the request
 * (the base price or a tier, and why), the product of each part, their sum — all as exact decimal
 * strings (src/lib/decimal.ts), never floats. A part whose price is variable (the upstream's `-1`) or
 * unknown (the offering states none) is reported as unpriced, never counted as 0.
 */

/** What a request consumes, per request (`requests` multiplies everything). Validated by the quote module. */
export interface QuoteRequest {
  /** Prompt tokens in all, including cached_input_tokens and cache_write_tokens (as OpenAI's `prompt_tokens`). */
  input_tokens: number
  /** Generated tokens in all, including reasoning_tokens (as OpenAI's `completion_tokens`). */
  output_tokens: number
  cached_input_tokens?: number
  cache_write_tokens?: number
  cache_ttl?: '5m' | '1h'
  reasoning_tokens?: number
  /** How many such requests (default 1): every quantity and the per-request price are multiplied by it. */
  requests?: number
  images?: number
  web_searches?: number
  /** Audio tokens of the prompt, counted apart from input_tokens. */
  audio_input_tokens?: number
}

export interface AppliedTier {
  /** Index in the offering's `pricing_tiers`. */
  index: number
  conditions: PriceTier['conditions']
  /** Why it applies, in words. */
  reason: string
}

export interface LineItem {
  /** What is billed: `input`, `cached_input`, `cache_write`, `output`, `reasoning`, `request`, `image`, `web_search`, `audio_input`. */
  part: string
  /** The price key used (`prompt`, `input_cache_read`, …). */
  price_key: string
  quantity: number
  /** USD per unit: the base price or the tier's. */
  unit_price: string
  /** quantity × unit_price, exactly. */
  cost: string
  /** The tier whose price applied; null: the base price. */
  tier: AppliedTier | null
  /** A substitution made (e.g. cached tokens billed at the prompt price when no cache-read price is stated). */
  note?: string
}

export interface UnpricedPart {
  part: string
  price_key: string
  quantity: number
  /** `variable`: the price depends on the model routed to (upstream `-1`); `unknown`: the offering states no such price. */
  reason: 'variable' | 'unknown'
}

export interface OfferingQuote {
  id: string
  provider: string
  provider_model_id: string
  canonical_id: string
  /** The exact total in USD; null when any part could not be priced (see `unpriced`). */
  cost: string | null
  /** The sum of the priced parts (a lower bound when `cost` is null). */
  priced_cost: string
  line_items: LineItem[]
  unpriced: UnpricedPart[]
  context_length: number | null
  max_output_tokens: number | null
  /** Whether one request fits the context (prompt + audio + output tokens) and output limits; null: the limit is unknown. */
  fits: { context: boolean | null; output: boolean | null }
}

const DAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday']
const hhmm = (n: number) => `${String(Math.floor(n / 100)).padStart(2, '0')}:${String(n % 100).padStart(2, '0')}`

/** Why a tier applies to a request at `at`, or null when a condition does not hold. */
export function tierReason(tier: PriceTier, promptTokens: number, at: Date): string | null {
  const c = tier.conditions
  const reasons: string[] = []
  if (c.min_prompt_tokens !== undefined) {
    if (!(promptTokens > c.min_prompt_tokens)) return null
    reasons.push(`prompt of ${promptTokens} tokens is over ${c.min_prompt_tokens} (min_prompt_tokens)`)
  }
  if (c.utc_days !== undefined || c.utc_start !== undefined || c.utc_end !== undefined) {
    const day = DAYS[at.getUTCDay()]!
    const now = at.getUTCHours() * 100 + at.getUTCMinutes()
    if (c.utc_days?.length && !c.utc_days.some((d) => d.toLowerCase().slice(0, 3) === day.slice(0, 3))) return null
    const start = c.utc_start ?? 0
    const end = c.utc_end ?? 2400
    const inside = start <= end ? now >= start && now < end : now >= start || now < end
    if (!inside) return null
    reasons.push(`${day} ${hhmm(now)} UTC is within ${hhmm(start)}–${hhmm(end)}${c.utc_days?.length ? ` on ${c.utc_days.join(', ')}` : ''}`)
  }
  return reasons.length ? reasons.join('; ') : null
}

/** Each price key's effective price and the tier it comes from: the base, replaced per key by every applying tier in order. */
function effectivePrices(pricing: Pricing, tiers: PriceTier[] | null, promptTokens: number, at: Date) {
  const price = new Map<string, { value: string; tier: AppliedTier | null }>()
  for (const [k, v] of Object.entries(pricing)) price.set(k, { value: v, tier: null })
  ;(tiers ?? []).forEach((tier, index) => {
    const reason = tierReason(tier, promptTokens, at)
    if (reason === null) return
    const applied = { index, conditions: tier.conditions, reason }
    for (const [k, v] of Object.entries(tier.pricing)) price.set(k, { value: v, tier: applied })
  })
  return price
}

/** The quote of `request` on one offering at time `at` (time-of-day tiers). */
export function quoteOffering(row: OfferingRow, request: QuoteRequest, at: Date): OfferingQuote {
  const n = request.requests ?? 1
  const cached = request.cached_input_tokens ?? 0
  const written = request.cache_write_tokens ?? 0
  const reasoning = request.reasoning_tokens ?? 0
  const audio = request.audio_input_tokens ?? 0
  const prices = effectivePrices(row.pricing, row.priceTiers, request.input_tokens, at)
  const items: LineItem[] = []
  const unpriced: UnpricedPart[] = []

  /** Bills `perRequest` units of `part` at `key` (or `fallback` when `key` is absent); absent both: optional parts are skipped, others unknown. */
  const bill = (part: string, perRequest: number, key: string, opts: { fallback?: string; note?: string; optional?: boolean } = {}) => {
    if (perRequest <= 0) return
    const quantity = perRequest * n
    let used = key
    let p = prices.get(key)
    let note: string | undefined
    if (p === undefined && opts.fallback !== undefined) {
      used = opts.fallback
      p = prices.get(used)
      note = opts.note
    }
    if (p === undefined) {
      if (!opts.optional) unpriced.push({ part, price_key: key, quantity, reason: 'unknown' })
      return
    }
    if (p.value === VARIABLE_PRICE) {
      unpriced.push({ part, price_key: used, quantity, reason: 'variable' })
      return
    }
    // stored prices are canonical decimal strings; anything else is no price, never a crash or a guess
    if (!isPlainDecimal(p.value) || p.value.startsWith('-')) {
      unpriced.push({ part, price_key: used, quantity, reason: 'unknown' })
      return
    }
    items.push({ part, price_key: used, quantity, unit_price: p.value, cost: decimalMul(p.value, quantity), tier: p.tier, ...(note ? { note } : {}) })
  }

  bill('input', request.input_tokens - cached - written, 'prompt')
  // a cache read is never dearer than an uncached token: without a cache-read price, cached tokens cost the prompt price (an upper bound)
  bill('cached_input', cached, 'input_cache_read', { fallback: 'prompt', note: 'no input_cache_read price stated: billed at the prompt price' })
  // a cache write may cost more than the prompt price: without its price it is unknown
  bill('cache_write', written, request.cache_ttl === '1h' ? 'input_cache_write_1h' : 'input_cache_write')
  // reasoning tokens are output tokens unless the offering prices them apart (a stated, non-zero internal_reasoning)
  const r = prices.get('internal_reasoning')
  const apart = reasoning > 0 && r !== undefined && r.value !== '0'
  if (apart) bill('reasoning', reasoning, 'internal_reasoning')
  bill('output', request.output_tokens - (apart ? reasoning : 0), 'completion')
  // a per-request fee is stated when there is one: none stated is none
  bill('request', 1, 'request', { optional: true })
  bill('image', request.images ?? 0, 'image')
  bill('web_search', request.web_searches ?? 0, 'web_search')
  bill('audio_input', audio, 'audio')

  const priced = decimalAdd(...items.map((i) => i.cost))
  const ctx = row.contextLength
  const out = row.maxOutputTokens
  return {
    id: row.id,
    provider: row.providerId,
    provider_model_id: row.providerModelId,
    canonical_id: row.canonicalId,
    cost: unpriced.length ? null : priced,
    priced_cost: priced,
    line_items: items,
    unpriced,
    context_length: ctx,
    max_output_tokens: out,
    fits: {
      context: ctx === null ? null : request.input_tokens + audio + request.output_tokens <= ctx,
      output: out === null ? null : request.output_tokens <= out,
    },
  }
}

/** Cheapest first: fully priced offerings by cost (then id), then the partly priced ones by id. */
export function byCost(a: OfferingQuote, b: OfferingQuote): number {
  if (a.cost !== null && b.cost !== null) return decimalCompare(a.cost, b.cost) || (a.id < b.id ? -1 : 1)
  if (a.cost !== null) return -1
  if (b.cost !== null) return 1
  return a.id < b.id ? -1 : 1
}

/** The best offering that fits: fully priced, neither limit known to be exceeded. Quotes must be sorted (byCost). */
export const cheapestFitting = (sorted: OfferingQuote[]) => sorted.find((q) => q.cost !== null && q.fits.context !== false && q.fits.output !== false) ?? null
