import { inArray } from 'drizzle-orm'
import type { Db } from '../db/client'
import { offerings, pricing, referenceModels } from '../db/schema'
import type { Capabilities, FieldSources, OfferingOverride, Pricing, UpstreamValues } from '../domain/types'

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
      let effective: Pricing = {}
      let priceSource: string | null = null
      if (Object.keys(upstream.pricing).length) [effective, priceSource] = [upstream.pricing, upstreamLabel]
      else {
        const hit = exactRefs.find(([, r]) => r.pricing && Object.keys(r.pricing).length)
        if (hit) [effective, priceSource] = [hit[1].pricing!, hit[0]]
      }
      if (override?.pricing && Object.keys(override.pricing).length) [effective, priceSource] = [{ ...effective, ...override.pricing }, 'override']
      if (priceSource) sources.pricing = priceSource

      return {
        contextLength: next.contextLength as number | null,
        maxOutputTokens: next.maxOutputTokens as number | null,
        inputModalities: next.inputModalities as string[] | null,
        outputModalities: next.outputModalities as string[] | null,
        capabilities: Object.keys(caps).length ? caps : null,
        pricing: effective,
        priceSource,
        sources,
        promptPrice: effective.prompt !== undefined ? Number(effective.prompt) : null,
        completionPrice: effective.completion !== undefined ? Number(effective.completion) : null,
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
      const upstream: UpstreamValues = row.upstream ?? {
        contextLength: row.contextLength,
        maxOutputTokens: row.maxOutputTokens,
        inputModalities: row.inputModalities,
        outputModalities: row.outputModalities,
        capabilities: row.capabilities,
        pricing: current,
      }
      const f = fill(row, upstream, row.source === 'bootstrap' ? 'bootstrap' : 'upstream')
      const before = JSON.stringify([row.contextLength, row.maxOutputTokens, row.inputModalities, row.outputModalities, row.capabilities, row.sources, current, row.promptPrice, row.completionPrice])
      const after = JSON.stringify([f.contextLength, f.maxOutputTokens, f.inputModalities, f.outputModalities, f.capabilities, f.sources, f.pricing, f.promptPrice, f.completionPrice])
      if (before === after && row.upstream) continue
      if (before !== after) changed++
      write(row.id, f, row.upstream ? undefined : upstream)
    }
    return changed
  }
}

/** Writes filled values onto a stored offering (and its prices); `upstream` backfills rows written before it existed. */
export function writeFilled(db: Db) {
  const update = db.$client.prepare(
    'update offerings set context_length = ?, max_output_tokens = ?, input_modalities = ?, output_modalities = ?, capabilities = ?, sources = ?, prompt_price = ?, completion_price = ?, upstream = coalesce(?, upstream), content_hash = null where id = ?',
  )
  const writePrices = pricingWriter(db)
  return (id: string, f: Filled, upstream?: UpstreamValues) => {
    update.run(f.contextLength, f.maxOutputTokens, json(f.inputModalities), json(f.outputModalities), json(f.capabilities), json(f.sources), f.promptPrice, f.completionPrice, json(upstream), id)
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

export const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v))

function completeness(r: RefRow): number {
  return [r.contextLength, r.maxOutputTokens, r.inputModalities, r.outputModalities, r.capabilities].filter((v) => !isEmpty(v)).length
}
