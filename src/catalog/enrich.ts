import { eq, inArray } from 'drizzle-orm'
import type { Db } from '../db/client'
import { offerings, pricing, referenceModels } from '../db/schema'
import type { Capabilities, FieldSources, OfferingOverride, Pricing, UpstreamValues } from './types'

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

/**
 * Fills what a provider's own list lacks, per field, in this order: config override, the provider,
 * the reference entry for the same provider and model (models.dev, then LiteLLM), then — for metadata,
 * never for prices, which belong to one provider — a reference entry of the same canonical model.
 * Every filled field records its source. Runs inside the caller's transaction; writes only rows whose
 * effective values changed, and says how many.
 */
export class Enricher {
  constructor(
    private readonly db: Db,
    private readonly overrides: Map<string, OfferingOverride> = new Map(),
  ) {}

  run(providerIds?: string[]): number {
    const refs = this.db.select().from(referenceModels).all()
    const exact = new Map<string, Map<string, RefRow>>()
    const byCanonical = new Map<string, Map<string, RefRow>>()
    for (const r of refs) {
      const k = `${r.providerId}\u0000${r.modelKey}`
      if (!exact.has(k)) exact.set(k, new Map())
      exact.get(k)!.set(r.source, r)
      if (!byCanonical.has(r.canonicalId)) byCanonical.set(r.canonicalId, new Map())
      const c = byCanonical.get(r.canonicalId)!
      const prev = c.get(r.source)
      // several providers' entries of one model: the most complete one speaks for it
      if (!prev || completeness(r) > completeness(prev)) c.set(r.source, r)
    }

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
      })
      .from(offerings)
      .where(scope)
      .all()
    const prices = new Map<string, { pricing: Pricing; source: string }>()
    for (const p of this.db
      .select({ offeringId: pricing.offeringId, component: pricing.component, usd: pricing.usd, source: pricing.source })
      .from(pricing)
      .where(scope ? inArray(pricing.offeringId, rows.map((r) => r.id)) : undefined)
      .all()) {
      const e = prices.get(p.offeringId) ?? { pricing: {}, source: p.source }
      ;(e.pricing as Record<string, string>)[p.component] = p.usd
      prices.set(p.offeringId, e)
    }

    const update = this.db.$client.prepare(
      'update offerings set context_length = ?, max_output_tokens = ?, input_modalities = ?, output_modalities = ?, capabilities = ?, sources = ?, prompt_price = ?, completion_price = ? where id = ?',
    )
    const deletePrices = this.db.$client.prepare('delete from pricing where offering_id = ?')
    const insertPrice = this.db.$client.prepare('insert into pricing (offering_id, component, usd, source) values (?, ?, ?, ?)')
    const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v))

    let changed = 0
    for (const row of rows) {
      const current = prices.get(row.id)
      const upstream: UpstreamValues = row.upstream ?? {
        contextLength: row.contextLength,
        maxOutputTokens: row.maxOutputTokens,
        inputModalities: row.inputModalities,
        outputModalities: row.outputModalities,
        capabilities: row.capabilities,
        pricing: current?.source === 'upstream' ? current.pricing : {},
      }
      const override = this.overrides.get(row.id)
      const present = (pairs: [string, RefRow | undefined][]) => pairs.filter((c): c is [string, RefRow] => c[1] !== undefined)
      const exactRefs = present(REFERENCE_PRECEDENCE.map((s) => [s, exact.get(`${row.providerId}\u0000${row.providerModelId.toLowerCase()}`)?.get(s)]))
      const canonRefs = present(REFERENCE_PRECEDENCE.map((s) => [`${s}:canonical`, byCanonical.get(row.canonicalId)?.get(s)]))
      const candidates = [...exactRefs, ...canonRefs]

      const sources: FieldSources = {}
      const next: Record<Scalar, unknown> = { contextLength: null, maxOutputTokens: null, inputModalities: null, outputModalities: null }
      for (const [field, name] of SCALARS) {
        const fromOverride = field === 'contextLength' ? override?.contextLength : field === 'maxOutputTokens' ? override?.maxOutputTokens : undefined
        if (!isEmpty(fromOverride)) [next[field], sources[name]] = [fromOverride, 'override']
        else if (!isEmpty(upstream[field])) [next[field], sources[name]] = [upstream[field], 'upstream']
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
        capSources.unshift('upstream')
      }
      if (capSources.length) sources.capabilities = [...new Set(capSources)].join('+')

      // Prices belong to one provider: its own, else a reference entry of the same provider and model.
      let effective: Pricing = {}
      let priceSource: string | undefined
      if (Object.keys(upstream.pricing).length) [effective, priceSource] = [upstream.pricing, 'upstream']
      else {
        const hit = exactRefs.find(([, r]) => r?.pricing && Object.keys(r.pricing).length)
        if (hit) [effective, priceSource] = [hit[1].pricing!, hit[0]]
      }
      if (override?.pricing && Object.keys(override.pricing).length) [effective, priceSource] = [{ ...effective, ...override.pricing }, 'override']
      if (priceSource) sources.pricing = priceSource

      const capsOut = Object.keys(caps).length ? caps : null
      // sort/filter keys: a float copy of the exact price, never the price itself
      const promptPrice = effective.prompt !== undefined ? Number(effective.prompt) : null
      const completionPrice = effective.completion !== undefined ? Number(effective.completion) : null
      const before = json([row.contextLength, row.maxOutputTokens, row.inputModalities, row.outputModalities, row.capabilities, row.sources, current?.pricing ?? {}, current?.source, row.promptPrice, row.completionPrice])
      const after = json([next.contextLength, next.maxOutputTokens, next.inputModalities, next.outputModalities, capsOut, sources, effective, Object.keys(effective).length ? priceSource : undefined, promptPrice, completionPrice])
      if (before === after && row.upstream) continue
      changed += before === after ? 0 : 1
      update.run(next.contextLength as number | null, next.maxOutputTokens as number | null, json(next.inputModalities), json(next.outputModalities), json(capsOut), json(sources), promptPrice, completionPrice, row.id)
      if (row.upstream === null) this.db.update(offerings).set({ upstream }).where(eq(offerings.id, row.id)).run()
      deletePrices.run(row.id)
      for (const [component, usd] of Object.entries(effective)) insertPrice.run(row.id, component, usd, priceSource ?? 'upstream')
    }
    return changed
  }
}

function completeness(r: RefRow): number {
  return [r.contextLength, r.maxOutputTokens, r.inputModalities, r.outputModalities, r.capabilities].filter((v) => !isEmpty(v)).length
}
