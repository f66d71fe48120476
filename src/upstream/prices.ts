import { shift, toDecimal } from '../lib/decimal'
import { PRICE_KEY, VARIABLE_PRICE, type PriceTier, type Pricing } from '../domain/types'

/**
 * Price objects of any shape, read by one rule for adapters and reference parsers alike: every numeric
 * value (a JSON number or a numeric string) under a key that can be a price key becomes an exact decimal
 * string (shifted by `exponent` for per-1M sources); a negative value is the upstream's "variable" marker
 * (OpenRouter's `-1` on routers) and is kept as VARIABLE_PRICE, never as a number and never as 0. Keys
 * are renamed through `rename` (source spelling → OpenRouter's name); the set of keys is not closed.
 */
export function readPrices(raw: unknown, opts: { rename?: Readonly<Record<string, string>>; exponent?: number; skip?: ReadonlySet<string> } = {}): Pricing {
  const out: Pricing = {}
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return out
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    if (opts.skip?.has(key)) continue
    const name = opts.rename?.[key] ?? key
    if (!PRICE_KEY.test(name) || name in out) continue
    const d = typeof value === 'number' || typeof value === 'string' ? toDecimal(value) : null
    if (d === null) continue
    if (d.startsWith('-')) out[name] = VARIABLE_PRICE
    else {
      const v = opts.exponent ? shift(d, opts.exponent) : d
      if (v !== null) out[name] = v
    }
  }
  return out
}

/** Tier conditions as numbers: OpenRouter's override condition fields. */
const NUMERIC_CONDITIONS = ['min_prompt_tokens', 'utc_start', 'utc_end'] as const
const CONDITION_KEYS = new Set<string>([...NUMERIC_CONDITIONS, 'utc_days'])

/**
 * OpenRouter `pricing.overrides` → tiers: the condition fields (min_prompt_tokens, utc_start, utc_end,
 * utc_days) become `conditions`, every other numeric field a price of the tier. An entry with no
 * condition or no price says nothing and is dropped.
 */
export function tiersFromOverrides(raw: unknown): PriceTier[] {
  if (!Array.isArray(raw)) return []
  const out: PriceTier[] = []
  for (const entry of raw) {
    if (!entry || typeof entry !== 'object' || Array.isArray(entry)) continue
    const e = entry as Record<string, unknown>
    const conditions: PriceTier['conditions'] = {}
    for (const k of NUMERIC_CONDITIONS) if (typeof e[k] === 'number' && Number.isFinite(e[k])) conditions[k] = e[k] as number
    if (Array.isArray(e.utc_days)) conditions.utc_days = e.utc_days.filter((d): d is string => typeof d === 'string')
    const pricing = readPrices(e, { skip: CONDITION_KEYS })
    if (Object.keys(conditions).length && Object.keys(pricing).length) out.push({ conditions, pricing })
  }
  return out
}

/** A tier for prompts over `minPromptTokens`, when it names any price. */
export const contextTier = (minPromptTokens: number, pricing: Pricing): PriceTier[] => (Object.keys(pricing).length ? [{ conditions: { min_prompt_tokens: minPromptTokens }, pricing }] : [])
