import { decimalCompare } from '../lib/decimal'
import { VARIABLE_PRICE } from '../domain/types'
import type { CatalogQuery } from './reads'
import type { OfferingRow } from './rows'

const priced = (v: string | undefined) => (v === undefined || v === VARIABLE_PRICE ? null : v)
const cmp = (a: string | null, b: string | null) => (a === null ? (b === null ? 0 : 1) : b === null ? -1 : decimalCompare(a, b))

/**
 * One offering per canonical model, as the unique view picks its `cheapest`: the lowest prompt price, then
 * completion price, then id; unpriced and variable prices last. Ordered by canonical id.
 */
export function cheapestPerModel(rows: OfferingRow[]): OfferingRow[] {
  const best = new Map<string, OfferingRow>()
  for (const r of rows) {
    const b = best.get(r.canonicalId)
    if (!b || (cmp(priced(r.pricing.prompt), priced(b.pricing.prompt)) || cmp(priced(r.pricing.completion), priced(b.pricing.completion)) || (r.id < b.id ? -1 : 1)) < 0) best.set(r.canonicalId, r)
  }
  return [...best.keys()].sort().map((k) => best.get(k)!)
}

/** The offerings a filtered export lists: every matching offering by id, or with `unique` the cheapest of each model. */
export function exportRows(store: { queryOfferings(q: CatalogQuery): { rows: OfferingRow[] } }, query: CatalogQuery, unique: boolean): OfferingRow[] {
  const rows = store.queryOfferings({ ...query, limit: undefined, offset: undefined, after: undefined }).rows
  return unique ? cheapestPerModel(rows) : rows
}
