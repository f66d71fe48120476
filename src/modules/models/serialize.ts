import type { OfferingRow } from '../../catalog/store'
import type { CanonicalOffering, CanonicalRow } from '../../catalog/reads'
import type { CanonicalGroup, IndexData } from '../../catalog/engine'
import type { Bytes } from '../../lib/bytes'
import { VARIABLE_PRICE, type PriceTier, type Pricing } from '../../domain/types'
import type { Model } from './model'

const CORE_KEYS = new Set([
  'id',
  'canonical_id',
  'canonical_basis',
  'object',
  'created',
  'owned_by',
  'provider',
  'provider_model_id',
  'name',
  'description',
  'context_length',
  'max_output_tokens',
  'architecture',
  'pricing',
  'supported_parameters',
  'capabilities',
  'deprecation',
  'pricing_variable',
  'pricing_tiers',
  'conflicts',
  'sources',
  'source',
  'first_seen_at',
  'last_seen_at',
])

/** Prices as served: a variable price (the upstream's `-1`) is null, never a number. */
export type ServedPricing = Record<string, string | null>
export function servedPricing(p: Pricing): ServedPricing {
  const out: ServedPricing = {}
  for (const [k, v] of Object.entries(p)) out[k] = v === VARIABLE_PRICE ? null : v
  return out
}
const isVariable = (p: Pricing) => Object.values(p).includes(VARIABLE_PRICE)
const servedTiers = (t: PriceTier[] | null | undefined) => (t ?? []).map((x) => ({ conditions: x.conditions, pricing: servedPricing(x.pricing) }))

/** OfferingRow → the API's model object. Provider extras pass through but never shadow a core field. */
export function toModel(row: OfferingRow): Model {
  const { architecture, ...extra } = (row.extra ?? {}) as { architecture?: Record<string, unknown> }
  const model: Model = {
    id: row.id,
    canonical_id: row.canonicalId,
    canonical_basis: row.canonicalBasis,
    object: 'model',
    created: row.created && row.created > 0 ? row.created : row.firstSeenAt,
    owned_by: row.ownedBy ?? (row.providerModelId.includes('/') ? row.providerModelId.split('/')[0]! : row.providerId),
    provider: row.providerId,
    provider_model_id: row.providerModelId,
    name: row.name,
    description: row.description,
    context_length: row.contextLength,
    max_output_tokens: row.maxOutputTokens,
    architecture: { ...architecture, input_modalities: row.inputModalities, output_modalities: row.outputModalities },
    pricing: servedPricing(row.pricing),
    pricing_variable: isVariable(row.pricing),
    pricing_tiers: servedTiers(row.priceTiers),
    supported_parameters: row.supportedParameters,
    capabilities: row.capabilities ?? {},
    deprecation: row.deprecation ? { source: null, ...row.deprecation } : null,
    conflicts: row.conflicts ?? [],
    sources: row.sources ?? {},
    source: row.source === 'bootstrap' ? 'bootstrap' : 'live',
    first_seen_at: new Date(row.firstSeenAt * 1000).toISOString(),
    last_seen_at: row.source !== 'bootstrap' && row.providerSeenAt ? new Date(row.providerSeenAt).toISOString() : null,
  }
  for (const [k, v] of Object.entries(extra)) if (!CORE_KEYS.has(k)) (model as Record<string, unknown>)[k] = v
  return model
}

export interface CanonicalModel {
  id: string
  object: 'model'
  created: number
  owned_by: string
  name: string
  context_length: number | null
  max_output_tokens: number | null
  architecture: { input_modalities: string[] | null; output_modalities: string[] | null }
  /** The cheapest offering's prices (what an OpenAI-style client reading `pricing` expects). */
  pricing: ServedPricing
  provider_count: number
  first_seen_at: string
  last_seen_at: string | null
  providers: (Omit<CanonicalOffering, 'pricing'> & { pricing: ServedPricing; status: string })[]
  cheapest: { provider: string; id: string; pricing: ServedPricing } | null
}

/** A canonical model of the unique view: one entry per underlying model, every provider offering it. */
export function toCanonicalModel(r: CanonicalRow, status: (provider: string) => string): CanonicalModel {
  return {
    id: r.canonicalId,
    object: 'model',
    created: r.created,
    owned_by: r.canonicalId.split('/')[0]!,
    name: r.name,
    context_length: r.contextLength,
    max_output_tokens: r.maxOutputTokens,
    architecture: { input_modalities: r.inputModalities, output_modalities: r.outputModalities },
    pricing: servedPricing(r.cheapest?.pricing ?? {}),
    provider_count: r.providerCount,
    first_seen_at: new Date(r.firstSeen * 1000).toISOString(),
    last_seen_at: r.lastSeen ? new Date(r.lastSeen).toISOString() : null,
    providers: r.offerings.map((o) => ({ ...o, pricing: servedPricing(o.pricing), status: status(o.provider) })),
    cheapest: r.cheapest ? { provider: r.cheapest.provider, id: r.cheapest.id, pricing: servedPricing(r.cheapest.pricing) } : null,
  }
}

const text = JSON.stringify
/**
 * A stored pricing's JSON text as served: as it is, unless a price in it is variable (then rebuilt by servedPricing),
 * or it names `__proto__` (which servedPricing's assignment drops; price keys never do: PRICE_KEY).
 */
const REBUILT_WHEN = [`"${VARIABLE_PRICE}"`, '"__proto__"']
const servedPricingJson = (json: string) => (REBUILT_WHEN.some((t) => json.includes(t)) ? text(servedPricing(JSON.parse(json))) : json)
const utf8 = (s: string) => new TextEncoder().encode(s)
/** What servedPricingJson rebuilds, as bytes to look for in a stored pricing's JSON. */
const REBUILT = REBUILT_WHEN.map(utf8)
const OPEN_OFFERING = utf8('{"id":')

/** Whether src[start, end) contains `needle`. */
function holds(src: Uint8Array, start: number, end: number, needle: Uint8Array): boolean {
  const first = needle[0]!
  outer: for (let i = start; i + needle.length <= end; i++) {
    if (src[i] !== first) continue
    for (let k = 1; k < needle.length; k++) if (src[i + k] !== needle[k]) continue outer
    return true
  }
  return false
}

/**
 * Writes unique-view groups as the query index holds them (src/catalog/engine.ts) into a Bytes: exactly the text
 * `JSON.stringify(toCanonicalModel(row, status))` makes (keys in its order; tests compare the two), but each
 * offering's fields are copied from the index's columns as bytes: its id, provider_model_id and prices as stored
 * (a variable price or a `__proto__` key rebuilt through servedPricing), the text around them made once per
 * provider, basis and context length. A 1,000-group page lists thousands of offerings: no string is made for them.
 */
export class CanonicalWriter {
  readonly #perProvider: ({ json: Uint8Array; mid: Uint8Array; tail: Uint8Array; skip: number } | undefined)[] = []
  readonly #perBasis = new Map<number, Uint8Array>()
  readonly #perContext = new Map<number, Uint8Array>()
  readonly #decoder = new TextDecoder()

  constructor(
    private readonly d: IndexData,
    private readonly status: (provider: string) => string,
  ) {}

  /** A provider's texts: its JSON string, the text between an id and a provider_model_id, the status and the close. */
  #provider(p: number) {
    let parts = this.#perProvider[p]
    if (!parts) {
      const id = this.d.providerIds[p]!
      parts = {
        json: utf8(text(id)),
        mid: utf8(`,"provider":${text(id)},"provider_model_id":`),
        tail: utf8(`,"status":${text(this.status(id))}}`),
        // ids are `${provider}/${provider_model_id}`: the provider_model_id starts this many bytes in
        skip: utf8(id).length + 1,
      }
      this.#perProvider[p] = parts
    }
    return parts
  }

  #basis(b: number): Uint8Array {
    let t = this.#perBasis.get(b)
    if (!t) this.#perBasis.set(b, (t = utf8(`,"canonical_basis":${b < 0 ? 'null' : text(this.d.bases[b]!)},"context_length":`)))
    return t
  }

  #context(v: number): Uint8Array {
    let t = this.#perContext.get(v)
    if (!t) this.#perContext.set(v, (t = utf8(`${text(Number.isNaN(v) ? null : v)},"pricing":`)))
    return t
  }

  /** Row r's prices as served: the stored JSON's bytes, or (rarely) rebuilt. */
  #pricing(out: Bytes, r: number) {
    const { bytes, offsets } = this.d.pricing
    const [start, end] = [offsets[r]!, offsets[r + 1]!]
    if (REBUILT.some((needle) => holds(bytes, start, end, needle))) out.add(servedPricingJson(this.#decoder.decode(bytes.subarray(start, end))))
    else out.addRange(bytes, start, end)
  }

  write(out: Bytes, g: CanonicalGroup) {
    const d = this.d
    const { bytes: ids, offsets: idAt } = d.ids
    const cheapest = g.cheapest < 0 ? -1 : g.rows[g.cheapest]!
    out.add(
      `{"id":${text(g.canonicalId)},"object":"model","created":${text(g.created)},"owned_by":${text(g.canonicalId.split('/')[0]!)},"name":${text(g.name)}` +
        `,"context_length":${text(g.contextLength)},"max_output_tokens":${text(g.maxOutputTokens)}` +
        `,"architecture":{"input_modalities":${text(g.inputModalities)},"output_modalities":${text(g.outputModalities)}}` +
        ',"pricing":',
    )
    if (cheapest < 0) out.add('{}')
    else this.#pricing(out, cheapest)
    out.add(
      `,"provider_count":${text(g.providerCount)}` +
        `,"first_seen_at":${text(new Date(g.firstSeen * 1000).toISOString())},"last_seen_at":${g.lastSeen ? text(new Date(g.lastSeen).toISOString()) : 'null'}` +
        ',"providers":[',
    )
    for (let i = 0; i < g.rows.length; i++) {
      const r = g.rows[i]!
      const p = this.#provider(d.provider[r]!)
      if (i) out.add(',')
      out.addBytes(OPEN_OFFERING)
      out.addJsonString(ids, idAt[r]!, idAt[r + 1]!)
      out.addBytes(p.mid)
      out.addJsonString(ids, idAt[r]! + p.skip, idAt[r + 1]!)
      out.addBytes(this.#basis(d.basis[r]!))
      out.addBytes(this.#context(d.ctx[r]!))
      this.#pricing(out, r)
      out.addBytes(p.tail)
    }
    out.add('],"cheapest":')
    if (cheapest < 0) out.add('null')
    else {
      out.add('{"provider":')
      out.addBytes(this.#provider(d.provider[cheapest]!).json)
      out.add(',"id":')
      out.addJsonString(ids, idAt[cheapest]!, idAt[cheapest + 1]!)
      out.add(',"pricing":')
      this.#pricing(out, cheapest)
      out.add('}')
    }
    out.add('}')
  }
}
