import { sql, type SQL } from 'drizzle-orm'
import type { Db } from '../db/client'
import { PRICE_COMPONENTS, type Pricing } from './types'

/** One offering of a canonical model, as the unique view lists it. */
export interface CanonicalOffering {
  id: string
  provider: string
  provider_model_id: string
  context_length: number | null
  pricing: Pricing
}

export interface CanonicalRow {
  canonicalId: string
  name: string
  created: number
  contextLength: number | null
  maxOutputTokens: number | null
  inputModalities: string[] | null
  outputModalities: string[] | null
  providerCount: number
  offerings: CanonicalOffering[]
  /** The offering with the lowest prompt price (then completion price, then id); null when none is priced. */
  cheapest: CanonicalOffering | null
}

const providerFilter = (alias: string, ids?: string[]) => (ids ? sql` and ${sql.raw(alias)}.provider_id in ${ids}` : sql``)

const pricingOf = (alias: string) =>
  sql.raw(`(select json_group_object(component, usd) from pricing where offering_id = ${alias}.id)`)

/**
 * The unique view: one row per canonical model, grouped and priced by SQLite. GROUP BY over the
 * (canonical_id, provider_id) index; name, modalities and the cheapest offering come from correlated
 * subqueries on the same index, prices from the pricing primary key. No loop over every row in JS.
 */
export function queryCanonical(db: Db, opts: { providers?: string[]; canonicalId?: string; limit?: number; offset?: number }): CanonicalRow[] {
  const f = (alias: string) => providerFilter(alias, opts.providers)
  const where: SQL = opts.canonicalId ? sql`where g.canonical_id = ${opts.canonicalId}` : sql`where 1`
  const page = opts.limit !== undefined ? sql`limit ${opts.limit} offset ${opts.offset ?? 0}` : opts.offset ? sql`limit -1 offset ${opts.offset}` : sql``
  const rows = db.all<{
    canonical_id: string
    provider_count: number
    created: number
    context_length: number | null
    max_output_tokens: number | null
    name: string
    input_modalities: string | null
    output_modalities: string | null
    offerings: string
    cheapest_id: string | null
  }>(sql`
    select g.canonical_id,
      count(*) as provider_count,
      min(coalesce(nullif(g.created, 0), g.first_seen_at)) as created,
      max(g.context_length) as context_length,
      max(g.max_output_tokens) as max_output_tokens,
      (select o.name from offerings o where o.canonical_id = g.canonical_id ${f('o')}
        order by (o.name = o.provider_model_id), length(o.name), o.id limit 1) as name,
      (select o.input_modalities from offerings o where o.canonical_id = g.canonical_id ${f('o')} and o.input_modalities is not null
        order by o.id limit 1) as input_modalities,
      (select o.output_modalities from offerings o where o.canonical_id = g.canonical_id ${f('o')} and o.output_modalities is not null
        order by o.id limit 1) as output_modalities,
      json_group_array(json_object('id', g.id, 'provider', g.provider_id, 'provider_model_id', g.provider_model_id,
        'context_length', g.context_length, 'pricing', json(${pricingOf('g')}))) as offerings,
      (select o.id from offerings o join pricing p on p.offering_id = o.id and p.component = 'prompt'
        where o.canonical_id = g.canonical_id ${f('o')}
        order by cast(p.usd as real),
          (select cast(c.usd as real) from pricing c where c.offering_id = o.id and c.component = 'completion'), o.id
        limit 1) as cheapest_id
    from (select * from offerings order by id) g
    ${where} ${f('g')}
    group by g.canonical_id
    order by g.canonical_id
    ${page}`)
  return rows.map((r) => {
    const offerings = (JSON.parse(r.offerings) as CanonicalOffering[]).map((o) => ({ ...o, pricing: ordered(o.pricing) }))
    return {
      canonicalId: r.canonical_id,
      name: r.name,
      created: r.created,
      contextLength: r.context_length,
      maxOutputTokens: r.max_output_tokens,
      inputModalities: r.input_modalities ? JSON.parse(r.input_modalities) : null,
      outputModalities: r.output_modalities ? JSON.parse(r.output_modalities) : null,
      providerCount: r.provider_count,
      offerings,
      cheapest: offerings.find((o) => o.id === r.cheapest_id) ?? null,
    }
  })
}

export function countCanonical(db: Db, providers?: string[]): number {
  return db.all<{ n: number }>(sql`select count(distinct canonical_id) as n from offerings g where 1 ${providerFilter('g', providers)}`)[0]?.n ?? 0
}

function ordered(raw: Pricing | null): Pricing {
  const out: Pricing = {}
  for (const c of PRICE_COMPONENTS) if (raw?.[c] !== undefined) out[c] = raw[c]
  return out
}
