import { inArray } from 'drizzle-orm'
import type { Db } from '../db/client'
import { offerings, pricing, referenceModels } from '../db/schema'
import { VARIABLE_PRICE, type Capabilities, type Conflict, type Deprecation, type FieldSources, type OfferingOverride, type PriceTier, type Pricing, type UpstreamValues } from '../domain/types'

/** Reference catalogs in order of precedence (after the provider itself and config overrides). */
export const REFERENCE_PRECEDENCE = ['models.dev', 'litellm'] as const

type RefRow = typeof referenceModels.$inferSelect
type Scalar = 'contextLength' | 'maxOutputTokens' | 'inputModalities' | 'outputModalities'
const SCALARS: [Scalar, keyof FieldSources][] = [
  ['contextLength', 'context_length'],
  ['maxOutputTokens', 'max_output_tokens'],
  ['inputModalities', 'input_modalities'],
  ['outputModalities', 'output_modalities'],
]

const isEmpty = (v: unknown) => v === null || v === undefined || (Array.isArray(v) && v.length === 0)

/** The effective values of one offering's fillable fields, and where each came from. */
export interface Filled {
  contextLength: number | null
  maxOutputTokens: number | null
  inputModalities: string[] | null
  outputModalities: string[] | null
  capabilities: Capabilities | null
  pricing: Pricing
  priceSource: string | null
  /** Conditional prices, from the same source as the base prices. */
  priceTiers: PriceTier[] | null
  /** Unix seconds: the upstream's, else a reference's release date; null: first seen (sources.created says which). */
  created: number | null
  deprecation: Deprecation | null
  /** Where an exact reference entry disagrees with the provider's own value; null when none does. */
  conflicts: Conflict[] | null
  sources: FieldSources
  /** Float copies of the exact prompt/completion prices: sort and filter keys only. */
  promptPrice: number | null
  completionPrice: number | null
}

export interface OfferingKey {
  id: string
  providerId: string
  providerModelId: string
  canonicalId: string
}

/**
 * Fills what a provider's own list lacks, per field, in this order: config override, the provider,
 * the reference entry for the same provider and model (models.dev, then LiteLLM), then — for metadata,
 * never for prices, which belong to one provider — a reference entry of the same canonical model.
 * Every filled field records its source.
 */
export class Enricher {
  constructor(
    private readonly db: Db,
    private readonly overrides: Map<string, OfferingOverride> = new Map(),
  ) {}

  /** Reads the reference entries once and returns the fill function for any number of offerings. */
  load(): (o: OfferingKey, upstream: UpstreamValues, upstreamLabel?: string) => Filled {
    const exact = new Map<string, Map<string, RefRow>>()
    const byCanonical = new Map<string, Map<string, RefRow>>()
    for (const r of this.db.select().from(referenceModels).all()) {
      const k = `${r.providerId}\u0000${r.modelKey}`
      if (!exact.has(k)) exact.set(k, new Map())
      exact.get(k)!.set(r.source, r)
      if (!byCanonical.has(r.canonicalId)) byCanonical.set(r.canonicalId, new Map())
      const c = byCanonical.get(r.canonicalId)!
      const prev = c.get(r.source)
      // several providers' entries of one model: the most complete one speaks for it
      if (!prev || completeness(r) > completeness(prev)) c.set(r.source, r)
    }
    const present = (pairs: [string, RefRow | undefined][]) => pairs.filter((c): c is [string, RefRow] => c[1] !== undefined)

    /** `upstreamLabel`: what the provider's own values are called in `sources` (`bootstrap` for snapshot rows). */
    return (row, upstream, upstreamLabel = 'upstream') => {
      const override = this.overrides.get(row.id)
      const exactRefs = present(REFERENCE_PRECEDENCE.map((s) => [s, exact.get(`${row.providerId}\u0000${row.providerModelId.toLowerCase()}`)?.get(s)]))
      const canonRefs = present(REFERENCE_PRECEDENCE.map((s) => [`${s}:canonical`, byCanonical.get(row.canonicalId)?.get(s)]))
      const candidates = [...exactRefs, ...canonRefs]

      const sources: FieldSources = {}
      const next: Record<Scalar, unknown> = { contextLength: null, maxOutputTokens: null, inputModalities: null, outputModalities: null }
      for (const [field, name] of SCALARS) {
        const fromOverride = field === 'contextLength' ? override?.contextLength : field === 'maxOutputTokens' ? override?.maxOutputTokens : undefined
        if (!isEmpty(fromOverride)) [next[field], sources[name]] = [fromOverride, 'override']
        else if (!isEmpty(upstream[field])) [next[field], sources[name]] = [upstream[field], upstreamLabel]
        else {
          const hit = candidates.find(([, r]) => !isEmpty(r[field]))
          if (hit) [next[field], sources[name]] = [hit[1][field], hit[0]]
        }
      }

      // Capabilities merge: a flag the provider states wins; references fill the flags it does not state.
      const caps: Capabilities = {}
      const capSources: string[] = []
      for (const [source, r] of [...candidates].reverse()) {
        if (r.capabilities && Object.keys(r.capabilities).length) {
          Object.assign(caps, r.capabilities)
          capSources.unshift(source)
        }
      }
      if (upstream.capabilities && Object.keys(upstream.capabilities).length) {
        Object.assign(caps, upstream.capabilities)
        capSources.unshift(upstreamLabel)
      }
      if (capSources.length) sources.capabilities = [...new Set(capSources)].join('+')

      // Prices belong to one provider: its own, else a reference entry of the same provider and model.
      // An upstream that states any price (a variable one included) is the only source of prices: no
      // reference fills a key beside it. Tiers come from the source of the base prices.
      let effective: Pricing = {}
      let priceSource: string | null = null
      let tiers: PriceTier[] | null = null
      if (Object.keys(upstream.pricing).length) [effective, priceSource, tiers] = [upstream.pricing, upstreamLabel, upstream.priceTiers ?? null]
      else {
        const hit = exactRefs.find(([, r]) => r.pricing && Object.keys(r.pricing).length)
        if (hit) [effective, priceSource, tiers] = [hit[1].pricing!, hit[0], hit[1].priceTiers ?? null]
      }
      if (override?.pricing && Object.keys(override.pricing).length) [effective, priceSource] = [{ ...effective, ...override.pricing }, 'override']
      if (priceSource) sources.pricing = priceSource
      if (tiers && tiers.length === 0) tiers = null
      // the source of the base prices states no tiers: another reference entry of the same provider and
      // model whose base prices agree (within 1 %) may — its tiers are about the same prices
      if (!tiers && priceSource) {
        const agrees = (r: RefRow) => ['prompt', 'completion'].every((k) => effective[k] !== undefined && r.pricing?.[k] !== undefined && !differs(effective[k]!, r.pricing[k]!))
        const hit = exactRefs.find(([, r]) => r.priceTiers?.length && agrees(r))
        if (hit) [tiers, sources.pricing_tiers] = [hit[1].priceTiers!, hit[0]]
      }
      if (tiers && !sources.pricing_tiers) sources.pricing_tiers = priceSource!

      // created: the provider's, else a reference's release date (same provider first), else first seen
      let created: number | null = null
      if (upstream.created && upstream.created > 0) [created, sources.created] = [upstream.created, upstreamLabel]
      else {
        const hit = candidates.find(([, r]) => r.releasedAt && r.releasedAt > 0)
        if (hit) [created, sources.created] = [hit[1].releasedAt!, hit[0]]
        else sources.created = 'first_seen'
      }

      // deprecation: the provider's word, else a reference entry of the same provider (a dated one first)
      let deprecation: Deprecation | null = null
      if (upstream.deprecation) [deprecation, sources.deprecation] = [{ ...upstream.deprecation, source: upstream.deprecation.source ?? upstreamLabel }, upstreamLabel]
      else {
        const hit = exactRefs.find(([, r]) => r.deprecation?.date) ?? exactRefs.find(([, r]) => r.deprecation)
        if (hit) [deprecation, sources.deprecation] = [{ ...hit[1].deprecation!, source: hit[0] }, hit[0]]
      }

      return {
        contextLength: next.contextLength as number | null,
        maxOutputTokens: next.maxOutputTokens as number | null,
        inputModalities: next.inputModalities as string[] | null,
        outputModalities: next.outputModalities as string[] | null,
        capabilities: Object.keys(caps).length ? caps : null,
        pricing: effective,
        priceSource,
        priceTiers: tiers,
        created,
        deprecation,
        conflicts: conflictsOf(upstream, exactRefs),
        sources,
        promptPrice: sortKey(effective.prompt),
        completionPrice: sortKey(effective.completion),
      }
    }
  }

  /**
   * Re-fills stored offerings (of `providerIds`, or all) after reference entries or overrides changed.
   * Runs inside the caller's transaction; writes only rows whose effective values changed, and says how many.
   */
  run(providerIds?: string[]): number {
    const fill = this.load()
    const scope = providerIds ? inArray(offerings.providerId, providerIds) : undefined
    const rows = this.db
      .select({
        id: offerings.id,
        providerId: offerings.providerId,
        providerModelId: offerings.providerModelId,
        canonicalId: offerings.canonicalId,
        contextLength: offerings.contextLength,
        maxOutputTokens: offerings.maxOutputTokens,
        inputModalities: offerings.inputModalities,
        outputModalities: offerings.outputModalities,
        capabilities: offerings.capabilities,
        created: offerings.created,
        deprecation: offerings.deprecation,
        priceTiers: offerings.priceTiers,
        conflicts: offerings.conflicts,
        promptPrice: offerings.promptPrice,
        completionPrice: offerings.completionPrice,
        upstream: offerings.upstream,
        sources: offerings.sources,
        source: offerings.source,
      })
      .from(offerings)
      .where(scope)
      .all()
    const prices = new Map<string, Pricing>()
    for (const p of this.db.select({ offeringId: pricing.offeringId, component: pricing.component, usd: pricing.usd }).from(pricing).all()) {
      const e = prices.get(p.offeringId) ?? {}
      ;(e as Record<string, string>)[p.component] = p.usd
      prices.set(p.offeringId, e)
    }
    const write = writeFilled(this.db)
    let changed = 0
    for (const row of rows) {
      const current = prices.get(row.id) ?? {}
      const stored: UpstreamValues = row.upstream ?? {
        contextLength: row.contextLength,
        maxOutputTokens: row.maxOutputTokens,
        inputModalities: row.inputModalities,
        outputModalities: row.outputModalities,
        capabilities: row.capabilities,
        pricing: current,
      }
      // rows written before created/deprecation/tiers were kept: their columns still hold the upstream's
      const complete = stored.created !== undefined
      const upstream: UpstreamValues = complete
        ? stored
        : { ...stored, created: row.sources?.created ? null : row.created, deprecation: row.sources?.deprecation ? null : row.deprecation, priceTiers: stored.priceTiers ?? null }
      const f = fill(row, upstream, row.source === 'bootstrap' ? 'bootstrap' : 'upstream')
      const before = JSON.stringify([
        row.contextLength,
        row.maxOutputTokens,
        row.inputModalities,
        row.outputModalities,
        row.capabilities,
        row.sources,
        current,
        row.promptPrice,
        row.completionPrice,
        row.created,
        row.deprecation,
        row.priceTiers,
        row.conflicts,
      ])
      const after = JSON.stringify([
        f.contextLength,
        f.maxOutputTokens,
        f.inputModalities,
        f.outputModalities,
        f.capabilities,
        f.sources,
        f.pricing,
        f.promptPrice,
        f.completionPrice,
        f.created,
        f.deprecation,
        f.priceTiers,
        f.conflicts,
      ])
      if (before === after && complete) continue
      if (before !== after) changed++
      write(row.id, f, complete ? undefined : upstream)
    }
    return changed
  }
}

/** Writes filled values onto a stored offering (and its prices); `upstream` backfills rows written before it existed. */
export function writeFilled(db: Db) {
  const update = db.$client.prepare(
    'update offerings set context_length = ?, max_output_tokens = ?, input_modalities = ?, output_modalities = ?, capabilities = ?, sources = ?, prompt_price = ?, completion_price = ?, created = ?, deprecation = ?, price_tiers = ?, conflicts = ?, upstream = coalesce(?, upstream), content_hash = null where id = ?',
  )
  const writePrices = pricingWriter(db)
  return (id: string, f: Filled, upstream?: UpstreamValues) => {
    update.run(
      f.contextLength,
      f.maxOutputTokens,
      json(f.inputModalities),
      json(f.outputModalities),
      json(f.capabilities),
      json(f.sources),
      f.promptPrice,
      f.completionPrice,
      f.created,
      json(f.deprecation),
      json(f.priceTiers),
      json(f.conflicts),
      json(upstream),
      id,
    )
    writePrices(id, f)
  }
}

/** Replaces an offering's price rows with its effective prices. */
export function pricingWriter(db: Db) {
  const deletePrices = db.$client.prepare('delete from pricing where offering_id = ?')
  const insertPrice = db.$client.prepare('insert into pricing (offering_id, component, usd, source) values (?, ?, ?, ?)')
  return (id: string, f: Filled) => {
    deletePrices.run(id)
    for (const [component, usd] of Object.entries(f.pricing)) insertPrice.run(id, component, usd, f.priceSource ?? 'upstream')
  }
}

/** A price as a float sort/filter key: a decimal only (a variable price has none). */
const sortKey = (v: string | undefined): number | null => (v === undefined || v === VARIABLE_PRICE ? null : Number(v))

/** Prices that differ by more than this fraction of the larger one are a conflict. */
export const PRICE_CONFLICT_FRACTION = 0.01
function differs(x: string, y: string): boolean {
  if (x === VARIABLE_PRICE || y === VARIABLE_PRICE) return x !== y
  const [a, b] = [Number(x), Number(y)]
  return Math.abs(a - b) > PRICE_CONFLICT_FRACTION * Math.max(Math.abs(a), Math.abs(b))
}

/**
 * Where a reference entry of the same provider and model disagrees with what the provider states:
 * a price (both decimals) by more than 1 %, the context length by any amount. The provider's value is served.
 */
function conflictsOf(upstream: UpstreamValues, refs: [string, RefRow][]): Conflict[] | null {
  const out: Conflict[] = []
  for (const [source, r] of refs) {
    if (upstream.contextLength && r.contextLength && upstream.contextLength !== r.contextLength) {
      out.push({ field: 'context_length', upstream: upstream.contextLength, reference: r.contextLength, source })
    }
    for (const [key, u] of Object.entries(upstream.pricing)) {
      const ref = r.pricing?.[key]
      if (ref === undefined || u === VARIABLE_PRICE || ref === VARIABLE_PRICE) continue
      if (differs(u, ref)) out.push({ field: `pricing.${key}`, upstream: u, reference: ref, source })
    }
  }
  return out.length ? out : null
}

export const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v))

function completeness(r: RefRow): number {
  return [r.contextLength, r.maxOutputTokens, r.inputModalities, r.outputModalities, r.capabilities].filter((v) => !isEmpty(v)).length
}
