import type { OfferingRow } from '../../catalog/store'
import type { CanonicalOffering, CanonicalRow } from '../../catalog/reads'
import type { CanonicalRowText } from '../../catalog/engine'
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
const servedPricingJson = (json: string) => (json.includes(`"${VARIABLE_PRICE}"`) || json.includes('"__proto__"') ? text(servedPricing(JSON.parse(json))) : json)

/**
 * The text `JSON.stringify(toCanonicalModel(row, status))` makes, written from a group as the query index holds
 * it: the prices are spliced as stored instead of parsed and serialized again (a 1,000-group page of the unique
 * view is thousands of offerings). Keys in toCanonicalModel's order; a test compares the two texts.
 */
export function canonicalModelJson(r: CanonicalRowText, status: (provider: string) => string): string {
  let providers = ''
  let cheapest = 'null'
  let pricing = '{}'
  for (let i = 0; i < r.offerings.length; i++) {
    const o = r.offerings[i]!
    const price = servedPricingJson(o.pricingJson)
    const provider = text(o.provider)
    const id = text(o.id)
    if (i) providers += ','
    providers += `{"id":${id},"provider":${provider},"provider_model_id":${text(o.provider_model_id)},"canonical_basis":${text(o.canonical_basis)},"context_length":${text(o.context_length)},"pricing":${price},"status":${text(status(o.provider))}}`
    if (i === r.cheapest) {
      pricing = price
      cheapest = `{"provider":${provider},"id":${id},"pricing":${price}}`
    }
  }
  return (
    `{"id":${text(r.canonicalId)},"object":"model","created":${text(r.created)},"owned_by":${text(r.canonicalId.split('/')[0]!)},"name":${text(r.name)}` +
    `,"context_length":${text(r.contextLength)},"max_output_tokens":${text(r.maxOutputTokens)}` +
    `,"architecture":{"input_modalities":${text(r.inputModalities)},"output_modalities":${text(r.outputModalities)}}` +
    `,"pricing":${pricing},"provider_count":${text(r.providerCount)}` +
    `,"first_seen_at":${text(new Date(r.firstSeen * 1000).toISOString())},"last_seen_at":${r.lastSeen ? text(new Date(r.lastSeen).toISOString()) : 'null'}` +
    `,"providers":[${providers}],"cheapest":${cheapest}}`
  )
}
