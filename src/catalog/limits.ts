import { CAPABILITIES, PRICE_KEY, VARIABLE_PRICE, type Capabilities, type Deprecation, type OfferingInput, type PriceTier, type Pricing } from '../domain/types'
import { DECIMAL_LIMITS, MAX_DECIMAL_CHARS } from '../lib/decimal'

export { MAX_DECIMAL_CHARS }

/**
 * Caps on every value that comes from an upstream list, in one place. The refresh worker applies
 * them (capOffering) to every adapter's output before anything is derived or stored, so each stored
 * string, list and object has a known largest size. An id is identity: one over its cap refuses the
 * item (skipped and counted), never truncated into another id. Free text is truncated.
 */
export const LIMITS = {
  /** provider model id (chars): longer → the item is skipped and counted */
  idChars: 256,
  /** display name (chars): truncated */
  nameChars: 256,
  /** description (chars): truncated */
  descriptionChars: 4096,
  /** owned_by (chars): longer → dropped (null), an owner cut short is another owner */
  ownedByChars: 256,
  /** modalities and supported parameters: at most this many entries per list (the rest dropped) */
  listItems: 64,
  /** one entry of those lists (chars): longer entries are dropped */
  listItemChars: 64,
  /** deprecation dates and replacement id (chars): longer → null */
  deprecationChars: 256,
  /** `extra` pass-through object, serialized JSON (bytes): larger → dropped (null) */
  extraJsonBytes: 16 * 1024,
  /** context length / max output tokens: a positive integer up to this, else unknown (null) */
  maxTokens: 1_000_000_000,
  /** price keys per offering (and per tier): past it the rest are dropped; a key is at most 100 chars of [a-z0-9_] */
  priceKeys: 64,
  /** conditional price tiers per offering: past it the rest are dropped */
  priceTiers: 16,
  /** prices (lib/decimal.ts): significant digits, integer digits (value < 10^24), fraction digits (value ≥ 10^-30) */
  ...DECIMAL_LIMITS,
  /** entries the store's canonical-id memo keeps (least recently used dropped first) */
  canonicalMemoEntries: 50_000,
  /** items normalized between two checks of the provider's deadline (a macrotask yield each time) */
  normalizeSlice: 500,
} as const

/** Strips C0/C1 control characters (keeps \t \n \r) from upstream text. */
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g

/** `s` without control characters, cut to `max` chars (never in the middle of a surrogate pair). */
export function truncate(s: string, max: number): string {
  if (s.length <= max) return s
  const code = s.charCodeAt(max - 1)
  return s.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max)
}

const text = (s: unknown, max: number): string | null => (typeof s === 'string' ? truncate(s.replace(CONTROL, ''), max) : null)
/** Kept whole or not at all: identities and values a cut would turn into other ones. */
const whole = (s: unknown, max: number, trim = true): string | null => {
  if (typeof s !== 'string' || s.length > max * 2) return null // cheap refusal before cleaning a huge string
  const c = s.replace(CONTROL, '')
  const t = trim ? c.trim() : c
  return t && t.length <= max ? t : null
}

function list(v: unknown): string[] | null {
  if (!Array.isArray(v)) return null
  const out: string[] = []
  for (const item of v) {
    if (out.length >= LIMITS.listItems) break
    const s = whole(item, LIMITS.listItemChars, false)
    if (s) out.push(s)
  }
  return out
}

const tokens = (n: unknown): number | null => (typeof n === 'number' && Number.isInteger(n) && n > 0 && n <= LIMITS.maxTokens ? n : null)

function capabilities(c: Capabilities | null | undefined): Capabilities | null {
  if (!c || typeof c !== 'object') return null
  const out: Capabilities = {}
  for (const k of CAPABILITIES) if (typeof c[k] === 'boolean') out[k] = c[k]
  return Object.keys(out).length ? out : null
}

/** Any key matching PRICE_KEY (the set is open), at most LIMITS.priceKeys of them; a value is a bounded decimal or the variable marker. */
function pricing(p: Pricing | null | undefined): Pricing {
  const out: Pricing = {}
  let n = 0
  for (const [k, v] of Object.entries(p ?? {})) {
    if (n >= LIMITS.priceKeys) break
    if (PRICE_KEY.test(k) && typeof v === 'string' && v.length <= MAX_DECIMAL_CHARS && (v === VARIABLE_PRICE || /^\d/.test(v))) {
      out[k] = v
      n++
    }
  }
  return out
}

const whole7 = (n: unknown) => (typeof n === 'number' && Number.isFinite(n) && n >= 0 && n <= LIMITS.maxTokens ? n : undefined)

/** At most LIMITS.priceTiers tiers, each with bounded numeric conditions, at most 7 day names and capped prices. */
function priceTiers(t: PriceTier[] | null | undefined): PriceTier[] | null {
  if (!Array.isArray(t)) return null
  const out: PriceTier[] = []
  for (const tier of t.slice(0, LIMITS.priceTiers)) {
    const c = tier?.conditions ?? {}
    const conditions: PriceTier['conditions'] = {}
    for (const k of ['min_prompt_tokens', 'utc_start', 'utc_end'] as const) {
      const v = whole7(c[k])
      if (v !== undefined) conditions[k] = v
    }
    if (Array.isArray(c.utc_days)) conditions.utc_days = c.utc_days.slice(0, 7).flatMap((d) => (typeof d === 'string' && d.length <= 16 ? [d] : []))
    const prices = pricing(tier?.pricing)
    if (Object.keys(conditions).length && Object.keys(prices).length) out.push({ conditions, pricing: prices })
  }
  return out.length ? out : null
}

function deprecation(d: Deprecation | null | undefined): Deprecation | null {
  if (!d || typeof d !== 'object') return null
  const out: Deprecation = { date: whole(d.date, LIMITS.deprecationChars), end_of_life: whole(d.end_of_life, LIMITS.deprecationChars), replacement: whole(d.replacement, LIMITS.deprecationChars) }
  if (d.source != null) out.source = whole(d.source, LIMITS.deprecationChars)
  return out
}

function extra(e: Record<string, unknown> | null | undefined): Record<string, unknown> | null {
  if (!e || typeof e !== 'object') return null
  try {
    const s = JSON.stringify(e)
    // chars ≤ bytes ≤ 3 × chars for UTF-16 → UTF-8: the exact byte count only when it could matter
    if (s.length > LIMITS.extraJsonBytes || Buffer.byteLength(s) > LIMITS.extraJsonBytes) return null
    return JSON.parse(s) // a plain copy: what is stored is what was measured
  } catch {
    return null // too deeply nested to serialize
  }
}

/**
 * One adapter's offering within the caps, or null when it cannot be kept (no id, or an id over its
 * cap). Free text is cleaned of control characters and truncated; lists, objects and numbers out of
 * range are dropped to unknown.
 */
export function capOffering(o: OfferingInput): OfferingInput | null {
  const id = whole(o.providerModelId, LIMITS.idChars)
  if (!id) return null
  // same keys in the same order as the adapter gave (the content hash of an unchanged row stays the same)
  const out: OfferingInput = { ...o, providerModelId: id, name: text(o.name, LIMITS.nameChars) || id, pricing: pricing(o.pricing) }
  if (o.description != null) out.description = text(o.description, LIMITS.descriptionChars)
  if (o.created != null) out.created = Number.isFinite(o.created) ? o.created : null
  if (o.ownedBy != null) out.ownedBy = whole(o.ownedBy, LIMITS.ownedByChars, false)
  if (o.contextLength != null) out.contextLength = tokens(o.contextLength)
  if (o.maxOutputTokens != null) out.maxOutputTokens = tokens(o.maxOutputTokens)
  if (o.inputModalities != null) out.inputModalities = list(o.inputModalities)
  if (o.outputModalities != null) out.outputModalities = list(o.outputModalities)
  if (o.supportedParameters != null) out.supportedParameters = list(o.supportedParameters)
  if (o.capabilities != null) out.capabilities = capabilities(o.capabilities)
  if (o.deprecation != null) out.deprecation = deprecation(o.deprecation)
  if (o.extra != null) out.extra = extra(o.extra)
  if (o.priceTiers != null) out.priceTiers = priceTiers(o.priceTiers)
  return out
}
